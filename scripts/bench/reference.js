// The two references every workload is compared with, served by the same runtime in the same run:
// "hello" (the runtime's limit: no work at all) and "select" (the storage floor: one indexed D1 read).
export default {
  async fetch(request, env) {
    if (new URL(request.url).pathname === "/select") {
      const row = await env.DB.prepare("SELECT id FROM tokens WHERE key_digest = ?").bind(env.SELECT_DIGEST).first();
      return Response.json({ found: row !== null });
    }
    return new Response("hello");
  },
};
