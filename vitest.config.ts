import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  // The same SQL files wrangler applies: tests run against the real migrations.
  const migrations = await readD1Migrations("./drizzle");
  return {
    test: {
      // The app's one log line per request (src/observability) would drown everything else printed.
      onConsoleLog: (log: string) => !log.startsWith('{"level":"info","event":"request"'),
      projects: [
        {
          // The Worker: inside workerd, against a real local D1.
          plugins: [
            cloudflareTest(({ inject }) => ({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  PEERS_URL: inject("peersUrl"),
                  // The local OpenID Connect provider and its browser stand-in (test/setup/social-peers.ts).
                  OIDC_ISSUER: inject("oidcIssuer"),
                  SOCIAL_PEERS_URL: inject("socialPeersUrl"),
                  APPLE_PRIVATE_KEY: inject("applePrivateKey"),
                  // Tests speak to the service as a deployed client does, at its public origin, in production
                  // mode (wrangler.toml's top level is development); a test opts into development itself.
                  ENVIRONMENT: "production",
                  SERVICE_ORIGIN: "https://auth.example.com",
                },
                // A second local D1 standing in for a read replica that lags the primary (D1_READ_REPLICAS tests).
                d1Databases: { REPLICA_DB: "replica" },
              },
            })),
          ],
          test: {
            name: "worker",
            globalSetup: ["./test/setup/build-account.ts", "./test/setup/peers.ts", "./test/setup/social-peers.ts"],
            setupFiles: ["./test/setup/apply-migrations.ts"],
            include: ["test/unit/**/*.test.ts", "test/integration/**/*.test.ts"],
          },
        },
        {
          // The operator CLI and end-to-end runs: in Node, driving wrangler against throw-away local D1s.
          test: {
            name: "node",
            environment: "node",
            include: ["test/cli/**/*.test.ts", "test/e2e/**/*.test.ts"],
            testTimeout: 120_000,
            hookTimeout: 120_000,
          },
        },
        {
          // The account page in Debian's Chromium (playwright-core), served by npm start.
          test: {
            name: "browser",
            environment: "node",
            include: ["test/browser/**/*.test.ts"],
            testTimeout: 180_000,
            hookTimeout: 180_000,
          },
        },
      ],
    },
  };
});
