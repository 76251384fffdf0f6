import { describe, expect, it } from "vitest";
import {
  canonicalEmail,
  canonicalUsername,
  isValidEmail,
  isValidUsername,
  normalizeEmail,
} from "../../src/auth/identity";

describe("usernames", () => {
  it.each(["alice", "Ali.ce+1@x-y_z", "élodie", "用户", "١٢٣"])("accepts %j", (name) => {
    expect(isValidUsername(name)).toBe(true);
  });

  it.each(["", "a b", "a/b", "alice!", "tab\tname", "emoji🔑"])("refuses %j", (name) => {
    expect(isValidUsername(name)).toBe(false);
  });

  it("folds case and compatibility forms for uniqueness", () => {
    expect(canonicalUsername("Alice")).toBe(canonicalUsername("aLICE"));
    expect(canonicalUsername("ｆｏｏ")).toBe("foo");
  });
});

describe("e-mail addresses", () => {
  it.each(["a@example.com", "first.last+tag@sub.example.co.uk", '"quoted local"@example.com', "x@bücher.example"])(
    "accepts %j",
    (email) => {
      expect(isValidEmail(email)).toBe(true);
    },
  );

  it.each([
    "",
    "plain",
    "@example.com",
    "a@",
    "a@b",
    "a..b@example.com",
    "a@-example.com",
    "a b@example.com",
    "a@example.com\n",
  ])("refuses %j", (email) => {
    expect(isValidEmail(email)).toBe(false);
  });

  it("lower-cases the domain when storing and everything when comparing", () => {
    expect(normalizeEmail("Jo.Doe@Example.COM")).toBe("Jo.Doe@example.com");
    expect(canonicalEmail("Jo.Doe@Example.COM")).toBe("jo.doe@example.com");
  });
});
