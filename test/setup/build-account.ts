/**
 * Bundles the account page's script (scripts/build-account.js) before the Workers tests load the app, as
 * wrangler's `[build]` does before `wrangler dev` and `wrangler deploy`: a clean clone's `npm test` needs it.
 */
import { buildAccountScript } from "../../scripts/build-account.js";

export default async function setup(): Promise<void> {
  await buildAccountScript();
}
