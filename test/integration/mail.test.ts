import { afterEach, describe, expect, it, vi } from "vitest";
import { call, json, mailbox, register, uniqueName } from "../helpers";

afterEach(() => {
  vi.restoreAllMocks();
});

async function userWithAddress() {
  const username = uniqueName();
  const email = `${username}@example.com`;
  await register({ username, email });
  return email;
}

describe("mail delivery through MAIL_WEBHOOK_URL", () => {
  it("retries a failing transport with backoff until it accepts", async () => {
    const email = await userWithAddress();
    const box = mailbox("flaky/2");
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const response = await call("/auth/password/reset/", json("POST", { email }), { env: box.env });
    expect(response.status).toBe(200);
    const { attempts, messages } = await box.read();
    expect(attempts).toBe(3);
    expect(messages).toHaveLength(1);
  });

  it("never fails the request when the transport is down, and logs no secret", async () => {
    const email = await userWithAddress();
    const box = mailbox("down");
    const warnings = vi.spyOn(console, "warn").mockImplementation(() => {});
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const response = await call("/auth/password/reset/", json("POST", { email }), { env: box.env });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ detail: "Password reset e-mail has been sent." });
    expect((await box.read()).attempts).toBe(3);
    const logged = JSON.stringify([...warnings.mock.calls, ...errors.mock.calls]);
    expect(errors.mock.calls.map(([line]) => JSON.parse(String(line)))).toContainEqual({
      level: "error",
      event: "mail_dropped",
      kind: "password_reset",
      attempts: 3,
    });
    expect(logged).not.toMatch(/token|uid=|[0-9A-Za-z]{32}/);
    expect(logged).not.toContain(email);
  });

  it("never fails the request when the transport is unreachable", async () => {
    const email = await userWithAddress();
    vi.spyOn(console, "warn").mockImplementation(() => {});
    vi.spyOn(console, "error").mockImplementation(() => {});
    const response = await call("/auth/password/reset/", json("POST", { email }), {
      env: { MAIL_WEBHOOK_URL: "http://127.0.0.1:9/unreachable" },
    });
    expect(response.status).toBe(200);
  });

  it("prints the message when developing locally without a transport", async () => {
    const email = await userWithAddress();
    const logs = vi.spyOn(console, "log").mockImplementation(() => {});
    await call("http://localhost:8787/auth/password/reset/", json("POST", { email }), {
      env: { SERVICE_ORIGIN: undefined, ENVIRONMENT: "development" },
    });
    const printed = JSON.stringify(logs.mock.calls);
    expect(printed).toContain("password_reset");
    expect(printed).toContain("reset-password?uid=");
  });

  it("does not print the secret link outside development, even on localhost", async () => {
    const email = await userWithAddress();
    const logs = vi.spyOn(console, "log").mockImplementation(() => {});
    const warnings = vi.spyOn(console, "warn").mockImplementation(() => {});
    const response = await call("http://localhost:8787/auth/password/reset/", json("POST", { email }), {
      env: { SERVICE_ORIGIN: undefined, ENVIRONMENT: "production" },
    });
    expect(response.status).toBe(200);
    // Only the request's own log line: the message is not printed.
    expect(logs.mock.calls.map(([line]) => JSON.parse(String(line)).event)).toEqual(["request"]);
    expect(JSON.stringify(logs.mock.calls)).not.toContain("uid");
    expect(JSON.stringify(warnings.mock.calls)).toContain("MAIL_WEBHOOK_URL is not configured");
  });

  it("does not print the secret link for a deployed service without a transport", async () => {
    const email = await userWithAddress();
    const logs = vi.spyOn(console, "log").mockImplementation(() => {});
    const warnings = vi.spyOn(console, "warn").mockImplementation(() => {});
    await call("/auth/password/reset/", json("POST", { email }));
    // Only the request's own log line: the message is not printed.
    expect(logs.mock.calls.map(([line]) => JSON.parse(String(line)).event)).toEqual(["request"]);
    expect(JSON.stringify(logs.mock.calls)).not.toContain("uid");
    expect(JSON.stringify(warnings.mock.calls)).toContain("MAIL_WEBHOOK_URL is not configured");
    expect(JSON.stringify(warnings.mock.calls)).not.toContain("uid");
  });
});
