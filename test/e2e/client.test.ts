/**
 * The typed client (`edge-token-auth/client`) against `npm start`, as an app developer uses it: header mode
 * (a native app keeping its key) and cookie mode (a browser, here a fetch with a cookie jar and an Origin),
 * every wrapped call with its success and its service-exact error body; and the generated types checked
 * against the document the running service serves.
 */
import { readFileSync } from "node:fs";
import {
  type AuthClient,
  createAuthClient,
  isSignedIn,
  memoryTokenStore,
  type TokenStore,
} from "edge-token-auth/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_TYPES_PATH, clientTypesSource } from "../../scripts/client-types";
import { type Mail, type MailReceiver, startMailReceiver } from "../../scripts/mail-receiver.js";
import { type DevServer, startDevServer } from "../support/dev-server";

const PASSWORDS = ["correct horse battery staple", "tr0ubadour & tree house", "lunar orbit coffee pot"] as const;

let server: DevServer;
let mailReceiver: MailReceiver;
let base: string;

beforeAll(async () => {
  mailReceiver = await startMailReceiver();
  server = await startDevServer({ MAIL_WEBHOOK_URL: mailReceiver.url, EMAIL_VERIFICATION: "optional" });
  base = `http://127.0.0.1:${server.port}`;
}, 120_000);

afterAll(async () => {
  server?.stop();
  await mailReceiver?.close();
});

/** The newest `kind` mail to `to` (mail leaves after the response, so wait for it). */
function mailTo(kind: string, to: string): Promise<Mail> {
  return mailReceiver.waitForMail(kind, to);
}

/** A browser's fetch, as far as the service can tell: it keeps cookies and sends its page's Origin. */
function browserFetch(origin: string): { fetch: typeof fetch; cookies: Map<string, string> } {
  const cookies = new Map<string, string>();
  const fetchWithJar = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    expect(request.headers.get("authorization")).toBeNull();
    const headers = new Headers(request.headers);
    headers.set("origin", origin);
    if (cookies.size > 0) headers.set("cookie", [...cookies].map(([name, value]) => `${name}=${value}`).join("; "));
    const response = await fetch(new Request(request, { headers }));
    for (const line of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";");
      const [name = "", value = ""] = pair.split("=");
      const expired = attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute));
      if (expired || value === "") cookies.delete(name.trim());
      else cookies.set(name.trim(), value);
    }
    return response;
  };
  return { fetch: fetchWithJar as typeof fetch, cookies };
}

