import type { D1Migration } from "cloudflare:test";

declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
      /** Base URL of the HTTP peers (mail receiver, origin) started by test/setup/peers.ts. */
      PEERS_URL: string;
      /** A second local D1, migrated like DB, that tests use as a lagging read replica. */
      REPLICA_DB: D1Database;
      /** Issuer of the real OpenID Connect provider started by test/setup/social-peers.ts. */
      OIDC_ISSUER: string;
      /** Base URL of the browser stand-in and the GitHub and Apple fakes (test/setup/social-peers.ts). */
      SOCIAL_PEERS_URL: string;
      /** The fake Apple developer key (.p8, PEM) the Apple fake checks client secrets against. */
      APPLE_PRIVATE_KEY: string;
    }
  }
}
