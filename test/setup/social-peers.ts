/**
 * vitest globalSetup (runs in Node): the sign-in providers the Worker's tests talk to over loopback.
 *   - a real OpenID Connect provider (test/support/oidc-provider.ts), issuer given to tests as OIDC_ISSUER;
 *   - a browser stand-in (SOCIAL_PEERS_URL): GET /drive?url=<authorization URL> follows the provider's
 *     redirects with a cookie jar and answers {"location"}: where the provider sent the browser back;
 *   - fakes of GitHub and Sign in with Apple, and an OpenID provider whose token endpoint is down, under the
 *     same base URL (test/support/social-fakes.ts); the Apple developer key's PEM is given as APPLE_PRIVATE_KEY.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";
import { driveAuthorization } from "../support/browser-stand-in";
import { startTestProvider } from "../support/oidc-provider";
import { createSocialFakes } from "../support/social-fakes";

declare module "vitest" {
  export interface ProvidedContext {
    oidcIssuer: string;
    socialPeersUrl: string;
    applePrivateKey: string;
  }
}

/** The service's origin in the Worker's tests (vitest.config.ts) and a single-page app's. */
export const TEST_REDIRECT_URIS = [
  "https://auth.example.com/auth/social/local/callback/",
  "https://auth.example.com/auth/social/apple/callback/",
  "https://app.example.com/oauth",
];

export default async function setup(project: TestProject) {
  const provider = await startTestProvider({ redirectUris: TEST_REDIRECT_URIS });
  let fakes: Awaited<ReturnType<typeof createSocialFakes>> | undefined;
  const peers = createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://peers");
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
    try {
      if (url.pathname === "/drive") return reply(200, await driveAuthorization(url.searchParams.get("url") ?? ""));
      if (await fakes?.handle(request, response)) return;
      return reply(404, { error: "not found" });
    } catch (error) {
      return reply(500, { error: String(error) });
    }
  });
  await new Promise<void>((resolve) => peers.listen(0, "127.0.0.1", resolve));
  const peersUrl = `http://127.0.0.1:${(peers.address() as AddressInfo).port}`;
  fakes = await createSocialFakes(peersUrl);
  project.provide("oidcIssuer", provider.issuer);
  project.provide("socialPeersUrl", peersUrl);
  project.provide("applePrivateKey", fakes.applePrivateKeyPem);
  return async () => {
    await provider.close();
    await new Promise<void>((resolve) => peers.close(() => resolve()));
  };
}