describe("the typed client in header mode (a native app)", () => {
  let store: TokenStore;
  let client: AuthClient;
  const username = "mobile_ada";
  const email = "mobile_ada@example.com";

  it("registers with field errors as the service sends them, then signs in and keeps the key", async () => {
    store = memoryTokenStore();
    client = createAuthClient({ baseUrl: base, auth: { mode: "header", store }, clientName: "ios" });

    const invalid = await client.register({ username, email: "nope", password1: "12345678", password2: "12345678" });
    expect(invalid).toEqual({
      ok: false,
      status: 400,
      error: {
        email: ["Enter a valid email address."],
        password1: ["This password is too common.", "This password is entirely numeric."],
      },
    });
    const mismatch = await client.register({ username, email, password1: PASSWORDS[0], password2: PASSWORDS[1] });
    expect(mismatch).toEqual({
      ok: false,
      status: 400,
      error: { non_field_errors: ["The two password fields didn't match."] },
    });
    expect(await store.get()).toBeNull();

    const registered = await client.register({ username, email, password1: PASSWORDS[0], password2: PASSWORDS[0] });
    expect(registered.ok && registered.status).toBe(201);
    if (!registered.ok || !isSignedIn(registered.data)) throw new Error("not signed in");
    expect(registered.data.user).toMatchObject({ username, email, first_name: "", last_name: "" });
    expect(await store.get()).toBe(registered.data.key);

    const wrong = await client.login({ username, password: "not it" });
    expect(wrong).toEqual({
      ok: false,
      status: 400,
      error: { non_field_errors: ["Unable to log in with provided credentials."] },
    });
    const login = await client.login({ email, password: PASSWORDS[0] });
    if (!login.ok || !isSignedIn(login.data)) throw new Error(`login failed: ${JSON.stringify(login)}`);
    expect(await store.get()).toBe(login.data.key);
  });

  it("verifies the e-mail with the mailed key, resends, and reports an unknown key", async () => {
    const mail = await mailTo("email_verification", email);
    expect(await client.email.verify(mail.data.key ?? "")).toEqual({ ok: true, status: 200, data: { detail: "ok" } });
    expect(await client.email.verify("no-such-key")).toEqual({
      ok: false,
      status: 404,
      error: { detail: "Not found." },
    });
    expect(await client.email.resend(email)).toEqual({ ok: true, status: 200, data: { detail: "ok" } });
    expect(await client.email.resend("")).toEqual({
      ok: false,
      status: 400,
      error: { email: ["This field may not be blank."] },
    });
  });

  it("reads, replaces and patches the user", async () => {
    const user = await client.user.get();
    expect(user).toMatchObject({ ok: true, status: 200, data: { username, email } });
    const put = await client.user.put({ username, first_name: "Ada", last_name: "Lovelace" });
    expect(put).toMatchObject({ ok: true, data: { first_name: "Ada", last_name: "Lovelace" } });
    const patched = await client.user.patch({ last_name: "King" });
    expect(patched).toMatchObject({ ok: true, data: { username, first_name: "Ada", last_name: "King" } });
    expect(await client.user.put({ username: "not valid!" })).toEqual({
      ok: false,
      status: 400,
      error: {
        username: ["Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."],
      },
    });
  });

  it("lists sessions and deletes another one, with 404 for an unknown id", async () => {
    const list = await client.sessions.list();
    if (!list.ok) throw new Error("no sessions");
    expect(list.data).toHaveLength(2);
    expect(list.data.filter((session) => session.current)).toHaveLength(1);
    const other = list.data.find((session) => !session.current);
    expect(other?.client).toBe("ios");
    expect(await client.sessions.delete(other?.id ?? "")).toEqual({ ok: true, status: 204, data: undefined });
    expect(await client.sessions.delete("no-such-session")).toEqual({
      ok: false,
      status: 404,
      error: { detail: "Not found." },
    });
    const after = await client.sessions.list();
    expect(after.ok && after.data.map((session) => session.current)).toEqual([true]);
  });

  it("reads the account's activity, newest first, and reports a forged cursor as the service words it", async () => {
    const page = await client.activity.list();
    if (!page.ok) throw new Error("no activity");
    expect(page.data.previous).toBeNull();
    expect(page.data.next).toBeNull();
    expect(page.data.results.map((event) => event.kind)).toContain("login");
    const created = page.data.results.map((event) => event.created);
    expect(created).toEqual([...created].sort().reverse());
    expect(await client.activity.list("forged")).toEqual({
      ok: false,
      status: 404,
      error: { detail: "Invalid cursor" },
    });
    expect(await client.activity.list(`${base}/auth/activity/?cursor=forged`)).toMatchObject({ status: 404 });
  });

  it("changes the password (wrong old one and a mismatch as the service words them)", async () => {
    expect(
      await client.password.change({ old_password: "nope", new_password1: PASSWORDS[1], new_password2: PASSWORDS[1] }),
    ).toEqual({
      ok: false,
      status: 400,
      error: { old_password: ["Your old password was entered incorrectly. Please enter it again."] },
    });
    expect(
      await client.password.change({
        old_password: PASSWORDS[0],
        new_password1: PASSWORDS[1],
        new_password2: PASSWORDS[2],
      }),
    ).toEqual({ ok: false, status: 400, error: { new_password2: ["The two password fields didn\u2019t match."] } });
    expect(
      await client.password.change({
        old_password: PASSWORDS[0],
        new_password1: PASSWORDS[1],
        new_password2: PASSWORDS[1],
      }),
    ).toEqual({ ok: true, status: 200, data: { detail: "New password has been saved." } });
    expect((await client.user.get()).ok).toBe(true);
  });

  it("resets the password from the mailed uid and token, which ends every session and clears the key", async () => {
    expect(await client.password.reset({ email })).toEqual({
      ok: true,
      status: 200,
      data: { detail: "Password reset e-mail has been sent." },
    });
    const { data } = await mailTo("password_reset", email);
    const passwords = { new_password1: PASSWORDS[2], new_password2: PASSWORDS[2] };
    expect(await client.password.confirm({ uid: "nope", token: "nope", ...passwords })).toEqual({
      ok: false,
      status: 400,
      error: { uid: ["Invalid value"] },
    });
    expect(await client.password.confirm({ uid: data.uid ?? "", token: data.token ?? "", ...passwords })).toEqual({
      ok: true,
      status: 200,
      data: { detail: "Password has been reset with the new password." },
    });
    expect(await store.get()).not.toBeNull();
    expect(await client.user.get()).toEqual({
      ok: false,
      status: 401,
      error: { error: "Invalid or Inactive Token", is_authenticated: false },
    });
    expect(await store.get()).toBeNull();
    expect(await client.user.get()).toEqual({
      ok: false,
      status: 401,
      error: { detail: "Authentication credentials were not provided." },
    });
  });

  it("logs out this device only, and out everywhere, clearing the key each time", async () => {
    const phone = await client.login({ username, password: PASSWORDS[2] });
    const tabletStore = memoryTokenStore();
    const tablet = createAuthClient({ baseUrl: base, auth: { mode: "header", store: tabletStore } });
    await tablet.login({ username, password: PASSWORDS[2] });
    expect(phone.ok && (await store.get())).toBeTruthy();

    expect(await client.logout()).toEqual({ ok: true, status: 200, data: { detail: "Successfully logged out." } });
    expect(await store.get()).toBeNull();
    expect((await tablet.user.get()).ok).toBe(true);

    expect(await tablet.logoutAll()).toEqual({ ok: true, status: 204, data: undefined });
    expect(await tabletStore.get()).toBeNull();
    expect(await tablet.logoutAll()).toEqual({
      ok: false,
      status: 401,
      error: { detail: "Authentication credentials were not provided." },
    });
  });

  it("answers status 0 with the cause when the service cannot be reached", async () => {
    const offline = createAuthClient({ baseUrl: "http://127.0.0.1:9", auth: { mode: "header", store } });
    const result = await offline.user.get();
    expect(result).toMatchObject({ ok: false, status: 0, error: null });
    expect(result.ok || result.cause).toBeInstanceOf(Error);
  });
});

