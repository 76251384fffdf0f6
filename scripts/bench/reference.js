// The references every workload is compared with, served by the same runtime in the same run: "hello" (the
// runtime's limit: no work at all), "select" (the storage floor: one indexed D1 read of one column) and
// "session" (the app's own authentication query, token joined with its user, run bare: no app around it) and
// "forward" (the gateway's outbound call run bare: the request passed to the origin as it is, nothing else).
export default {
  async fetch(request, env) {
    const path = new URL(request.url).pathname;
    if (path === "/select") {
      const row = await env.DB.prepare("SELECT id FROM tokens WHERE key_digest = ?").bind(env.SELECT_DIGEST).first();
      return Response.json({ found: row !== null });
    }
    if (path === "/session") {
      const row = await env.DB.prepare(env.SESSION_SQL).bind(env.SELECT_DIGEST).first();
      return Response.json({ found: row !== null });
    }
    if (path === "/forward") return fetch(`${env.ORIGIN_URL}/api/items`, request);
    return new Response("hello");
  },
};
