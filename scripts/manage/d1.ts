/**
 * The operator CLI's only way to the database: `wrangler d1 execute` on the local D1 (default) or the
 * deployed one (`--remote`). SQL goes through a private temporary file, never the command line, so no
 * password hash shows up in the process list; values are embedded as escaped SQL literals (`literal`).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Target {
  remote: boolean;
  /** `--persist-to` for the local database (as given to `npm start`). */
  persistTo?: string;
  /** `--config` / `--env` of wrangler. */
  config?: string;
  env?: string;
}

export type Row = Record<string, unknown>;

export class CliError extends Error {}

/** Runs `statements` in one `wrangler d1 execute` call; returns each statement's rows. */
export function execute(target: Target, statements: string[]): Row[][] {
  const directory = mkdtempSync(join(tmpdir(), "manage-"));
  const file = join(directory, "statements.sql");
  try {
    writeFileSync(file, `${statements.join(";\n")};\n`, { mode: 0o600 });
    const args = ["d1", "execute", "DB", target.remote ? "--remote" : "--local", "--json", "--file", file];
    if (target.persistTo && !target.remote) args.push("--persist-to", target.persistTo);
    if (target.config) args.push("--config", target.config);
    if (target.env) args.push("--env", target.env);
    const result = spawnSync("wrangler", args, {
      encoding: "utf8",
      // No terminal on stdin: wrangler runs without asking for confirmation.
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    });
    if (result.status !== 0) {
      const detail = extractError(result.stdout) ?? result.stderr.trim().split("\n").slice(-3).join("\n");
      throw new CliError(`wrangler d1 execute failed: ${detail}`);
    }
    const parsed = JSON.parse(result.stdout) as { results: Row[] }[];
    return parsed.map((entry) => entry.results ?? []);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

function extractError(stdout: string): string | undefined {
  try {
    const parsed = JSON.parse(stdout) as { error?: { text?: string } };
    return parsed.error?.text;
  } catch {
    return undefined;
  }
}
