/**
 * `/openapi.json` (the OpenAPI 3.1 document) and `/docs` (Swagger UI over it), the viewer's script and styles
 * served from the Worker itself (src/docs/), so the documentation works offline and under a strict CSP.
 */
import { Hono } from "hono";
import type { AppEnv } from "../context";
import { DOCS_PAGE_HEADERS, DOCS_PAGE_HTML, docsAssetHeaders } from "../docs/page";
import { START_SCRIPT } from "../docs/start";
import { SWAGGER_UI_SCRIPT, SWAGGER_UI_STYLE, SWAGGER_UI_VERSION } from "../docs/swagger-ui";
import { openApiDocument } from "../openapi/document";

export const docsRoutes = new Hono<AppEnv>();

docsRoutes.get("/openapi.json", (c) => c.json(openApiDocument(), 200, { "Cache-Control": "public, max-age=300" }));
docsRoutes.get("/docs", (c) => c.body(DOCS_PAGE_HTML, 200, DOCS_PAGE_HEADERS));

const ASSETS = new Map<string, { body: string; headers: Record<string, string> }>([
  ["swagger-ui-bundle.js", { body: SWAGGER_UI_SCRIPT, headers: docsAssetHeaders("text/javascript") }],
  ["swagger-ui.css", { body: SWAGGER_UI_STYLE, headers: docsAssetHeaders("text/css") }],
  ["init.js", { body: START_SCRIPT, headers: docsAssetHeaders("text/javascript") }],
]);

// Only the version served: an older page's files must not be answered with a newer version's.
docsRoutes.get("/docs/swagger-ui/:version/:file", (c) => {
  const asset = c.req.param("version") === SWAGGER_UI_VERSION ? ASSETS.get(c.req.param("file")) : undefined;
  return asset ? c.body(asset.body, 200, asset.headers) : c.notFound();
});
