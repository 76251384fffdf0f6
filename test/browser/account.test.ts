/**
 * The account page in a real browser: `npm start` (wrangler dev on a fresh local D1, mail to a local
 * webhook) driven by headless Chromium through playwright-core. Browser contexts (separate cookie jars)
 * are the devices of one user: a laptop, a second computer, a phone. Every run saves screenshots of the
 * page: into a temporary directory, or into docs/ with `npm run screenshots` (SCREENSHOT_DIR=docs).
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AccountPageHarness,
  type Device,
  screenshot,
  signIn,
  startAccountPage,
  status,
  until,
  view,
} from "../support/account-page";

const FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
const SAFARI_IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";

const USERNAME = "ada";
const EMAIL = "ada@example.com";
const PASSWORDS = ["correct horse battery staple", "tr0ubadour & tree house", "lunar orbit coffee pot"] as const;

let harness: AccountPageHarness;
let base: string;
let mails: AccountPageHarness["mails"];
let pageProblems: string[];
const device: AccountPageHarness["device"] = (options) => harness.device(options);
const mailedLink: AccountPageHarness["mailedLink"] = (kind, to, after) => harness.mailedLink(kind, to, after);

beforeAll(async () => {
  harness = await startAccountPage({ EMAIL_VERIFICATION: "optional" });
  ({ base, mails, pageProblems } = harness);
}, 150_000);

afterAll(async () => {
  await harness?.stop();
});

/** The devices listed once there are `count` of them, the current one marked with a star. */
async function deviceNames(page: Page, count: number): Promise<string[]> {
  await until(
    async () =>
      (await page.locator("#devices .device").count()) === count &&
      (await page.locator("#devices[aria-busy]").count()) === 0,
  );
  const names: string[] = [];
  for (const item of await page.locator("#devices .device").all()) {
    const label = (await item.locator(".device-label").textContent()) ?? "";
    names.push((await item.locator(".badge", { hasText: "This device" }).count()) > 0 ? `${label} *` : label);
  }
  return names;
}

/** "What · device" of each "Recent activity" entry, newest first, once there are `count` of them. */
async function activityEntries(page: Page, count: number): Promise<string[]> {
  await until(
    async () =>
      (await page.locator("#activity .activity-item").count()) === count &&
      (await page.locator("#activity[aria-busy]").count()) === 0,
  );
  const entries: string[] = [];
  for (const item of await page.locator("#activity .activity-item").all()) {
    const what = (await item.locator(".activity-what").textContent()) ?? "";
    entries.push(`${what} · ${(await item.locator(".activity-device").textContent()) ?? ""}`);
  }
  return entries;
}

