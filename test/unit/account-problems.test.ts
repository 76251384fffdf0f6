import { describe, expect, it } from "vitest";
import { explain, flagMismatch, MESSAGES, MISMATCH } from "../../src/account/problems";

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

  it("says a device whose key the service no longer knows was signed out, not that it expired", () => {
    const revoked = explain({ status: 401, error: { error: "Invalid or Inactive Token", is_authenticated: false } });
    expect(revoked).toMatchObject({ general: [MESSAGES.signedOut], sessionEnded: true });
    expect(MESSAGES.signedOut).toBe("This device has been signed out, please sign in again.");
  });

  it("ends the session on any 401: expired, or a deactivated account", () => {
    const expired = explain({ status: 401, error: { error: "Token has expired", is_authenticated: false } });
    expect(expired).toMatchObject({ general: [MESSAGES.sessionExpired], sessionEnded: true });
    const inactive = explain({ status: 401, error: { error: "Invalid user", is_authenticated: false } });
    expect(inactive).toMatchObject({ general: [MESSAGES.accountInactive], sessionEnded: true });
  });
});

describe("flagMismatch", () => {
  const registration = { field: "password2", message: MISMATCH.registration };

  it("adds the mismatch under the confirmation while the service reports other fields", () => {
    const found = explain({ status: 400, error: { email: ["Enter a valid email address."] } });
    expect(flagMismatch(found, { ...registration, matches: false }).fields).toEqual({
      email: ["Enter a valid email address."],
      password2: ["The two password fields didn't match."],
    });
  });

  it("moves registration's non-field mismatch to the confirmation, once", () => {
    const found = explain({ status: 400, error: { non_field_errors: [MISMATCH.registration] } });
    expect(flagMismatch(found, { ...registration, matches: false })).toMatchObject({
      general: [],
      fields: { password2: [MISMATCH.registration] },
    });
    const already = explain({ status: 400, error: { new_password2: [MISMATCH.newPassword] } });
    const flagged = flagMismatch(already, { field: "new_password2", message: MISMATCH.newPassword, matches: false });
    expect(flagged.fields).toEqual({ new_password2: [MISMATCH.newPassword] });
  });

  it("leaves matching passwords, outages and ended sessions alone", () => {
    const found = explain({ status: 400, error: { email: ["x"] } });
    expect(flagMismatch(found, { ...registration, matches: true })).toBe(found);
    const down = explain({ status: 0, error: null });
    expect(flagMismatch(down, { ...registration, matches: false })).toBe(down);
    const ended = explain({ status: 401, error: { error: "Token has expired", is_authenticated: false } });
    expect(flagMismatch(ended, { ...registration, matches: false })).toBe(ended);
  });
});
