/**
 * A real, certified OpenID Connect provider (the `oidc-provider` package) on a loopback port, for the tests and
 * for `npm run oidc-dev`. Runs in Node, never in the Worker.
 *
 * Accounts are made up on the spot: the account id names the e-mail and whether it is verified, so every test
 * gets its own person without any set-up:
 *   verified:ada@example.com      e-mail ada@example.com, email_verified true
 *   unverified:ada@example.com    the same address, email_verified false
 * The subject (`sub`) is the account id. Sign-in is either automatic (`login_hint=<account id>` in the
 * authorization request, what the tests' browser stand-in adds) or a small form where a person types an address.
 *
 * Clients:
 *   edge-test (secret edge-test-secret)    the service; redirect URIs given by the caller
 *   other-client (secret other-secret)     another relying party: its ID tokens must not work at the service
 */
import { generateKeyPairSync } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

export const TEST_CLIENT = { id: "edge-test", secret: "edge-test-secret" };
export const OTHER_CLIENT = { id: "other-client", secret: "other-secret" };

export interface TestProvider {
  issuer: string;
  server: Server;
  close(): Promise<void>;
}

export interface TestProviderOptions {
  /** Loopback port; 0 (default) picks a free one. */
  port?: number;
  /** The service's redirect URIs (its `/auth/social/<name>/callback/`, and a single-page app's). */
  redirectUris: string[];
}

function accountClaims(accountId: string) {
  const [state, ...rest] = accountId.split(":");
  const email = rest.join(":");
  return {
    sub: accountId,
    email,
    email_verified: state === "verified",
    name: email.split("@")[0] ?? "",
    preferred_username: email.split("@")[0] ?? "",
  };
}

function isAccountId(value: unknown): value is string {
  return typeof value === "string" && /^(un)?verified:[^@\s]+@[^@\s]+$/.test(value);
}

export async function startTestProvider({ port = 0, redirectUris }: TestProviderOptions): Promise<TestProvider> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const signingJwk = { ...privateKey.export({ format: "jwk" }), kid: "test-provider-1", use: "sig", alg: "RS256" };

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: TEST_CLIENT.id,
        client_secret: TEST_CLIENT.secret,
        redirect_uris: redirectUris,
        response_types: ["code"],
        grant_types: ["authorization_code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
      {
        client_id: OTHER_CLIENT.id,
        client_secret: OTHER_CLIENT.secret,
        redirect_uris: redirectUris,
        response_types: ["code"],
        grant_types: ["authorization_code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    jwks: { keys: [signingJwk as never] },
    cookies: { keys: ["test-provider-cookie-key"] },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "preferred_username"] },
    // The claims of the requested scopes go into the ID token itself, as Google's and Apple's do.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, id) =>
      isAccountId(id) ? { accountId: id, claims: () => accountClaims(id) } : (undefined as never),
    ttl: { AuthorizationCode: 60, IdToken: 3600, AccessToken: 3600, Interaction: 600, Session: 600, Grant: 600 },
  });
  // Served on plain http on loopback: tell Koa the cookies may go without `Secure`.
  provider.proxy = false;
  const handle = provider.callback();

  server.on("request", (request, response) => {
    const path = new URL(request.url ?? "/", issuer).pathname;
    const interaction = path.match(/^\/interaction\/([\w-]+)$/);
    if (!interaction) return void handle(request, response);
    finishInteraction(provider, request, response).catch((error: unknown) => {
      response.writeHead(500, { "content-type": "text/plain" }).end(String(error));
    });
  });

  return {
    issuer,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Signs the account in and grants the requested scopes: from `login_hint`, or from the form a person filled. */
async function finishInteraction(provider: Provider, request: IncomingMessage, response: ServerResponse) {
  const details = await provider.interactionDetails(request, response);
  let accountId = details.params.login_hint;
  if (request.method === "POST") {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
    accountId = `${form.get("verified") ? "verified" : "unverified"}:${form.get("email") ?? ""}`;
  }
  if (!isAccountId(accountId)) {
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    return void response.end(LOGIN_FORM);
  }
  const grant = new provider.Grant({ accountId, clientId: String(details.params.client_id) });
  grant.addOIDCScope(String(details.params.scope ?? "openid"));
  const grantId = await grant.save();
  await provider.interactionFinished(
    request,
    response,
    { login: { accountId }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
}

const LOGIN_FORM = `<!doctype html><meta charset="utf-8"><title>Test provider</title>
<h1>Test OpenID provider</h1><p>Sign in as anyone: this provider is for local testing only.</p>
<form method="post"><label>E-mail <input name="email" type="email" required autofocus></label>
<label><input name="verified" type="checkbox" checked> the provider has verified this address</label>
<button>Sign in</button></form>`;
