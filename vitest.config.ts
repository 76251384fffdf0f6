import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  // The same SQL files wrangler applies: tests run against the real migrations.
  const migrations = await readD1Migrations("./drizzle");
  return {
    plugins: [
      cloudflareTest(({ inject }) => ({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: { TEST_MIGRATIONS: migrations, MAIL_RECEIVER_URL: inject("mailReceiverUrl") },
        },
      })),
    ],
    test: {
      globalSetup: ["./test/setup/mail-receiver.ts"],
      setupFiles: ["./test/setup/apply-migrations.ts"],
      include: ["test/**/*.test.ts"],
    },
  };
});
