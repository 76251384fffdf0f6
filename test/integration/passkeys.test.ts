import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { call, json, login, mailbox, PASSWORD, register, TestClock, tokenHeader, uniqueName } from "../helpers";
import { mfaOptions } from "../support/mfa";
import { type CreationOptions, type RequestOptions, SoftAuthenticator, type Tamper } from "../support/webauthn";

const ORIGIN = "https://auth.example.com";
const BAD_CREDENTIALS = { non_field_errors: ["Unable to log in with provided credentials."] };
const NOT_VERIFIED = { credential: ["The passkey could not be verified."] };

vi.spyOn(console, "warn").mockImplementation(() => {});

async function creationOptions(key: string, options = mfaOptions(new TestClock())): Promise<CreationOptions> {
  const response = await call(
    "/auth/passkeys/register/options/",
    { method: "POST", headers: tokenHeader(key) },
    options,
  );
  expect(response.status).toBe(200);
  return (await response.json()) as CreationOptions;
}

async function addPasskey(
  key: string,
  authenticator: SoftAuthenticator,
  tamper: Tamper = {},
  options = mfaOptions(new TestClock()),
) {
  const credential = await authenticator.register(await creationOptions(key, options), tamper);
  return call("/auth/passkeys/", json("POST", { credential, name: "Laptop" }, tokenHeader(key)), options);
}

async function passwordless(
  authenticator: SoftAuthenticator,
  tamper: Tamper = {},
  options = mfaOptions(new TestClock()),
) {
  const started = await call("/auth/passkeys/login/options/", { method: "POST" }, options);
  const { challenge_id, options: request } = (await started.json()) as {
    challenge_id: string;
    options: RequestOptions;
  };
  const credential = await authenticator.assert(request, tamper);
  return {
    challenge_id,
    credential,
    response: await call("/auth/passkeys/login/", json("POST", { challenge_id, credential }), options),
  };
}

