/**
 * Before the CLI touches a database: the local D1 gets the pending migrations (`wrangler d1 migrations apply
 * DB --local`, the same step and flags as `npm start`), so a fresh `--persist-to` state works at once. The
 * deployed database is never migrated behind the operator's back; a missing table there is explained instead.
 */
import { spawnSync } from "node:child_process";
import { CliError, type Target } from "./d1";

/** Applies pending migrations to the local database of `target`; does nothing for `--remote`. */
export function migrateLocal(target: Target): void {
  if (target.remote) return;
  const args = ["d1", "migrations", "apply", "DB", "--local"];
  if (target.persistTo) args.push("--persist-to", target.persistTo);
  if (target.config) args.push("--config", target.config);
  if (target.env) args.push("--env", target.env);
  const result = spawnSync("wrangler", args, {
    encoding: "utf8",
    // No terminal on stdin: wrangler applies without asking for confirmation.
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  if (result.status !== 0) {
    const detail = `${result.stdout}\n${result.stderr}`.trim().split("\n").slice(-5).join("\n");
    throw new CliError(`applying the D1 migrations to the local database failed:\n${detail}`);
  }
  if (!result.stdout.includes("No migrations to apply")) {
    console.error("Applied the pending D1 migrations to the local database.");
  }
}

/** The operator's message for `message`, with the fix added when the deployed database lacks its tables. */
export function explainMissingTables(message: string, target: Target): string {
  if (!target.remote || !/no such table/i.test(message)) return message;
  return `${message}\nThe deployed database has not been migrated: run \`npx wrangler d1 migrations apply DB --remote\` first.`;
}
