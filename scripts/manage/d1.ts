/**
 * The operator CLI's way to the database: the `DB` binding itself, from wrangler's `getPlatformProxy()`, so
 * the CLI and the import go through Drizzle and the store functions the Worker uses (bound parameters, no SQL
 * text of their own). Local by default, over the same state `wrangler dev` and `npm start` use; with
 * `--remote`, the deployed database through wrangler's remote bindings (it needs `wrangler login`).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { getPlatformProxy, type Unstable_Config, unstable_readConfig } from "wrangler";

export interface Target {
  remote: boolean;
  /** `--persist-to` for the local database (as given to `npm start`). */
  persistTo?: string;
  /** `--config` / `--env` of wrangler. */
  config?: string;
  env?: string;
}

export class CliError extends Error {}

/** An open `DB` binding; `close` must be called, or the proxy's workerd keeps the process alive. */
export interface Connection {
  d1: D1Database;
  close(): Promise<void>;
}

/**
 * Where wrangler keeps the local state for `target`: `--persist-to` relative to the working directory,
 * else `.wrangler/state` beside the configuration file (as `wrangler d1 execute --local` and `wrangler dev`
 * resolve it). The proxy itself defaults to the working directory, so it is always given this path.
 */
function localPersistPath(target: Target, userConfigPath: string | undefined): string {
  const root = target.persistTo
    ? resolve(target.persistTo)
    : join(userConfigPath ? dirname(userConfigPath) : process.cwd(), ".wrangler", "state");
  return join(root, "v3");
}

/**
 * A configuration with nothing but `target`'s `DB` binding, marked `remote`: wrangler's proxy then reaches the
 * deployed database and nothing else, whatever other bindings the project's configuration declares.
 */
export function remoteOnlyConfig(config: Unstable_Config): Record<string, unknown> {
  const binding = config.d1_databases.find((database) => database.binding === "DB");
  if (!binding?.database_id) {
    throw new CliError("the wrangler configuration has no D1 binding DB with a database_id to reach with --remote");
  }
  return {
    name: config.name,
    compatibility_date: config.compatibility_date,
    ...(config.account_id ? { account_id: config.account_id } : {}),
    d1_databases: [
      {
        binding: "DB",
        database_name: binding.database_name,
        database_id: binding.database_id,
        remote: true,
      },
    ],
  };
}

/** Opens the `DB` binding of `target`. */
export async function connect(target: Target): Promise<Connection> {
  const config = unstable_readConfig({ config: target.config, env: target.env });
  if (!target.remote) {
    const proxy = await getPlatformProxy<{ DB?: D1Database }>({
      configPath: target.config,
      environment: target.env,
      persist: { path: localPersistPath(target, config.userConfigPath) },
      // Local means local: a binding marked `remote` in the configuration is not followed.
      remoteBindings: false,
    });
    if (!proxy.env.DB) {
      await proxy.dispose();
      throw new CliError("the wrangler configuration has no D1 binding named DB");
    }
    return { d1: proxy.env.DB, close: proxy.dispose };
  }
  // The proxy reads a configuration file, so the remote-only configuration is written to a private one.
  const directory = mkdtempSync(join(tmpdir(), "manage-remote-"));
  const configPath = join(directory, "wrangler.json");
  writeFileSync(configPath, JSON.stringify(remoteOnlyConfig(config)), { mode: 0o600 });
  try {
    const proxy = await getPlatformProxy<{ DB: D1Database }>({ configPath, persist: false, remoteBindings: true });
    return {
      d1: proxy.env.DB,
      close: async () => {
        await proxy.dispose();
        rmSync(directory, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
}
