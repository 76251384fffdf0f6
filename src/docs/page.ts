/**
 * The /docs page: Swagger UI over /openapi.json, every file it loads served by the Worker under a versioned
 * path, and a Content-Security-Policy that allows exactly that: scripts and styles from this origin only,
 * nothing inline, calls ("Try it out") to this origin only, no framing.
 */
import { SWAGGER_UI_VERSION } from "./swagger-ui";

/** Where the viewer's files are served; the version in the path lets them be cached for good. */
const DOCS_ASSETS_PATH = `/docs/swagger-ui/${SWAGGER_UI_VERSION}`;

export const DOCS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>edge-token-auth API · Swagger UI ${SWAGGER_UI_VERSION}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${DOCS_ASSETS_PATH}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${DOCS_ASSETS_PATH}/swagger-ui-bundle.js"></script>
<script src="${DOCS_ASSETS_PATH}/init.js"></script>
</body>
</html>
`;

const DOCS_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  // Swagger UI's stylesheet draws its icons as data: SVGs.
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

/** Headers shared by the page and its files. */
const COMMON_HEADERS = {
  "X-Content-Type-Options": "nosniff",
  "X-Docs-Viewer": `swagger-ui-dist ${SWAGGER_UI_VERSION}`,
};

export const DOCS_PAGE_HEADERS: Readonly<Record<string, string>> = {
  ...COMMON_HEADERS,
  "Content-Type": "text/html; charset=utf-8",
  // The same short lifetime as /openapi.json, which the page shows.
  "Cache-Control": "public, max-age=300",
  "Content-Security-Policy": DOCS_PAGE_CSP,
  "Referrer-Policy": "same-origin",
  "X-Frame-Options": "DENY",
  "Cross-Origin-Opener-Policy": "same-origin",
};

/** Headers of one of the viewer's files (`text/javascript` or `text/css`). */
export function docsAssetHeaders(contentType: string): Record<string, string> {
  return {
    ...COMMON_HEADERS,
    "Content-Type": `${contentType}; charset=utf-8`,
    // A new version is a new path: the files under one path never change.
    "Cache-Control": "public, max-age=31536000, immutable",
  };
}
