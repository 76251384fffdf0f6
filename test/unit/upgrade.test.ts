import { describe, expect, it } from "vitest";
import { isWebSocketUpgrade } from "../../src/http/upgrade";

describe("isWebSocketUpgrade", () => {
  it.each(["websocket", "WebSocket", " websocket ", "h2c, websocket"])("recognises %j", (value) => {
    expect(isWebSocketUpgrade(value)).toBe(true);
  });

  it.each([undefined, null, "", "h2c", "websockets", "web socket"])("ignores %j", (value) => {
    expect(isWebSocketUpgrade(value)).toBe(false);
  });
});
