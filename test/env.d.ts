import type { D1Migration } from "cloudflare:test";

declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
      /** Base URL of the HTTP peers (mail receiver, origin) started by test/setup/peers.ts. */
      PEERS_URL: string;
      /** A second local D1, migrated like DB, that tests use as a lagging read replica. */
      REPLICA_DB: D1Database;
    }
  }
}
