/**
 * For the operator CLI's tests (Node side): throw-away local D1 states, the CLI run as an operator runs it,
 * and the state's database opened the way the CLI itself opens it (wrangler's platform proxy), so no test
 * depends on where Miniflare keeps its files.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Connection, connect } from "../../scripts/manage/d1";

export type Row = Record<string, unknown>;

const WRANGLER_ENV = { ...process.env, WRANGLER_SEND_METRICS: "false" };
const states: string[] = [];

/** A new, empty `--persist-to` directory, removed by `removeStates`. */
export function emptyState(prefix = "manage-test-"): string {
  const state = mkdtempSync(join(tmpdir(), prefix));
  states.push(state);
  return state;
}

/** A new local state with every migration applied (`wrangler d1 migrations apply DB --local`). */
export function migratedState(prefix?: string): string {
  const state = emptyState(prefix);
  const migrated = spawnSync("wrangler", ["d1", "migrations", "apply", "DB", "--local", "--persist-to", state], {
    stdio: ["ignore", "pipe", "pipe"],
    env: WRANGLER_ENV,
  });
  if (migrated.status !== 0) throw new Error(`migrations failed: ${migrated.stderr}`);
  return state;
}

/** Removes every state made by this module (call it in `afterAll`). */
export function removeStates(): void {
  for (const state of states.splice(0)) rmSync(state, { recursive: true, force: true });
}

export interface ManageOptions {
  stdin?: string;
  /** Through `npm run manage` instead of `tsx scripts/manage.ts` (the same program). */
  viaNpm?: boolean;
  /** Extra environment variables for the CLI. */
  env?: Record<string, string>;
}

/**
 * Runs the CLI on the local D1 in `state`; its exit status and everything it printed. Asynchronous, so the
 * test's own proxy connection (openLocalD1) keeps being serviced while the CLI runs.
 */
export function manage(
  state: string,
  args: string[],
  options: ManageOptions = {},
): Promise<{ status: number; output: string }> {
  const command = options.viaNpm ? ["npm", "run", "-s", "manage", "--"] : ["tsx", "scripts/manage.ts"];
  const child = spawn(command[0] as string, [...command.slice(1), ...args, "--persist-to", state], {
    env: { ...WRANGLER_ENV, ...options.env },
  });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  child.stdin.end(options.stdin ?? "");
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (status) => resolve({ status: status ?? 1, output }));
  });
}

/** The local D1 of `state`, for a test to seed and read (open it once per file; `close` it in `afterAll`). */
export interface LocalD1 {
  /** Runs one statement with bound `params`; its rows (none for a write). */
  sql(query: string, ...params: unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

export async function openLocalD1(state: string): Promise<LocalD1> {
  const connection: Connection = await connect({ remote: false, persistTo: state });
  return {
    sql: async (query, ...params) =>
      (
        await connection.d1
          .prepare(query)
          .bind(...params)
          .all<Row>()
      ).results,
    close: connection.close,
  };
}
