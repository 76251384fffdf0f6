import { describe, expect, it } from "vitest";
import { explain, MESSAGES } from "../../src/account/problems";

describe("explain (the account page's words for a failed call)", () => {
  it("keeps field errors by field and non-field errors as the general message", () => {
    expect(
      explain({ status: 400, error: { email: ["Enter a valid email address."], non_field_errors: ["x"] } }),
    ).toEqual({
      general: ["x"],
      fields: { email: ["Enter a valid email address."] },
      validation: true,
      sessionEnded: false,
    });
  });

  it("shows a detail as it is, and words an outage, a throttle and no answer", () => {
    expect(explain({ status: 429, error: { detail: "Request was throttled." } }).general).toEqual([
      "Request was throttled.",
    ]);
    expect(explain({ status: 503, error: null }).general).toEqual([MESSAGES.unavailable]);
    expect(explain({ status: 429, error: null }).general).toEqual([MESSAGES.throttled]);
    expect(explain({ status: 0, error: null }).general).toEqual([MESSAGES.networkDown]);
    expect(explain({ status: 500, error: "oops" }).general).toEqual([
      "Something went wrong (error 500). Please try again.",
    ]);
  });

  it("ends the session on any 401: expired, or a deactivated account", () => {
    const expired = explain({ status: 401, error: { error: "Token has expired", is_authenticated: false } });
    expect(expired).toMatchObject({ general: [MESSAGES.sessionExpired], sessionEnded: true });
    const inactive = explain({ status: 401, error: { error: "Invalid user", is_authenticated: false } });
    expect(inactive).toMatchObject({ general: [MESSAGES.accountInactive], sessionEnded: true });
  });
});
