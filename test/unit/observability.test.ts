import { describe, expect, it } from "vitest";
import { stackFrames } from "../../src/observability/log";
import { requestId } from "../../src/observability/request-record";

describe("requestId", () => {
  const made = () => "made-up";

  it("takes Cloudflare's ray id", () => {
    expect(requestId("8c3e2c7f5a9d1234-AMS", made)).toBe("8c3e2c7f5a9d1234-AMS");
  });

  it.each([
    ["absent", undefined],
    ["empty", ""],
    ["with spaces", "a b"],
    ["with a quote or newline", 'x"\ny'],
    ["longer than 64 characters", "a".repeat(65)],
  ])("makes one up when cf-ray is %s", (_name, ray) => {
    expect(requestId(ray, made)).toBe("made-up");
  });
});

describe("stackFrames", () => {
  it("keeps the call frames and drops a message, however many lines it spans", () => {
    const error = new Error("Failed query: select * from tokens where digest = ?\nparams: deadbeef-secret");
    const frames = stackFrames(error) ?? "";
    expect(frames).toMatch(/^at /);
    expect(frames).not.toContain("deadbeef-secret");
    expect(frames).not.toContain("Failed query");
  });

  it("is null for what is not an Error", () => {
    expect(stackFrames("a string")).toBeNull();
    expect(stackFrames({ stack: "at x" })).toBeNull();
  });
});
