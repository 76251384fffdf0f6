import { describe, expect, it } from "vitest";
import { AUTH_HEADER_ERRORS, readCredential } from "../../src/middleware/credentials";

describe("readCredential", () => {
  it.each([
    ["Token abc", "abc"],
    ["Bearer abc", "abc"],
    ["token abc", "abc"],
    ["BEARER abc", "abc"],
    ["  Token \t  abc  ", "abc"],
    ["Token\tabc", "abc"],
  ])("reads the key from %j", (header, key) => {
    expect(readCredential(header, undefined)).toEqual({ kind: "key", key, source: "header" });
  });

  it.each([
    ["Token", AUTH_HEADER_ERRORS.noKey],
    ["Bearer   ", AUTH_HEADER_ERRORS.noKey],
    ["Token a b", AUTH_HEADER_ERRORS.spaces],
    ["Token a\tb c", AUTH_HEADER_ERRORS.spaces],
    ["Token k\u00e9y", AUTH_HEADER_ERRORS.invalidCharacters],
    ["Token a\ufffdb", AUTH_HEADER_ERRORS.invalidCharacters],
    ["Token a\u00a0b", AUTH_HEADER_ERRORS.invalidCharacters],
    ["Token a\u0000b", AUTH_HEADER_ERRORS.invalidCharacters],
  ])("refuses %j", (header, detail) => {
    expect(readCredential(header, undefined)).toEqual({ kind: "malformed", detail });
  });

  it("ignores other schemes and falls back to the cookie", () => {
    expect(readCredential("Basic dXNlcjpwYXNz", "cookiekey")).toEqual({
      kind: "key",
      key: "cookiekey",
      source: "cookie",
    });
    expect(readCredential("Basic dXNlcjpwYXNz", undefined)).toEqual({ kind: "none" });
    expect(readCredential("Tokenabc", undefined)).toEqual({ kind: "none" });
  });

  it("prefers the header to the cookie", () => {
    expect(readCredential("Token fromheader", "fromcookie")).toEqual({
      kind: "key",
      key: "fromheader",
      source: "header",
    });
    expect(readCredential("Token", "fromcookie")).toEqual({ kind: "malformed", detail: AUTH_HEADER_ERRORS.noKey });
  });

  it("treats an empty or unprintable cookie as no credential", () => {
    expect(readCredential(undefined, "")).toEqual({ kind: "none" });
    expect(readCredential(undefined, "a b")).toEqual({ kind: "none" });
    expect(readCredential("", undefined)).toEqual({ kind: "none" });
  });
});
