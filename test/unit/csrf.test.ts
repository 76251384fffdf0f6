import { describe, expect, it } from "vitest";
import { csrfFailure, isUnsafeMethod, loginCsrfFailure } from "../../src/middleware/csrf";

const OWN = "https://auth.example.com";
const ALLOWED = new Set(["https://app.example.com"]);

describe("csrfFailure", () => {
  it("accepts the service's own origin and allowed origins", () => {
    expect(csrfFailure(OWN, undefined, OWN, ALLOWED)).toBeNull();
    expect(csrfFailure("https://app.example.com", undefined, OWN, ALLOWED)).toBeNull();
    expect(csrfFailure(undefined, "https://app.example.com/page?x=1", OWN, ALLOWED)).toBeNull();
  });

  it("refuses other origins with Django's message", () => {
    expect(csrfFailure("https://evil.example", undefined, OWN, ALLOWED)).toBe(
      "CSRF Failed: Origin checking failed - https://evil.example does not match any trusted origins.",
    );
    expect(csrfFailure("null", undefined, OWN, ALLOWED)).toBe(
      "CSRF Failed: Origin checking failed - null does not match any trusted origins.",
    );
  });

  it("lets Origin decide even when Referer would pass", () => {
    expect(csrfFailure("https://evil.example", `${OWN}/account`, OWN, ALLOWED)).toMatch(/^CSRF Failed: Origin/);
  });

  it("refuses a foreign, malformed or missing Referer", () => {
    expect(csrfFailure(undefined, "https://evil.example/x", OWN, ALLOWED)).toMatch(
      /^CSRF Failed: Referer checking failed/,
    );
    expect(csrfFailure(undefined, "not a url", OWN, ALLOWED)).toMatch(/^CSRF Failed:/);
    expect(csrfFailure(undefined, undefined, OWN, ALLOWED)).toMatch(/^CSRF Failed:/);
  });
});

describe("loginCsrfFailure", () => {
  it("lets a request without Origin, or from a trusted one, proceed", () => {
    expect(loginCsrfFailure(undefined, OWN, ALLOWED)).toBeNull();
    expect(loginCsrfFailure(OWN, OWN, ALLOWED)).toBeNull();
    expect(loginCsrfFailure("https://app.example.com", OWN, ALLOWED)).toBeNull();
  });

  it("refuses a foreign Origin with Django's message", () => {
    expect(loginCsrfFailure("https://evil.example", OWN, ALLOWED)).toBe(
      "CSRF Failed: Origin checking failed - https://evil.example does not match any trusted origins.",
    );
  });
});

describe("isUnsafeMethod", () => {
  it("knows the safe methods", () => {
    expect(["GET", "HEAD", "OPTIONS"].map(isUnsafeMethod)).toEqual([false, false, false]);
    expect(["POST", "PUT", "PATCH", "DELETE"].map(isUnsafeMethod)).toEqual([true, true, true, true]);
  });
});
