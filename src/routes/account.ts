/**
 * The account page (`/account`, `/account/reset-password`, `/account/verify-email`): one static HTML
 * document that routes on its own address, so the links put in reset and verification mail open it too;
 * its script, `/account/app.js`, and its icon, `/account/favicon.svg`.
 */
import { Hono } from "hono";
import { FAVICON_HEADERS, FAVICON_SVG } from "../account/favicon";
import { accountPageHeaders, accountPageHtml } from "../account/page";
import { ACCOUNT_SCRIPT } from "../account/script";
import type { AppEnv } from "../context";

export const accountRoutes = new Hono<AppEnv>();

for (const path of ["/", "/reset-password", "/verify-email"]) {
  accountRoutes.get(path, (c) => {
    const html = accountPageHtml([...c.get("config").social.providers.keys()]);
    return c.body(html, 200, accountPageHeaders(new URL(c.req.url).origin));
  });
}

accountRoutes.get("/app.js", (c) =>
  c.body(ACCOUNT_SCRIPT, 200, {
    "Content-Type": "text/javascript; charset=utf-8",
    // Revalidated on every load: a deploy's new page never runs with a cached old script.
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
  }),
);

accountRoutes.get("/favicon.svg", (c) => c.body(FAVICON_SVG, 200, FAVICON_HEADERS));
