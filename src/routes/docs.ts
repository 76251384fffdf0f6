/** `/openapi.json` (the OpenAPI 3.1 document) and `/docs` (Swagger UI over it, Hono's own middleware). */
import { swaggerUI } from "@hono/swagger-ui";
import { Hono } from "hono";
import type { AppEnv } from "../context";
import { openApiDocument } from "../openapi/document";

export const docsRoutes = new Hono<AppEnv>();

docsRoutes.get("/openapi.json", (c) => c.json(openApiDocument(), 200, { "Cache-Control": "public, max-age=300" }));
// Swagger UI's script and styles come from jsDelivr, as @hono/swagger-ui serves them.
docsRoutes.get("/docs", swaggerUI({ url: "/openapi.json", title: "edge-token-auth API" }));