describe("the account page in Chromium", () => {
  let laptop: Device;
  let other: Device;
  let phone: Device;

  it("signs up (showing the API's field errors first), verifies the e-mail from the mailed link", async () => {
    laptop = await device();
    const { page } = laptop;
    await page.goto(`${base}/account`);
    await view(page, "Sign in");
    await screenshot(page, "account-sign-in.png");

    await page.getByRole("button", { name: "Create an account" }).click();
    await view(page, "Create your account");
    const form = page.locator("#form-signup");
    await form.getByLabel("Username").fill(USERNAME);
    await form.getByLabel("E-mail").fill("not-an-address");
    await form.getByLabel("Password", { exact: true }).fill("12345678");
    await form.getByLabel("Confirm password").fill("12345679");
    await form.getByRole("button", { name: "Create account" }).click();
    await page.locator("#signup-email-error", { hasText: "Enter a valid email address." }).waitFor();
    expect(await page.locator("#signup-password1-error").textContent()).toContain("This password is too common.");
    expect(await form.getByLabel("E-mail").getAttribute("aria-invalid")).toBe("true");
    // The service checks the match only once the other fields are valid: the page flags it at once.
    expect(await page.locator("#signup-password2-error").textContent()).toBe("The two password fields didn't match.");
    expect(await form.getByLabel("Confirm password").getAttribute("aria-invalid")).toBe("true");
    await screenshot(page, "account-sign-up-errors.png", true);

    // Alone, the service words the mismatch as a non-field error: it still shows at the confirmation.
    await form.getByLabel("E-mail").fill(EMAIL);
    await form.getByLabel("Password", { exact: true }).fill(PASSWORDS[0]);
    await form.getByLabel("Confirm password").fill(PASSWORDS[1]);
    await form.getByLabel("Confirm password").press("Enter");
    await page.locator("#signup-password2-error", { hasText: "The two password fields didn't match." }).waitFor();
    expect(await form.locator(".form-message").textContent()).toBe("");

    await form.getByLabel("E-mail").fill(EMAIL);
    await form.getByLabel("Password", { exact: true }).fill(PASSWORDS[0]);
    await form.getByLabel("Confirm password").fill(PASSWORDS[0]);
    await form.getByLabel("Confirm password").press("Enter");
    await view(page, "Your account");
    await status(page, `Welcome, ${USERNAME}!`);
    expect(await page.locator("#profile-email").textContent()).toBe(EMAIL);
    expect(await deviceNames(page, 1)).toEqual(["Chrome on Linux *"]);

    // A small icon of its own, served by the Worker and allowed by the page's policy.
    const icon = await page.locator('link[rel="icon"]').getAttribute("href");
    expect(icon).toBe("/account/favicon.svg");
    const iconResponse = await page.request.get(`${base}${icon}`);
    expect(iconResponse.status()).toBe(200);
    expect(iconResponse.headers()["content-type"]).toBe("image/svg+xml");

    // The key lives only in the HttpOnly cookie: the page cannot read it and stores nothing.
    const cookies = await laptop.context.cookies();
    expect(cookies.find((cookie) => cookie.name === "auth_token")).toMatchObject({ httpOnly: true, secure: true });
    expect(await page.evaluate("document.cookie")).toBe("");
    expect(await page.evaluate("localStorage.length + sessionStorage.length")).toBe(0);

    await page.goto(await mailedLink("email_verification", EMAIL));
    await view(page, "E-mail verification");
    await status(page, "Your e-mail address has been verified.");
    expect(new URL(page.url()).search).toBe("");
    await page.getByRole("button", { name: "Continue" }).click();
    await view(page, "Your account");
  });

  it("edits the first and last name (PATCH user/), kept across a reload", async () => {
    const { page } = laptop;
    const form = page.locator("#form-profile");
    await form.getByLabel("First name").fill("Ada");
    await form.getByLabel("Last name").fill("Lovelace");
    await form.getByRole("button", { name: "Save name" }).click();
    await form.locator(".form-message", { hasText: "Your name has been saved." }).waitFor();
    await page.reload();
    await view(page, "Your account");
    expect(await form.getByLabel("First name").inputValue()).toBe("Ada");
    expect(await form.getByLabel("Last name").inputValue()).toBe("Lovelace");
    await form.getByLabel("First name").fill("x".repeat(151));
    await form.getByRole("button", { name: "Save name" }).click();
    await page
      .locator("#profile-first-name-error", { hasText: "Ensure this field has no more than 150 characters." })
      .waitFor();
    await form.getByLabel("First name").fill("Ada");
  });

  it("shows the API's message for a wrong password, then signs a second device in", async () => {
    other = await device({ userAgent: FIREFOX_WINDOWS });
    const { page } = other;
    await page.goto(`${base}/account`);
    await view(page, "Sign in");
    await signIn(page, USERNAME, "not my password");
    await page
      .locator("#form-signin .form-message", { hasText: "Unable to log in with provided credentials." })
      .waitFor();
    await signIn(page, EMAIL, PASSWORDS[0]);
    await view(page, "Your account");
    expect(await deviceNames(page, 2)).toContain("Firefox on Windows *");
  });

  it("lists both devices, signs the other one out, and that device is sent back to sign in", async () => {
    const { page } = laptop;
    await page.reload();
    await view(page, "Your account");
    expect((await deviceNames(page, 2)).sort()).toEqual(["Chrome on Linux *", "Firefox on Windows"]);
    expect(await page.locator("#devices-summary").textContent()).toBe("Signed in on 2 devices.");
    expect(await page.locator("#devices").textContent()).toMatch(/Last active just now/);
    // Recent activity: every sign-in, the failed one too, and the verification, newest first.
    await page.getByRole("heading", { name: "Recent activity" }).waitFor();
    expect(await activityEntries(page, 4)).toEqual([
      "Signed in · Firefox on Windows",
      "Failed sign-in · Firefox on Windows",
      "E-mail address verified · Chrome on Linux",
      "Signed in · Chrome on Linux",
    ]);
    expect(await page.locator("#activity").textContent()).toMatch(/just now/);
    await screenshot(page, "account-devices.png", true);

    await page.getByRole("button", { name: "Sign out Firefox on Windows" }).click();
    await status(page, "Firefox on Windows has been signed out.");
    expect(await deviceNames(page, 1)).toEqual(["Chrome on Linux *"]);

    // The signed-out device's next action meets the service's 401 and lands on sign-in.
    await other.page.getByRole("button", { name: "Refresh" }).click();
    await view(other.page, "Sign in");
    await status(other.page, "This device has been signed out, please sign in again.");
    await screenshot(other.page, "account-signed-out.png");
    await other.page.reload();
    await status(other.page, "This device has been signed out, please sign in again.");
  });

  it("changes the password (field errors first) and stays signed in", async () => {
    const { page } = laptop;
    const form = page.locator("#form-password");
    await form.getByLabel("Current password").fill("wrong");
    await form.getByLabel("New password", { exact: true }).fill(PASSWORDS[1]);
    await form.getByLabel("New password, again").fill(PASSWORDS[2]);
    await form.getByRole("button", { name: "Change password" }).click();
    await page
      .locator("#password-old-error", { hasText: "Your old password was entered incorrectly. Please enter it again." })
      .waitFor();
    expect(await page.locator("#password-new2-error").textContent()).toBe("The two password fields didn\u2019t match.");

    await form.getByLabel("Current password").fill(PASSWORDS[0]);
    await form.getByLabel("New password", { exact: true }).fill(PASSWORDS[1]);
    await form.getByLabel("New password, again").fill(PASSWORDS[1]);
    await form.getByLabel("New password, again").press("Enter");
    await form.locator(".form-message", { hasText: "New password has been saved." }).waitFor();
    await page.reload();
    await view(page, "Your account");
  });

  it("fits a 375 px wide phone", async () => {
    phone = await device({
      viewport: { width: 375, height: 812 },
      userAgent: SAFARI_IPHONE,
      isMobile: true,
      hasTouch: true,
    });
    const { page } = phone;
    await page.goto(`${base}/account`);
    await view(page, "Sign in");
    await signIn(page, USERNAME, PASSWORDS[1]);
    await view(page, "Your account");
    expect(await deviceNames(page, 2)).toContain("Safari on iOS *");
    const scrollWidth = await page.evaluate("document.documentElement.scrollWidth");
    expect(scrollWidth).toBeLessThanOrEqual(375);
    await screenshot(page, "account-mobile.png");
  });

  it("signs out everywhere: every device is back at sign in", async () => {
    const { page } = laptop;
    await page.getByRole("button", { name: "Sign out everywhere" }).click();
    await view(page, "Sign in");
    await status(page, "You have been signed out on all your devices.");
    await phone.page.reload();
    await view(phone.page, "Sign in");
    await status(phone.page, "This device has been signed out, please sign in again.");
  });

  it("resets a forgotten password from the mailed link", async () => {
    const { page } = laptop;
    const mailsBefore = mails.length;
    await page.getByRole("button", { name: "Forgot password?" }).click();
    await view(page, "Forgot your password?");
    await page.locator("#form-forgot").getByLabel("E-mail").fill(EMAIL);
    await page.locator("#form-forgot").getByLabel("E-mail").press("Enter");
    await page.locator("#form-forgot .form-message", { hasText: "Password reset e-mail has been sent." }).waitFor();

    await page.goto(await mailedLink("password_reset", EMAIL, mailsBefore));
    await view(page, "Choose a new password");
    const form = page.locator("#form-reset");
    await form.getByLabel("New password", { exact: true }).fill(PASSWORDS[2]);
    await form.getByLabel("New password, again").fill(PASSWORDS[2]);
    await form.getByRole("button", { name: "Set new password" }).click();
    await view(page, "Sign in");
    await status(page, "Password has been reset with the new password.");
    expect(new URL(page.url()).pathname).toBe("/account");

    await signIn(page, USERNAME, PASSWORDS[2]);
    await view(page, "Your account");
    await page.getByRole("banner").getByRole("button", { name: "Sign out" }).click();
    await view(page, "Sign in");
    await status(page, "You have been signed out.");
  });

  it("explains throttling, an outage, a lost connection, an unverified address, an expired token, dead links", async () => {
    const { context, page } = await device();
    await page.goto(`${base}/account`);
    await view(page, "Sign in");
    const message = page.locator("#form-signin .form-message");
    for (const [status, detail] of [
      [429, "Request was throttled. Expected available in 42 seconds."],
      [503, "Service temporarily unavailable, try again later."],
    ] as const) {
      await page.route("**/auth/login/", (route) =>
        route.fulfill({ status, contentType: "application/json", body: JSON.stringify({ detail }) }),
      );
      await signIn(page, USERNAME, PASSWORDS[2]);
      await message.filter({ hasText: detail }).waitFor();
      await page.unroute("**/auth/login/");
    }
    await context.setOffline(true);
    await signIn(page, USERNAME, PASSWORDS[2]);
    await message.filter({ hasText: "Could not reach the server." }).waitFor();
    await context.setOffline(false);

    // Under mandatory e-mail verification (answers as the service gives them in that mode).
    await page.route("**/auth/login/", (route) =>
      route.fulfill({ status: 400, json: { non_field_errors: ["E-mail is not verified."] } }),
    );
    await signIn(page, USERNAME, PASSWORDS[2]);
    await message.filter({ hasText: "E-mail is not verified." }).waitFor();
    await page.getByRole("button", { name: "Send a new link" }).click();
    await view(page, "Verify your e-mail");
    await page.route("**/auth/registration/", (route) =>
      route.fulfill({ status: 201, json: { detail: "Verification e-mail sent." } }),
    );
    await page.getByRole("button", { name: "Back to sign in" }).click();
    await page.getByRole("button", { name: "Create an account" }).click();
    const signUp = page.locator("#form-signup");
    await signUp.getByLabel("Username").fill("grace");
    await signUp.getByLabel("E-mail").fill("grace@example.com");
    await signUp.getByLabel("Password", { exact: true }).fill(PASSWORDS[2]);
    await signUp.getByLabel("Confirm password").fill(PASSWORDS[2]);
    await signUp.getByLabel("Confirm password").press("Enter");
    await view(page, "Sign in");
    await status(page, "Verification e-mail sent. Open the link in it, then sign in.");

    // A token past its TTL, as the service answers it.
    await page.route("**/auth/user/", (route) =>
      route.fulfill({ status: 401, json: { error: "Token has expired", is_authenticated: false } }),
    );
    await page.reload();
    await status(page, "Your session has expired, please sign in again.");
    await page.unrouteAll();

    await page.goto(`${base}/account/reset-password?uid=nope&token=nope`);
    await view(page, "Choose a new password");
    const reset = page.locator("#form-reset");
    await reset.getByLabel("New password", { exact: true }).fill(PASSWORDS[2]);
    await reset.getByLabel("New password, again").fill(PASSWORDS[1]);
    await reset.getByLabel("New password, again").press("Enter");
    await reset.locator(".form-message", { hasText: "This password reset link is invalid" }).waitFor();
    expect(await page.locator("#reset-password2-error").textContent()).toBe(
      "The two password fields didn\u2019t match.",
    );
    await page.getByRole("button", { name: "Request a new reset link" }).waitFor();

    await page.goto(`${base}/account/verify-email?key=nope`);
    await status(page, "This verification link is invalid or has expired.");
    await page.getByRole("button", { name: "Send a new link" }).waitFor();
    await context.close();
  });

  it("ran without script errors or Content-Security-Policy violations", () => {
    expect(pageProblems).toEqual([]);
  });
});
