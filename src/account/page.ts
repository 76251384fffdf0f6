/**
 * The account page: one static HTML document (inline style, and its script loaded from /account/app.js,
 * see ./script), and the headers it is served with: a Content-Security-Policy that allows exactly that
 * style by its SHA-256 and exactly that script by its URL, nothing else. A path-qualified source rather than
 * 'self': in gateway mode the rest of this origin is the proxied application, whose files must not count
 * as the account page's scripts. An injected script or style, a foreign form target or framing by another
 * site are all refused by the browser.
 */
import { createHash } from "node:crypto";
import { PAGE_BODY } from "./markup";
import { SOCIAL_SIGN_IN_MARKER, socialSignInLinks } from "./social-markup";
import { PAGE_STYLE } from "./style";

/** Where the page's script is served (src/routes/account.ts). */
const ACCOUNT_SCRIPT_PATH = "/account/app.js";

/** A CSP source expression allowing the inline element whose exact text is `source`. */
function cspHashSource(source: string): string {
  return `'sha256-${createHash("sha256").update(source, "utf8").digest("base64")}'`;
}

/** The page with a "Continue with …" link for each of `providers` (configured names); built once per list. */
export function accountPageHtml(providers: readonly string[]): string {
  const key = providers.join(",");
  let html = pages.get(key);
  if (html === undefined) {
    html = ACCOUNT_PAGE_HTML.replace(SOCIAL_SIGN_IN_MARKER, socialSignInLinks(providers));
    pages.set(key, html);
  }
  return html;
}

const pages = new Map<string, string>();

export const ACCOUNT_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>Account · Edge Token Auth</title>
<link rel="icon" href="/account/favicon.svg" type="image/svg+xml">
<style>${PAGE_STYLE}</style>
</head>
<body>
${PAGE_BODY}
<script src="${ACCOUNT_SCRIPT_PATH}"></script>
</body>
</html>
`;

const STYLE_SOURCE = cspHashSource(PAGE_STYLE);

/** The page's policy when served from `origin` (`https://auth.example.com`). */
function accountPageCsp(origin: string): string {
  return [
    "default-src 'none'",
    `script-src ${origin}${ACCOUNT_SCRIPT_PATH}`,
    `style-src ${STYLE_SOURCE}`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join("; ");
}

/** Headers of every answer carrying the page, served from `origin`. */
export function accountPageHeaders(origin: string): Record<string, string> {
  return {
    "Content-Type": "text/html; charset=utf-8",
    // The page is the same for everyone, but it is where people sign in: never serve it from a cache.
    "Cache-Control": "no-store",
    "Content-Security-Policy": accountPageCsp(origin),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
  };
}
