/**
 * Second factors and passkeys on the account page, in real Chromium against `npm start`: passkeys through
 * the DevTools protocol's virtual authenticator (a platform authenticator with user verification, attached
 * to one page), TOTP codes computed here from the key the page shows (RFC 6238), recovery codes read from
 * the page and from the downloaded file.
 */
import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AccountPageHarness,
  DESKTOP,
  type Device,
  screenshot,
  signIn,
  startAccountPage,
  status,
  until,
  view,
} from "../support/account-page";
import { totpAt, totpStep } from "../support/totp-node";

const USERNAME = "grace";
const EMAIL = "grace@example.com";
const PASSWORD = "compiler nanosecond cobol";

let harness: AccountPageHarness;

beforeAll(async () => {
  harness = await startAccountPage();
}, 150_000);

afterAll(async () => {
  await harness?.stop();
});

/** A device with a passkey-capable authenticator built in (Touch ID, Windows Hello), always verifying the user. */
async function deviceWithAuthenticator(): Promise<Device & { credentials: () => Promise<number> }> {
  const device = await harness.device();
  const cdp = await device.context.newCDPSession(device.page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  const credentials = async () => (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials.length;
  return { ...device, credentials };
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole("banner").getByRole("button", { name: "Sign out" }).click();
  await view(page, "Sign in");
}

/** The passkeys listed, once the list has settled with `count` of them. */
async function passkeyNames(page: Page, count: number): Promise<string[]> {
  await until(
    async () =>
      (await page.locator("#passkeys .passkey").count()) === count &&
      (await page.locator("#passkeys[aria-busy]").count()) === 0,
  );
  return page.locator("#passkeys .passkey-name").allTextContents();
}

describe("second factors and passkeys on the account page", () => {
  let laptop: Awaited<ReturnType<typeof deviceWithAuthenticator>>;
  /** The last TOTP step spent: the service takes each step once, and only later ones after it. */
  let lastStep = 0;
  let secret = "";
  let recoveryCodes: string[] = [];

  /** A code the service will take now: the current step, or the next one if the current is spent. */
  function nextCode(): string {
    const step = Math.max(totpStep(), lastStep + 1);
    lastStep = step;
    return totpAt(secret, step);
  }

  it("adds a passkey with the browser's authenticator and renames it", async () => {
    laptop = await deviceWithAuthenticator();
    const { page } = laptop;
    await page.goto(`${harness.base}/account`);
    await view(page, "Sign in");
    await page.getByRole("button", { name: "Create an account" }).click();
    const signUp = page.locator("#form-signup");
    await signUp.getByLabel("Username").fill(USERNAME);
    await signUp.getByLabel("E-mail").fill(EMAIL);
    await signUp.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await signUp.getByLabel("Confirm password").fill(PASSWORD);
    await signUp.getByLabel("Confirm password").press("Enter");
    await view(page, "Your account");
    await page.locator("#passkeys", { hasText: "No passkeys yet." }).waitFor();
    expect(await page.locator("#mfa-summary").textContent()).toBe("Off: your password alone signs you in.");

    const add = page.locator("#form-passkey-add");
    await add.getByLabel("Name of the new passkey").fill("Laptop");
    await add.getByRole("button", { name: "Add a passkey" }).click();
    await add.locator(".form-message", { hasText: "Passkey \u201cLaptop\u201d added." }).waitFor();
    expect(await passkeyNames(page, 1)).toEqual(["Laptop"]);
    expect(await laptop.credentials()).toBe(1);
    expect(await page.locator("#passkeys").textContent()).toContain("never used");
    expect(await page.locator("#mfa-summary").textContent()).toMatch(/you confirm with a passkey/);

    await page.getByRole("button", { name: "Rename Laptop" }).click();
    await page.getByLabel("New name for Laptop").fill("  ");
    await page.getByLabel("New name for Laptop").press("Enter");
    await status(page, "This field may not be blank.");
    await page.getByLabel("New name for Laptop").fill("Work laptop");
    await page.getByLabel("New name for Laptop").press("Enter");
    await status(page, "The passkey is now called \u201cWork laptop\u201d.");
    expect(await passkeyNames(page, 1)).toEqual(["Work laptop"]);

    // On a 375 px wide phone the buttons go under the name, not into the icon's narrow column.
    await page.setViewportSize({ width: 375, height: 812 });
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(375);
    const name = await page.locator("#passkeys .passkey-name").boundingBox();
    const rename = await page.getByRole("button", { name: "Rename Work laptop" }).boundingBox();
    const item = await page.locator("#passkeys .passkey").boundingBox();
    expect(rename && name && rename.x >= name.x && rename.y > name.y).toBe(true);
    expect(rename && item && rename.x + rename.width <= item.x + item.width).toBe(true);
    await page.setViewportSize(DESKTOP);
  });

  it("signs in with the passkey alone (passwordless), and asks for it after a password", async () => {
    const { page } = laptop;
    await signOut(page);
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await view(page, "Your account");
    expect(await page.locator("#account-username").textContent()).toBe(USERNAME);
    await page.locator("#passkeys", { hasText: "last used just now" }).waitFor();

    await signOut(page);
    await signIn(page, USERNAME, PASSWORD);
    await view(page, "Verify it is you");
    // Only a passkey is set up: no code to type.
    expect(await page.locator("#form-second-step").isHidden()).toBe(true);
    await page.getByRole("button", { name: "Use a passkey" }).click();
    await view(page, "Your account");
  });

  it("sets up an authenticator app from its QR code or key, then shows the recovery codes once, downloadable", async () => {
    const { page } = laptop;
    await page.getByRole("button", { name: "Set up an authenticator app" }).click();
    await page
      .locator("#totp-secret")
      .filter({ hasText: /^[A-Z2-7]{16,}$/ })
      .waitFor();
    secret = (await page.locator("#totp-secret").textContent()) ?? "";
    // Drawn in the page: an inline SVG of dark modules, no image fetched from anywhere.
    expect(await page.locator("#totp-qr svg path").getAttribute("d")).toMatch(/^M\d+ \d+h1v1h-1z/);
    await screenshot(page, "account-totp-setup.png", true);

    const confirm = page.locator("#form-totp-confirm");
    await confirm.getByLabel("Code from the app").fill(totpAt(secret, totpStep() + 5));
    await confirm.getByRole("button", { name: "Turn on" }).click();
    await page.locator("#totp-code-error", { hasText: "Invalid code." }).waitFor();

    await confirm.getByLabel("Code from the app").fill(nextCode());
    await confirm.getByRole("button", { name: "Turn on" }).click();
    await status(page, "Two-step verification is on.");
    await until(async () => (await page.locator("#recovery-codes li").count()) === 10);
    recoveryCodes = await page.locator("#recovery-codes li").allTextContents();
    expect(new Set(recoveryCodes).size).toBe(10);
    expect(await page.locator("#totp-secret").textContent()).toBe("");
    await page.locator("#mfa-summary", { hasText: "On: after your password" }).waitFor();
    expect(await page.locator("#recovery-left").textContent()).toMatch(/^10 recovery codes left\./);
    await screenshot(page, "account-recovery-codes.png", true);

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("recovery-codes-localhost.txt");
    const text = await readFile(await download.path(), "utf8");
    for (const code of recoveryCodes) expect(text).toContain(code);

    await page.getByRole("button", { name: "I have saved them" }).click();
    expect(await page.locator("#recovery-codes li").count()).toBe(0);
    expect(await page.locator("#recovery-codes-box").isHidden()).toBe(true);
  });

  it("asks for a code after the password: a TOTP code, or a recovery code (once)", async () => {
    const { page } = laptop;
    await signOut(page);
    await signIn(page, USERNAME, PASSWORD);
    await view(page, "Verify it is you");
    await page.getByRole("button", { name: "Use a passkey" }).waitFor();
    await screenshot(page, "account-second-step.png");
    const step = page.locator("#form-second-step");
    await step.getByLabel("Code").fill("123456");
    await step.getByLabel("Code").press("Enter");
    await page.locator("#second-step-code-error", { hasText: "Invalid code." }).waitFor();
    await step.getByLabel("Code").fill(nextCode());
    await step.getByLabel("Code").press("Enter");
    await view(page, "Your account");

    const recovery = recoveryCodes[0] ?? "";
    await signOut(page);
    await signIn(page, USERNAME, PASSWORD);
    await view(page, "Verify it is you");
    await step.getByLabel("Code").fill(recovery);
    await step.getByLabel("Code").press("Enter");
    await view(page, "Your account");
    await page.locator("#recovery-left", { hasText: "9 recovery codes left." }).waitFor();

    await signOut(page);
    await signIn(page, USERNAME, PASSWORD);
    await view(page, "Verify it is you");
    await step.getByLabel("Code").fill(recovery);
    await step.getByLabel("Code").press("Enter");
    await page.locator("#second-step-code-error", { hasText: "Invalid code." }).waitFor();
    await page.getByRole("button", { name: "Use a passkey" }).click();
    await view(page, "Your account");
  });

  it("sends a second step whose mfa_token is no longer valid back to sign in", async () => {
    const { page } = laptop;
    await signOut(page);
    // The service's own answer to a token it does not know (expired, used, or never issued).
    await page.route("**/auth/login/", async (route) => {
      const response = await route.fetch();
      const body = (await response.json()) as { mfa_token: string };
      await route.fulfill({ response, json: { ...body, mfa_token: "x".repeat(32) } });
    });
    await signIn(page, USERNAME, PASSWORD);
    await view(page, "Verify it is you");
    await page.unroute("**/auth/login/");
    await page.locator("#form-second-step").getByLabel("Code").fill(nextCode());
    await page.locator("#form-second-step").getByLabel("Code").press("Enter");
    await view(page, "Sign in");
    await page.locator("#form-signin .form-message", { hasText: "This sign-in took too long" }).waitFor();
    await signIn(page, USERNAME, PASSWORD);
    await view(page, "Verify it is you");
    await page.getByRole("button", { name: "Use a passkey" }).click();
    await view(page, "Your account");
  });

  it("takes the password for new recovery codes and for turning the app off, then removes the passkey", async () => {
    const { page } = laptop;
    const regenerate = page.locator("#form-recovery-codes");
    await regenerate.getByLabel("Password").fill("not my password");
    await regenerate.getByRole("button", { name: "Create new codes" }).click();
    await page.locator("#recovery-password-error", { hasText: "Incorrect password." }).waitFor();
    await regenerate.getByLabel("Password").fill(PASSWORD);
    await regenerate.getByRole("button", { name: "Create new codes" }).click();
    await status(page, "New recovery codes created");
    await until(async () => (await page.locator("#recovery-codes li").count()) === 10);
    const fresh = await page.locator("#recovery-codes li").allTextContents();
    expect(fresh).not.toContain(recoveryCodes[1]);
    await page.getByRole("button", { name: "I have saved them" }).click();

    const disable = page.locator("#form-totp-disable");
    await disable.getByLabel("Password").fill(PASSWORD);
    await disable.getByRole("button", { name: "Turn off" }).click();
    await status(page, "The authenticator app has been turned off.");
    await page.getByRole("button", { name: "Set up an authenticator app" }).waitFor();

    await page.getByRole("button", { name: "Remove Work laptop" }).click();
    await page.locator(".passkey-edit").getByRole("button", { name: "Remove" }).click();
    await status(page, "\u201cWork laptop\u201d has been removed.");
    await page.locator("#passkeys", { hasText: "No passkeys yet." }).waitFor();
    await page.locator("#mfa-summary", { hasText: "Off: your password alone signs you in." }).waitFor();

    // No second factor left: the password alone signs in again, and the passkey no longer does.
    await signOut(page);
    await signIn(page, USERNAME, PASSWORD);
    await view(page, "Your account");
    await signOut(page);
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await page.locator("#form-signin .form-message", { hasText: "Unable to log in" }).waitFor();
  });

  it("ran without script errors or Content-Security-Policy violations", () => {
    expect(harness.pageProblems).toEqual([]);
  });
});