describe("the typed client in cookie mode (a browser)", () => {
  it("signs in with the HttpOnly cookie, never a header, and logs out", async () => {
    const browser = browserFetch(base);
    const client = createAuthClient({ baseUrl: base, auth: { mode: "cookie" }, fetch: browser.fetch });
    const registered = await client.register({
      username: "browser_ada",
      password1: PASSWORDS[0],
      password2: PASSWORDS[0],
      client: "web",
    });
    expect(registered).toMatchObject({ ok: true, status: 201 });
    expect(browser.cookies.get("auth_token")).toBeTruthy();
    const user = await client.user.get();
    expect(user).toMatchObject({ ok: true, data: { username: "browser_ada" } });
    const sessions = await client.sessions.list();
    expect(sessions.ok && sessions.data[0]?.client).toBe("web");

    const foreign = createAuthClient({
      baseUrl: base,
      auth: { mode: "cookie" },
      fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
        const request = new Request(input, init);
        const headers = new Headers(request.headers);
        headers.set("origin", "https://evil.example");
        headers.set("cookie", `auth_token=${browser.cookies.get("auth_token")}`);
        return fetch(new Request(request, { headers }));
      }) as typeof fetch,
    });
    expect(await foreign.user.patch({ first_name: "Mallory" })).toEqual({
      ok: false,
      status: 403,
      error: {
        detail: "CSRF Failed: Origin checking failed - https://evil.example does not match any trusted origins.",
      },
    });

    expect(await client.logout()).toEqual({ ok: true, status: 200, data: { detail: "Successfully logged out." } });
    expect(browser.cookies.has("auth_token")).toBe(false);
    expect(await client.user.get()).toMatchObject({ ok: false, status: 401 });
  });
});

describe("the client's generated types", () => {
  it("match the OpenAPI document the running service serves (else run npm run client:generate)", async () => {
    const document = await (await fetch(`${base}/openapi.json`)).json();
    expect(readFileSync(CLIENT_TYPES_PATH, "utf8")).toBe(await clientTypesSource(document));
  });
});
