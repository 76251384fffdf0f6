import type { D1Migration } from "cloudflare:test";

declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
      /** Base URL of the HTTP mail receiver started by test/setup/mail-receiver.ts. */
      MAIL_RECEIVER_URL: string;
    }
  }
}
