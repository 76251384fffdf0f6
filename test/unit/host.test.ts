import { describe, expect, it } from "vitest";
import { decideServiceOrigin, isLoopbackHostname } from "../../src/http/host";

const at = (url: string, serviceOrigin: string | null) => decideServiceOrigin(new URL(url), serviceOrigin);

describe("isLoopbackHostname", () => {
  it("knows localhost, 127.0.0.0/8 and [::1], as the URL parser writes them", () => {
    for (const url of [
      "http://localhost",
      "http://LOCALHOST:1",
      "http://127.0.0.1",
      "http://127.255.0.9",
      "http://127.1",
      "http://[::1]",
      "http://[0:0::1]",
    ]) {
      expect(isLoopbackHostname(new URL(url).hostname)).toBe(true);
    }
    for (const url of [
      "http://localhost.example",
      "http://127.0.0.1.example",
      "http://128.0.0.1",
      "http://[::2]",
      "http://0.0.0.0",
    ]) {
      expect(isLoopbackHostname(new URL(url).hostname)).toBe(false);
    }
  });
});

describe("decideServiceOrigin", () => {
  it("speaks for SERVICE_ORIGIN on its host, whatever the request's scheme", () => {
    expect(at("https://auth.example.com/x", "https://auth.example.com")).toEqual({
      origin: "https://auth.example.com",
    });
    expect(at("http://AUTH.example.com/x", "https://auth.example.com")).toEqual({ origin: "https://auth.example.com" });
  });

  it("refuses another host or port with Django's message", () => {
    expect(at("https://evil.example/x", "https://auth.example.com")).toEqual({
      refusal: "Invalid HTTP_HOST header: 'evil.example'.",
    });
    expect(at("https://auth.example.com:444/", "https://auth.example.com")).toEqual({
      refusal: "Invalid HTTP_HOST header: 'auth.example.com:444'.",
    });
    expect(at("http://localhost:8787/", "https://auth.example.com")).toHaveProperty("refusal");
  });

  it("without SERVICE_ORIGIN, serves loopback hosts with their own origin and refuses the rest", () => {
    expect(at("http://localhost:8787/auth/", null)).toEqual({ origin: "http://localhost:8787" });
    expect(at("http://[::1]:8787/", null)).toEqual({ origin: "http://[::1]:8787" });
    expect(at("https://auth.example.com/", null)).toEqual({
      refusal: "Invalid HTTP_HOST header: 'auth.example.com'. Set SERVICE_ORIGIN to serve hosts other than localhost.",
    });
  });
});
