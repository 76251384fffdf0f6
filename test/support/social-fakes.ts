/**
 * Small HTTP fakes of the providers that cannot run locally as real servers: GitHub (OAuth 2.0 and its REST API)
 * and Sign in with Apple (an OpenID provider with its own client authentication: a client secret that is an
 * ES256 JWT, and a callback posted as a form). Each checks what the real one checks (client credentials, single
 * use codes, PKCE, redirect URI) so the service's requests are held to the real rules. The OpenID path itself is
 * tested against the real oidc-provider, never against these. Also a "broken" OpenID provider whose discovery
 * works but whose token endpoint is down.
 *
 * People are named like the oidc-provider's: `verified:<email>` or `unverified:<email>` in `login_hint`.
 */
import { createHash, generateKeyPairSync, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createLocalJWKSet, exportJWK, jwtVerify, SignJWT } from "jose";

export const GITHUB_CLIENT = { id: "github-client", secret: "github-secret" };
export const APPLE_CLIENT = { id: "com.example.web", teamId: "TEAMID1234", keyId: "APPLEKEY01" };

interface PendingCode {
  account: string;
  clientId: string;
  redirectUri: string;
  challenge: string | null;
  nonce: string | null;
}

function parseAccount(account: string) {
  const [state, ...rest] = account.split(":");
  const email = rest.join(":");
  const id = Number.parseInt(createHash("sha256").update(email).digest("hex").slice(0, 8), 16);
  return { email, verified: state === "verified", id, login: email.split("@")[0] ?? "user" };
}