describe("passkey registration", () => {
  it("offers creation options for a discoverable, user-verifying credential of this relying party", async () => {
    const { key, username } = await register();
    const options = (await creationOptions(key)) as CreationOptions & Record<string, unknown>;
    expect(options).toMatchObject({
      rp: { id: "auth.example.com", name: "auth.example.com" },
      user: { name: username },
      attestation: "none",
      authenticatorSelection: { residentKey: "required", userVerification: "required" },
      timeout: 300_000,
    });
    expect(options.challenge).toMatch(/^[\w-]{20,}$/);
  });

  it("registers a verified passkey, lists it, signs other devices out and mails a notice", async () => {
    const username = uniqueName();
    const box = mailbox();
    const clock = new TestClock();
    const options = mfaOptions(clock, box.env);
    const { key, pk } = await register({ username, email: `${username}@example.com`, clock });
    const other = await login(username, { clock });
    const response = await addPasskey(key, new SoftAuthenticator(ORIGIN), {}, options);
    expect(response.status).toBe(201);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({
      id: expect.any(String),
      name: "Laptop",
      created: "2026-12-01T10:00:00.000000Z",
      last_used: null,
    });
    const list = await (await call("/auth/passkeys/", { headers: tokenHeader(key) }, options)).json();
    expect(list).toEqual([body]);
    expect(await (await call("/auth/mfa/", { headers: tokenHeader(key) }, options)).json()).toMatchObject({
      passkeys: 1,
    });
    expect((await call("/auth/user/", { headers: tokenHeader(other) }, options)).status).toBe(401);
    expect((await box.read()).messages.map((message) => message.body.data)).toEqual([{ event: "passkey_added" }]);
    const row = await env.DB.prepare("SELECT counter, public_key FROM passkeys WHERE user_id = ?").bind(pk).first();
    expect(row).toMatchObject({ counter: 0 });
  });

  it.each<[string, Tamper]>([
    ["a wrong origin", { origin: "https://evil.example" }],
    ["a wrong rp id", { rpId: "evil.example" }],
    ["a missing user-verification flag", { noUserVerification: true }],
    ["an unknown challenge", { challenge: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" }],
  ])("refuses %s", async (_, tamper) => {
    const { key } = await register();
    const response = await addPasskey(key, new SoftAuthenticator(ORIGIN), tamper);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(NOT_VERIFIED);
    expect(await (await call("/auth/passkeys/", { headers: tokenHeader(key) })).json()).toEqual([]);
  });

  it("accepts an origin listed in ALLOWED_ORIGINS", async () => {
    const { key } = await register();
    const options = mfaOptions(new TestClock(), { ALLOWED_ORIGINS: "https://app.example.com" });
    const response = await addPasskey(
      key,
      new SoftAuthenticator("https://app.example.com"),
      { rpId: "auth.example.com" },
      options,
    );
    expect(response.status).toBe(201);
  });

  it("answers each challenge once: a replayed registration is refused", async () => {
    const { key } = await register();
    const options = mfaOptions(new TestClock());
    const authenticator = new SoftAuthenticator(ORIGIN);
    const credential = await authenticator.register(await creationOptions(key, options));
    const body = json("POST", { credential, name: "Laptop" }, tokenHeader(key));
    expect((await call("/auth/passkeys/", body, options)).status).toBe(201);
    const replay = await call(
      "/auth/passkeys/",
      json("POST", { credential, name: "Laptop" }, tokenHeader(key)),
      options,
    );
    expect(replay.status).toBe(400);
    expect(await replay.json()).toEqual(NOT_VERIFIED);
  });

  it("refuses a challenge older than five minutes", async () => {
    const clock = new TestClock();
    const options = mfaOptions(clock);
    const { key } = await register({ clock });
    const credential = await new SoftAuthenticator(ORIGIN).register(await creationOptions(key, options));
    clock.advance(5 * 60_000 + 1);
    const late = await call("/auth/passkeys/", json("POST", { credential }, tokenHeader(key)), options);
    expect(late.status).toBe(400);
  });

  it("answers field errors for a missing or malformed credential", async () => {
    const { key } = await register();
    const missing = await call("/auth/passkeys/", json("POST", {}, tokenHeader(key)));
    expect(await missing.json()).toEqual({ credential: ["This field is required."] });
    for (const credential of ["junk", 42, { id: "x" }, [1, 2]]) {
      const bad = await call("/auth/passkeys/", json("POST", { credential }, tokenHeader(key)));
      expect(bad.status).toBe(400);
      expect(await bad.json()).toEqual(NOT_VERIFIED);
    }
  });
});

describe("GET, PATCH and DELETE /auth/passkeys/{id}/", () => {
  it("renames and deletes the user's own passkey; another user's is a 404", async () => {
    const clock = new TestClock();
    const options = mfaOptions(clock);
    const { key, username } = await register({ clock });
    const { id } = (await (await addPasskey(key, new SoftAuthenticator(ORIGIN), {}, options)).json()) as { id: string };
    const stranger = await register({ clock });
    for (const init of [
      json("PATCH", { name: "Mine" }, tokenHeader(stranger.key)),
      json("DELETE", {}, tokenHeader(stranger.key)),
    ]) {
      const response = await call(`/auth/passkeys/${id}/`, init, options);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ detail: "Not found." });
    }
    const renamed = await call(`/auth/passkeys/${id}/`, json("PATCH", { name: "Phone" }, tokenHeader(key)), options);
    expect(await renamed.json()).toMatchObject({ id, name: "Phone" });
    const other = await call("/auth/login/", json("POST", { username, password: PASSWORD }), options);
    expect(await other.json()).toMatchObject({ mfa_required: true, methods: ["webauthn"] });
    expect((await call(`/auth/passkeys/${id}`, { method: "DELETE", headers: tokenHeader(key) }, options)).status).toBe(
      204,
    );
    expect(await (await call("/auth/passkeys/", { headers: tokenHeader(key) }, options)).json()).toEqual([]);
    expect(await login(username, { clock })).toMatch(/^etk_/);
    expect((await call("/auth/passkeys/", {}, options)).status).toBe(401);
  });
});

