import { describe, expect, it } from "vitest";
import { isAmbiguousPath } from "../../src/gateway/ambiguous-path";

describe("isAmbiguousPath", () => {
  it.each([
    "/public/..%2fprivate",
    "/public/..%2Fprivate",
    "/public/..%5cprivate",
    "/public/..%5Cprivate",
    "/public/%2e%2e/private",
    "/public/%2E./private",
    "/public/readme%2etxt",
    "/public/..%252fprivate",
    "/public/%252E%252E/private",
    "/public/..%25252fprivate",
    "/public/..%2525252fprivate",
    "/public/..;/private",
    "/public/.;/private",
    "/public/..;jsessionid=1/private",
    "/public/..%3b/private",
    "/public/..%253Bx/private",
    "/public/../private",
    "/public/./x",
    "/public/..",
    "/public/..\\private",
    "/public\\x",
  ])("refuses %s", (path) => {
    expect(isAmbiguousPath(path)).toBe(true);
  });

  it.each([
    "/",
    "/public/x.css",
    "/public//x.css",
    "/public/...",
    "/public/..x/y",
    "/public/x..",
    "/public/a;b=c/d",
    "/public/caf%C3%A9.png",
    "/public/100%25",
    "/public/100%2520off",
    "/public/%zz",
    "/public/%",
  ])("accepts %s", (path) => {
    expect(isAmbiguousPath(path)).toBe(false);
  });

  it("refuses a path still percent-encoded after as many decodings as any client would apply", () => {
    // `%252525…41` is an `A` encoded over and over: each decoding peels one layer.
    expect(isAmbiguousPath(`/public/%${"25".repeat(2000)}41`)).toBe(true);
    expect(isAmbiguousPath("/public/%252541")).toBe(false);
  });
});
