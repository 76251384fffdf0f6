/**
 * The API documentation (/docs) in a real browser, served by `npm start` (wrangler dev on a fresh local D1)
 * and driven by headless Chromium with the network cut off: every request that does not go to the service is
 * aborted and counted, so the page must bring everything it needs from the Worker itself. Swagger UI must list
 * every operation of /openapi.json and "Try it out" must reach the service, all under the page's CSP.
 */
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../support/chromium";
import { type DevServer, startDevServer } from "../support/dev-server";

const UI_TIMEOUT_MS = 20_000;
/** Methods Swagger UI draws an operation block for. */
const METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);

let server: DevServer;
let base: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Requests to anywhere but the service, aborted before they left the browser. */
const foreignRequests: string[] = [];
/** Uncaught exceptions and console errors (CSP violations among them). */
const pageProblems: string[] = [];

beforeAll(async () => {
  server = await startDevServer({});
  base = `http://localhost:${server.port}`;
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(UI_TIMEOUT_MS);
  await context.route("**", async (route) => {
    const url = route.request().url();
    if (url.startsWith(`${base}/`)) return route.continue();
    foreignRequests.push(url);
    return route.abort("blockedbyclient");
  });
  page = await context.newPage();
  // Playwright's init scripts are not subject to the page's CSP; the listener sees every violation report.
  await page.addInitScript(
    'document.addEventListener("securitypolicyviolation", (event) => ' +
      'console.error("CSP violation: " + event.violatedDirective + " blocked " + event.blockedURI));',
  );
  page.on("pageerror", (error) => pageProblems.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    // Chromium logs every 4xx answer to fetch(); the 400 below is expected.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
      pageProblems.push(`console: ${message.text()}`);
    }
  });
}, 150_000);

afterAll(async () => {
  await browser?.close();
  server?.stop();
});

/** Swagger UI's block for one operation, e.g. `operation("post", "/auth/login/")`. */
function operation(method: string, path: string): Locator {
  return page.locator(`.opblock.opblock-${method}`, {
    has: page.locator(`.opblock-summary-path[data-path="${path}"]`),
  });
}

/** Opens an operation, presses "Try it out", optionally replaces the body, executes it: the status shown. */
async function tryItOut(method: string, path: string, body?: unknown): Promise<{ status: string; body: string }> {
  const block = operation(method, path);
  if ((await block.locator(".opblock-body").count()) === 0) await block.locator(".opblock-summary").first().click();
  // Once open, the block offers "Try it out", or "Cancel" when already trying.
  await block.getByRole("button", { name: /^(Try it out|Cancel)$/ }).waitFor({ state: "visible" });
  const tryButton = block.getByRole("button", { name: "Try it out" });
  if (await tryButton.isVisible()) await tryButton.click();
  if (body !== undefined) await block.locator("textarea.body-param__text").fill(JSON.stringify(body));
  // A previous answer stays on screen until the new one arrives: clear it first.
  const clear = block.getByRole("button", { name: "Clear" });
  if (await clear.isVisible()) await clear.click();
  await block.getByRole("button", { name: "Execute" }).click();
  const live = block.locator(".live-responses-table .response");
  await live.locator(".response-col_status").waitFor({ state: "visible" });
  return {
    status: ((await live.locator(".response-col_status").first().textContent()) ?? "").trim(),
    body:
      (await live
        .locator(".response-col_description .microlight, .response-col_description pre")
        .first()
        .textContent()) ?? "",
  };
}

describe("/docs in Chromium, offline", () => {
  it("shows the pinned Swagger UI with every operation of /openapi.json", async () => {
    const response = await page.goto(`${base}/docs`);
    expect(response?.status()).toBe(200);
    const version = response?.headers()["x-docs-viewer"]?.replace("swagger-ui-dist ", "") ?? "";
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(await page.title()).toContain(`Swagger UI ${version}`);

    await operation("post", "/auth/login/").waitFor({ state: "visible" });
    expect(await operation("post", "/auth/login/").locator(".opblock-summary-method").textContent()).toBe("POST");
    await expect.poll(() => page.getByText("/auth/login/", { exact: true }).isVisible()).toBe(true);

    const document = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods)
        .filter((method) => METHODS.has(method))
        .map((method) => [method, path] as const),
    );
    expect(documented.length).toBeGreaterThan(15);
    for (const [method, path] of documented) {
      expect(await operation(method, path).count(), `${method.toUpperCase()} ${path}`).toBe(1);
    }
    expect(await page.locator(".opblock").count()).toBe(documented.length);
  });

  it('"Try it out" calls the service: registration 201, login 200 with a key, a taken username 400', async () => {
    const registered = await tryItOut("post", "/auth/registration/");
    expect(registered.status).toBe("201");
    expect(registered.body).toContain('"key"');

    const login = await tryItOut("post", "/auth/login/");
    expect(login.status).toBe("200");
    expect(login.body).toMatch(/"key":\s*"etk_/);

    const taken = await tryItOut("post", "/auth/registration/");
    expect(taken.status).toBe("400");
    expect(taken.body).toContain("A user with that username already exists.");

    const wrong = await tryItOut("post", "/auth/login/", { username: "ada", password: "not the password" });
    expect(wrong.status).toBe("400");
    expect(wrong.body).toContain("Unable to log in with provided credentials.");
  });

  it("loaded nothing from elsewhere, broke no CSP rule and threw nothing", () => {
    expect(foreignRequests).toEqual([]);
    expect(pageProblems).toEqual([]);
  });
});
