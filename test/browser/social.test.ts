/**
 * "Continue with …" end to end in Chromium: the account page served by `npm start`, the real OpenID Connect
 * provider of the tests (test/support/oidc-provider.ts) with its login form, back to the account page signed in,
 * the linked identity listed, and the refusal to unlink the only way in.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../support/chromium";
import { type DevServer, freePort, startDevServer } from "../support/dev-server";
import { startTestProvider, TEST_CLIENT, type TestProvider } from "../support/oidc-provider";
import { totpAt, totpStep } from "../support/totp-node";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const DOCS = process.env.SCREENSHOT_DIR
  ? join(ROOT, process.env.SCREENSHOT_DIR)
  : mkdtempSync(join(tmpdir(), "screenshots-"));
const UI_TIMEOUT_MS = 15_000;

let server: DevServer;
let provider: TestProvider;
let browser: Browser;
let base: string;
const pageProblems: string[] = [];

beforeAll(async () => {
  // The provider's port first: the service is configured with its issuer, the provider with the service's
  // callback, and neither reads the other before the first sign-in.
  const providerPort = await freePort();
  const issuer = `http://127.0.0.1:${providerPort}`;
  server = await startDevServer({
    SOCIAL_PROVIDERS: JSON.stringify({ local: { issuer, client_id: TEST_CLIENT.id } }),
    SOCIAL_LOCAL_SECRET: TEST_CLIENT.secret,
  });
  base = `http://localhost:${server.port}`;
  provider = await startTestProvider({
    port: providerPort,
    redirectUris: [`${base}/auth/social/local/callback/`],
  });
  browser = await launchChromium();
}, 150_000);

afterAll(async () => {
  await browser?.close();
  server?.stop();
  await provider?.close();
});

async function screenshot(page: Page, name: string, fullPage = false): Promise<void> {
  await page.evaluate("document.activeElement && document.activeElement.blur()");
  await page.screenshot({ path: join(DOCS, name), caret: "hide", animations: "disabled", fullPage });
}

describe("sign-in with another provider in Chromium", () => {
  it("continues with the provider, comes back signed in, lists the identity and keeps the only way in", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    const page = await context.newPage();
    page.on("pageerror", (error) => pageProblems.push(`pageerror: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
        pageProblems.push(`console: ${message.text()}`);
      }
    });

    await page.goto(`${base}/account`);
    await page.getByRole("heading", { level: 1, name: "Sign in", exact: true }).waitFor();
    await screenshot(page, "account-social-sign-in.png");
    await page.getByRole("link", { name: "Continue with Local" }).click();

    // The provider's own login page.
    await page.getByRole("heading", { name: "Test OpenID provider" }).waitFor();
    await page.getByLabel("E-mail").fill("grace@example.com");
    await page.getByRole("button", { name: "Sign in" }).click();

    // Back on the account page, signed in through the callback's cookie.
    await page.waitForURL(`${base}/account`);
    await page.getByRole("heading", { level: 1, name: "Your account" }).waitFor();
    await expect.poll(() => page.locator("#account-username").textContent(), { timeout: UI_TIMEOUT_MS }).toBe("grace");
    expect(await page.locator("#profile-email").textContent()).toBe("grace@example.com");
    const identity = page.locator("#social-accounts .device");
    await expect.poll(() => identity.count(), { timeout: UI_TIMEOUT_MS }).toBe(1);
    expect(await identity.locator(".device-name").textContent()).toBe("Local");
    await screenshot(page, "account-social-linked.png", true);

    // The only way into this account (no password): the service refuses, the page says why.
    await identity.getByRole("button", { name: "Unlink Local" }).click();
    await page.locator("#status", { hasText: "Your account has no password set up." }).waitFor();
    expect(await identity.count()).toBe(1);

    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Sign in", exact: true }).waitFor();

    // Another device (its own cookie jars, here and at the provider): the same identity, the same account.
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
    phone.setDefaultTimeout(UI_TIMEOUT_MS);
    const second = await phone.newPage();
    await second.goto(`${base}/account`);
    await second.getByRole("link", { name: "Continue with Local" }).click();
    await second.getByLabel("E-mail").fill("grace@example.com");
    await second.getByRole("button", { name: "Sign in" }).click();
    await second.getByRole("heading", { level: 1, name: "Your account" }).waitFor();
    await expect
      .poll(() => second.locator("#account-username").textContent(), { timeout: UI_TIMEOUT_MS })
      .toBe("grace");

    expect(pageProblems).toEqual([]);
    await phone.close();
    await context.close();
  });

  it("asks an account with a second factor for it on the account page, after the provider", async () => {
    const first = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    first.setDefaultTimeout(UI_TIMEOUT_MS);
    const page = await first.newPage();
    page.on("pageerror", (error) => pageProblems.push(`pageerror: ${error.message}`));
    const continueWithLocal = async (target: Page) => {
      await target.goto(`${base}/account`);
      await target.getByRole("link", { name: "Continue with Local" }).click();
      await target.getByLabel("E-mail").fill("hedy@example.com");
      await target.getByRole("button", { name: "Sign in" }).click();
    };
    await continueWithLocal(page);
    await page.getByRole("heading", { level: 1, name: "Your account" }).waitFor();

    // The account turns TOTP on through the API, as an app would, with the key this browser holds.
    const key = (await first.cookies()).find((cookie) => cookie.name === "auth_token")?.value ?? "";
    const headers = { authorization: `Token ${key}`, "content-type": "application/json" };
    const started = (await (await fetch(`${base}/auth/mfa/totp/`, { method: "POST", headers })).json()) as {
      secret: string;
    };
    const step = totpStep();
    const confirm = JSON.stringify({ code: totpAt(started.secret, step) });
    expect((await fetch(`${base}/auth/mfa/totp/confirm/`, { method: "POST", headers, body: confirm })).status).toBe(
      200,
    );
    await first.close();

    const other = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    other.setDefaultTimeout(UI_TIMEOUT_MS);
    const second = await other.newPage();
    second.on("pageerror", (error) => pageProblems.push(`pageerror: ${error.message}`));
    await continueWithLocal(second);
    await second.getByRole("heading", { level: 1, name: "Verify it is you" }).waitFor();
    // The ticket came in the fragment, which the page removes from the address at once.
    expect(new URL(second.url()).hash).toBe("");
    expect((await other.cookies()).some((cookie) => cookie.name === "auth_token")).toBe(false);
    const form = second.locator("#form-second-step");
    await form.getByLabel("Code").fill(totpAt(started.secret, step + 1));
    await form.getByLabel("Code").press("Enter");
    await second.getByRole("heading", { level: 1, name: "Your account" }).waitFor();
    await expect.poll(() => second.locator("#account-username").textContent(), { timeout: UI_TIMEOUT_MS }).toBe("hedy");
    expect(pageProblems).toEqual([]);
    await other.close();
  });
});
