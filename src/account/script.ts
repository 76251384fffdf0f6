/**
 * The account page's script: src/account/browser/ (TypeScript, type-checked with the DOM library and linted
 * like the rest), bundled by scripts/build-account.js into dist/account-script.js before every `wrangler dev`,
 * `wrangler deploy` and test run, and served at /account/app.js.
 */
import ACCOUNT_SCRIPT from "../../dist/account-script.js";

export { ACCOUNT_SCRIPT };