describe("passwordless sign-in (POST /auth/passkeys/login/)", () => {
  async function userWithPasskey() {
    const { key, pk } = await register();
    const authenticator = new SoftAuthenticator(ORIGIN);
    expect((await addPasskey(key, authenticator)).status).toBe(201);
    return { authenticator, pk };
  }

  it("offers request options with an empty allowCredentials, needing no token", async () => {
    const response = await call("/auth/passkeys/login/options/", { method: "POST" });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { challenge_id: string; options: Record<string, unknown> };
    expect(Object.keys(body)).toEqual(["challenge_id", "options"]);
    expect(body.options).toMatchObject({
      rpId: "auth.example.com",
      allowCredentials: [],
      userVerification: "required",
    });
  });

  it("signs in with a discoverable passkey: the login body and the cookie, no second step", async () => {
    const { authenticator, pk } = await userWithPasskey();
    const { response } = await passwordless(authenticator);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { key: string; user: { pk: number } };
    expect(Object.keys(body)).toEqual(["key", "expiry", "user"]);
    expect(body.user.pk).toBe(pk);
    expect(response.headers.get("set-cookie")).toContain(`auth_token=${body.key};`);
    const row = await env.DB.prepare("SELECT counter, last_used_ms FROM passkeys WHERE user_id = ?").bind(pk).first();
    expect(row).toMatchObject({ counter: 1 });
    expect(row?.last_used_ms).not.toBeNull();
  });

  it.each<[string, Tamper]>([
    ["a bad signature", { badSignature: true }],
    ["a wrong origin", { origin: "https://evil.example" }],
    ["a wrong rp id", { rpId: "evil.example" }],
    ["a missing user-verification flag", { noUserVerification: true }],
    ["a counter going backwards", { counter: 0 }],
    ["a registration response type", { type: "webauthn.create" }],
  ])("refuses %s with the login's bad-credentials answer", async (_, tamper) => {
    const { authenticator } = await userWithPasskey();
    expect((await passwordless(authenticator)).response.status).toBe(200); // counter now 1
    const { response } = await passwordless(authenticator, tamper);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(BAD_CREDENTIALS);
  });

  it("answers each challenge once: a replayed assertion is refused", async () => {
    const { authenticator } = await userWithPasskey();
    const { challenge_id, credential, response } = await passwordless(authenticator);
    expect(response.status).toBe(200);
    const replay = await call(
      "/auth/passkeys/login/",
      json("POST", { challenge_id, credential }),
      mfaOptions(new TestClock()),
    );
    expect(replay.status).toBe(400);
    expect(await replay.json()).toEqual(BAD_CREDENTIALS);
  });

  it("refuses an unknown passkey and an unknown challenge", async () => {
    const stranger = new SoftAuthenticator(ORIGIN);
    expect((await passwordless(stranger)).response.status).toBe(400);
    const { authenticator } = await userWithPasskey();
    const credential = await authenticator.assert({ challenge: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" });
    const response = await call(
      "/auth/passkeys/login/",
      json("POST", { challenge_id: "nope", credential }),
      mfaOptions(new TestClock()),
    );
    expect(await response.json()).toEqual(BAD_CREDENTIALS);
  });
});

describe("a passkey as the second factor (login/mfa/)", () => {
  it("completes a password login with an assertion over login/mfa/webauthn/options/", async () => {
    const clock = new TestClock();
    const options = mfaOptions(clock);
    const { key, username } = await register({ clock });
    const authenticator = new SoftAuthenticator(ORIGIN);
    expect((await addPasskey(key, authenticator, {}, options)).status).toBe(201);
    const first = await call("/auth/login/", json("POST", { username, password: PASSWORD }), options);
    const { mfa_token, methods } = (await first.json()) as { mfa_token: string; methods: string[] };
    expect(methods).toEqual(["webauthn"]);
    const started = await call("/auth/login/mfa/webauthn/options/", json("POST", { mfa_token }), options);
    expect(started.status).toBe(200);
    const request = (await started.json()) as RequestOptions & { allowCredentials: { id: string }[] };
    expect(request.allowCredentials.map((credential) => credential.id)).toEqual([authenticator.id]);

    const wrong = await authenticator.assert(request, { origin: "https://evil.example" });
    const refused = await call("/auth/login/mfa/", json("POST", { mfa_token, webauthn: wrong }), options);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ webauthn: ["The passkey could not be verified."] });
    // That challenge is spent: a good assertion needs fresh options.
    const stale = await authenticator.assert(request);
    expect((await call("/auth/login/mfa/", json("POST", { mfa_token, webauthn: stale }), options)).status).toBe(400);

    const again = (await (
      await call("/auth/login/mfa/webauthn/options/", json("POST", { mfa_token }), options)
    ).json()) as RequestOptions;
    const done = await call(
      "/auth/login/mfa/",
      json("POST", { mfa_token, webauthn: await authenticator.assert(again) }),
      options,
    );
    expect(done.status).toBe(200);
    expect(Object.keys((await done.json()) as object)).toEqual(["key", "expiry", "user"]);
  });

  it("refuses another user's passkey", async () => {
    const clock = new TestClock();
    const options = mfaOptions(clock);
    const alice = await register({ clock });
    await addPasskey(alice.key, new SoftAuthenticator(ORIGIN), {}, options);
    const mallory = await register({ clock });
    const malloryKey = new SoftAuthenticator(ORIGIN);
    await addPasskey(mallory.key, malloryKey, {}, options);
    const first = await call("/auth/login/", json("POST", { username: alice.username, password: PASSWORD }), options);
    const { mfa_token } = (await first.json()) as { mfa_token: string };
    const request = (await (
      await call("/auth/login/mfa/webauthn/options/", json("POST", { mfa_token }), options)
    ).json()) as RequestOptions;
    const response = await call(
      "/auth/login/mfa/",
      json("POST", { mfa_token, webauthn: await malloryKey.assert(request) }),
      options,
    );
    expect(response.status).toBe(400);
  });
});