function s256(verifier: string): string {
  return createHash("sha256").update(verifier).digest("base64url");
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

/** The fakes, mounted under `<base>/github`, `<base>/apple` and `<base>/broken-idp`. */
export async function createSocialFakes(base: string) {
  const codes = new Map<string, PendingCode>();
  const accessTokens = new Map<string, string>();
  const appleIssuer = `${base}/apple`;
  const appleSigning = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const appleJwk = { ...(await exportJWK(appleSigning.publicKey)), kid: "apple-fake-1", alg: "RS256", use: "sig" };
  // The developer's .p8 key: its private half is what the service is configured with (SOCIAL_APPLE_SECRET).
  const developerKey = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const developerJwks = createLocalJWKSet({
    keys: [{ ...(await exportJWK(developerKey.publicKey)), kid: APPLE_CLIENT.keyId, alg: "ES256" }],
  });
  const applePrivateKeyPem = developerKey.privateKey.export({ format: "pem", type: "pkcs8" }).toString();

  function issueCode(params: URLSearchParams): string | null {
    const account = params.get("login_hint");
    if (!account || !/^(un)?verified:[^@\s]+@[^@\s]+$/.test(account)) return null;
    const code = randomBytes(16).toString("hex");
    codes.set(code, {
      account,
      clientId: params.get("client_id") ?? "",
      redirectUri: params.get("redirect_uri") ?? "",
      challenge: params.get("code_challenge_method") === "S256" ? params.get("code_challenge") : null,
      nonce: params.get("nonce"),
    });
    return code;
  }

  /** Spends a code: it must exist, be for this client and redirect URI, and pass PKCE. */
  function redeem(form: URLSearchParams, clientId: string): PendingCode | null {
    const code = form.get("code") ?? "";
    const pending = codes.get(code);
    codes.delete(code);
    if (!pending || pending.clientId !== clientId || pending.redirectUri !== form.get("redirect_uri")) return null;
    if (pending.challenge !== null && s256(form.get("code_verifier") ?? "") !== pending.challenge) return null;
    return pending;
  }

  async function github(request: IncomingMessage, response: ServerResponse, path: string, url: URL) {
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
    if (path === "/login/oauth/authorize") {
      const code = issueCode(url.searchParams);
      if (!code) return reply(400, { error: "pass login_hint=verified:<email>" });
      const back = new URL(url.searchParams.get("redirect_uri") ?? "");
      back.searchParams.set("code", code);
      back.searchParams.set("state", url.searchParams.get("state") ?? "");
      response.writeHead(302, { location: back.toString() });
      return response.end();
    }
    if (path === "/login/oauth/access_token" && request.method === "POST") {
      const form = await readForm(request);
      const basic = Buffer.from(`${GITHUB_CLIENT.id}:${GITHUB_CLIENT.secret}`).toString("base64");
      if (request.headers.authorization !== `Basic ${basic}`) return reply(401, { error: "invalid_client" });
      const pending = redeem(form, GITHUB_CLIENT.id);
      // GitHub answers a bad code with 200 and an error body.
      if (!pending) return reply(200, { error: "bad_verification_code", error_description: "The code is wrong." });
      const token = `gho_${randomBytes(16).toString("hex")}`;
      accessTokens.set(token, pending.account);
      return reply(200, { access_token: token, token_type: "bearer", scope: "read:user,user:email" });
    }
    const account = accessTokens.get((request.headers.authorization ?? "").replace(/^Bearer /, ""));
    if (!request.headers["user-agent"]) return reply(403, { message: "User-Agent required" });
    if (!account) return reply(401, { message: "Bad credentials" });
    const person = parseAccount(account);
    if (path === "/api/user") return reply(200, { id: person.id, login: person.login, name: "Grace Hopper" });
    if (path === "/api/user/emails") {
      return reply(200, [
        { email: `${person.login}@users.noreply.github.com`, primary: false, verified: true },
        { email: person.email, primary: true, verified: person.verified },
      ]);
    }
    return reply(404, { message: "Not Found" });
  }

  async function apple(request: IncomingMessage, response: ServerResponse, path: string, url: URL) {
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
    if (path === "/.well-known/openid-configuration") {
      return reply(200, {
        issuer: appleIssuer,
        authorization_endpoint: `${appleIssuer}/auth/authorize`,
        token_endpoint: `${appleIssuer}/auth/token`,
        jwks_uri: `${appleIssuer}/auth/keys`,
      });
    }
    if (path === "/auth/keys") return reply(200, { keys: [appleJwk] });
    if (path === "/auth/authorize") {
      if (url.searchParams.get("response_mode") !== "form_post") return reply(400, { error: "invalid_request" });
      const code = issueCode(url.searchParams);
      if (!code) return reply(400, { error: "pass login_hint=verified:<email>" });
      // Apple's page posts the result to the redirect URI; the name comes only with the first authorization.
      const fields = {
        code,
        state: url.searchParams.get("state") ?? "",
        user: JSON.stringify({ name: { firstName: "Tim", lastName: "Apple" } }),
      };
      const inputs = Object.entries(fields)
        .map(([name, value]) => `<input type="hidden" name="${name}" value="${value.replaceAll('"', "&quot;")}">`)
        .join("");
      response.writeHead(200, { "content-type": "text/html" });
      return response.end(
        `<form method="post" action="${url.searchParams.get("redirect_uri")}">${inputs}</form><script>document.forms[0].submit()</script>`,
      );
    }
    if (path === "/auth/token" && request.method === "POST") {
      const form = await readForm(request);
      try {
        const { payload, protectedHeader } = await jwtVerify(form.get("client_secret") ?? "", developerJwks, {
          issuer: APPLE_CLIENT.teamId,
          subject: form.get("client_id") ?? "",
          audience: appleIssuer,
          algorithms: ["ES256"],
        });
        if (protectedHeader.kid !== APPLE_CLIENT.keyId || payload.sub !== APPLE_CLIENT.id) throw new Error("client");
      } catch {
        return reply(400, { error: "invalid_client" });
      }
      const pending = redeem(form, APPLE_CLIENT.id);
      if (!pending) return reply(400, { error: "invalid_grant" });
      const person = parseAccount(pending.account);
      const idToken = await new SignJWT({
        email: person.email,
        // Apple sends these as strings.
        email_verified: person.verified ? "true" : "false",
        ...(pending.nonce ? { nonce: pending.nonce } : {}),
      })
        .setProtectedHeader({ alg: "RS256", kid: appleJwk.kid })
        .setIssuer(appleIssuer)
        .setAudience(APPLE_CLIENT.id)
        .setSubject(`000${person.id}.apple`)
        .setIssuedAt()
        .setExpirationTime("10m")
        .sign(appleSigning.privateKey);
      return reply(200, { access_token: "apple-at", token_type: "Bearer", expires_in: 3600, id_token: idToken });
    }
    return reply(404, { error: "not found" });
  }

  /** An OpenID provider whose discovery answers but whose token endpoint is down (503). */
  function broken(response: ServerResponse, path: string) {
    const issuer = `${base}/broken-idp`;
    if (path === "/.well-known/openid-configuration") {
      response.writeHead(200, { "content-type": "application/json" });
      return response.end(
        JSON.stringify({
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
        }),
      );
    }
    response.writeHead(503, { "content-type": "text/html" });
    return response.end("<h1>Service Unavailable</h1>");
  }

  return {
    applePrivateKeyPem,
    /** Answers a request under one of the fakes; false when the path is none of theirs. */
    async handle(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
      const url = new URL(request.url ?? "/", base);
      const [, fake, ...rest] = url.pathname.split("/");
      const path = `/${rest.join("/")}`;
      if (fake === "github") await github(request, response, path, url);
      else if (fake === "apple") await apple(request, response, path, url);
      else if (fake === "broken-idp") broken(response, path);
      else return false;
      return true;
    },
  };
}
