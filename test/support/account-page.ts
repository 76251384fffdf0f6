/**
 * For the browser tests of the account page: `npm start` with a mail webhook that keeps every message,
 * headless Chromium, devices (browser contexts, each its own cookie jar) whose script errors and console
 * errors (CSP violations among them) are collected, and the steps every test takes: wait for a view or a
 * status, sign in, take a screenshot (into a temporary directory, or SCREENSHOT_DIR, e.g. docs/).
 */
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import { expect } from "vitest";
import { startMailReceiver } from "../../scripts/mail-receiver.js";
import { launchChromium } from "./chromium";
import { type DevServer, startDevServer } from "./dev-server";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const SCREENSHOTS = process.env.SCREENSHOT_DIR
  ? join(ROOT, process.env.SCREENSHOT_DIR)
  : mkdtempSync(join(tmpdir(), "screenshots-"));
export const DESKTOP = { width: 1280, height: 800 };
export const UI_TIMEOUT_MS = 15_000;

export interface Mail {
  to: string;
  kind: string;
  data: { url: string };
}

export interface Device {
  context: BrowserContext;
  page: Page;
}

export interface AccountPageHarness {
  /** `http://localhost:<port>`: Chromium keeps the Secure auth cookie there, and WebAuthn runs (a secure context). */
  base: string;
  browser: Browser;
  /** Every message the service has mailed so far. */
  mails: Mail[];
  /** Uncaught exceptions and console errors of every page opened through `device()`. */
  pageProblems: string[];
  device(options?: BrowserContextOptions): Promise<Device>;
  /** The link of the newest `kind` message to `to` (after the first `after` messages), waiting for it. */
  mailedLink(kind: string, to: string, after?: number): Promise<string>;
  stop(): Promise<void>;
}

/** Starts the mail webhook, `npm start` with `vars` (and MAIL_WEBHOOK_URL) and Chromium. */
export async function startAccountPage(vars: Record<string, string> = {}): Promise<AccountPageHarness> {
  const mails: Mail[] = [];
  const pageProblems: string[] = [];
  const mailReceiver = await startMailReceiver({ onMail: (mail) => mails.push(mail as unknown as Mail) });
  let server: DevServer | undefined;
  let browser: Browser | undefined;
  const stop = async () => {
    await browser?.close();
    server?.stop();
    await mailReceiver.close();
  };
  try {
    server = await startDevServer({ MAIL_WEBHOOK_URL: mailReceiver.url, ...vars });
    browser = await launchChromium();
  } catch (error) {
    await stop();
    throw error;
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  const launched = browser;

  async function device(options: BrowserContextOptions = {}): Promise<Device> {
    const context = await launched.newContext({ viewport: DESKTOP, ...options });
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    const page = await context.newPage();
    page.on("pageerror", (error) => pageProblems.push(`pageerror: ${error.message}`));
    page.on("console", (message) => {
      // Chromium logs every 4xx answer to fetch(); those are expected here.
      if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
        pageProblems.push(`console: ${message.text()}`);
      }
    });
    return { context, page };
  }

  async function mailedLink(kind: string, to: string, after = 0): Promise<string> {
    const mail = await mailReceiver.waitForMail(kind, to, { after, timeoutMs: UI_TIMEOUT_MS });
    return mail.data.url as string;
  }

  return { base: `http://localhost:${server.port}`, browser: launched, mails, pageProblems, device, mailedLink, stop };
}

export async function view(page: Page, heading: string): Promise<void> {
  await page.getByRole("heading", { level: 1, name: heading, exact: true }).waitFor({ state: "visible" });
}

export async function status(page: Page, text: string): Promise<void> {
  await page.locator("#status", { hasText: text }).waitFor({ state: "visible" });
}

export async function signIn(page: Page, login: string, password: string): Promise<void> {
  const form = page.locator("#form-signin");
  await form.getByLabel("Username or e-mail").fill(login);
  await form.getByLabel("Password", { exact: true }).fill(password);
  await form.getByLabel("Password", { exact: true }).press("Enter");
}

export async function screenshot(page: Page, name: string, fullPage = false): Promise<void> {
  // Stable pixels: no blinking caret, no focus ring left from the last click.
  await page.evaluate("document.activeElement && document.activeElement.blur()");
  await page.screenshot({ path: join(SCREENSHOTS, name), caret: "hide", animations: "disabled", fullPage });
}

/**
 * Waits until `check` holds. Polled through locators: Playwright's waitForFunction evaluates a string in the
 * page, which the page's Content-Security-Policy rightly refuses.
 */
export async function until(check: () => Promise<boolean>): Promise<void> {
  await expect.poll(check, { timeout: UI_TIMEOUT_MS, interval: 100 }).toBe(true);
}
