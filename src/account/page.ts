/**
 * The account page as one self-contained HTML document (inline style and script, no external resource),
 * and the headers it is served with: a Content-Security-Policy that allows exactly that style and that
 * script by their SHA-256 (computed once, when the module loads) and nothing else, so an injected script
 * or style, a foreign form target or framing by another site are all refused by the browser.
 */
import { createHash } from "node:crypto";
import { PAGE_BODY } from "./markup";
import { PAGE_SCRIPT } from "./script";
import { PAGE_STYLE } from "./style";

/** A CSP source expression allowing the inline element whose exact text is `source`. */
export function cspHashSource(source: string): string {
  return `'sha256-${createHash("sha256").update(source, "utf8").digest("base64")}'`;
}

export const ACCOUNT_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>Account · Edge Token Auth</title>
<link rel="icon" href="data:,">
<style>${PAGE_STYLE}</style>
</head>
<body>
${PAGE_BODY}
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;

export const ACCOUNT_PAGE_CSP = [
  "default-src 'none'",
  `script-src ${cspHashSource(PAGE_SCRIPT)}`,
  `style-src ${cspHashSource(PAGE_STYLE)}`,
  "connect-src 'self'",
  "img-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

/** Headers of every answer carrying the page. */
export const ACCOUNT_PAGE_HEADERS: Readonly<Record<string, string>> = {
  "Content-Type": "text/html; charset=utf-8",
  // The page is the same for everyone, but it is where people sign in: never serve it from a cache.
  "Cache-Control": "no-store",
  "Content-Security-Policy": ACCOUNT_PAGE_CSP,
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "same-origin",
  "X-Frame-Options": "DENY",
  "Cross-Origin-Opener-Policy": "same-origin",
};
