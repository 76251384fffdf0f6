import { describe, expect, it } from "vitest";
import { unstable_readConfig } from "wrangler";
import { CliError, remoteOnlyConfig } from "../../scripts/manage/d1";

describe("remoteOnlyConfig (--remote)", () => {
  it("keeps only the DB binding of the chosen environment, marked remote", () => {
    const config = unstable_readConfig({ config: "wrangler.toml", env: "production" });
    expect(remoteOnlyConfig(config)).toEqual({
      name: "edge-token-auth",
      compatibility_date: config.compatibility_date,
      d1_databases: [
        {
          binding: "DB",
          database_name: "edge-token-auth",
          database_id: "00000000-0000-0000-0000-000000000000",
          remote: true,
        },
      ],
    });
  });

  it("refuses a configuration without a DB binding to reach", () => {
    const config = unstable_readConfig({ config: "wrangler.toml" });
    expect(() => remoteOnlyConfig({ ...config, d1_databases: [] })).toThrow(CliError);
  });
});
