import { describe, expect, it } from "vitest";
import { stackFrames } from "../../src/observability/log";
import { dataPoint, type RequestRecord, requestId } from "../../src/observability/request-record";

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

describe("dataPoint", () => {
  const record: RequestRecord = {
    level: "info",
    event: "request",
    request_id: "r1",
    method: "POST",
    route: "/auth/login",
    status: 400,
    duration_ms: 87,
    outcome: "login_failed",
    user_id: null,
  };

  it("puts the outcome first, is indexed by it, and carries status and duration as numbers", () => {
    expect(dataPoint(record)).toEqual({
      blobs: ["login_failed", "/auth/login", "POST"],
      doubles: [400, 87],
      indexes: ["login_failed"],
    });
  });

  it("writes an empty outcome where no credential was checked", () => {
    expect(dataPoint({ ...record, outcome: null, status: 201 })).toEqual({
      blobs: ["", "/auth/login", "POST"],
      doubles: [201, 87],
      indexes: [""],
    });
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
