/** Types of scripts/build-account.js (plain Node ESM, so wrangler's `[build]` runs it without tsx). */
export declare const ACCOUNT_SCRIPT_MODULE: string;
/** Bundles the account page's script into dist/account-script.js; resolves to the script's text. */
export declare function buildAccountScript(): Promise<string>;
