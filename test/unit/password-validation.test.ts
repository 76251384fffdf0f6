import { describe, expect, it } from "vitest";
import { quickRatio, validatePassword } from "../../src/auth/password-validation";

const SHORT = "This password is too short. It must contain at least 8 characters.";
const COMMON = "This password is too common.";
const NUMERIC = "This password is entirely numeric.";

describe("validatePassword (Django's default validators)", () => {
  it("accepts a strong password", () => {
    expect(validatePassword("correct horse battery staple", { username: "alice" })).toEqual([]);
  });

  it("reports every failure, in Django's order", () => {
    expect(validatePassword("1234")).toEqual([SHORT, COMMON, NUMERIC]);
    expect(validatePassword("password")).toEqual([COMMON]);
    expect(validatePassword("PassWord")).toEqual([COMMON]);
    expect(validatePassword("83710293847561")).toEqual([NUMERIC]);
    expect(validatePassword("xq7")).toEqual([SHORT]);
  });

  it("counts characters as Python does (code points)", () => {
    expect(validatePassword("🔑🔑🔑🔑🔑🔑🔑")).toEqual([SHORT]);
    expect(validatePassword("🔑🔑🔑🔑x🔑🔑🔑")).toEqual([]);
  });

  it("refuses passwords too similar to the user's attributes, naming the attribute", () => {
    expect(validatePassword("alicealice1", { username: "alicealice" })).toEqual([
      "The password is too similar to the username.",
    ]);
    expect(validatePassword("jsmith@example", { email: "jsmith@example.com" })).toEqual([
      "The password is too similar to the email address.",
    ]);
    expect(validatePassword("Montgomery9", { firstName: "Montgomery" })).toEqual([
      "The password is too similar to the first name.",
    ]);
  });

  it("ignores short attribute parts against long passwords", () => {
    expect(validatePassword("a completely different passphrase", { username: "a" })).toEqual([]);
  });
});

describe("quickRatio", () => {
  it("matches difflib.SequenceMatcher.quick_ratio", () => {
    expect(quickRatio("abcd", "bcde")).toBe(0.75);
    expect(quickRatio("", "")).toBe(1);
    expect(quickRatio("aaa", "a")).toBe(0.5);
  });
});
