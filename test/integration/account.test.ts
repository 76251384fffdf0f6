import { describe, expect, it } from "vitest";
import { call } from "../helpers";

const PAGES = ["/account", "/account/", "/account/reset-password?uid=abc&token=def", "/account/verify-email?key=xyz"];

async function sha256Source(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return `'sha256-${btoa(String.fromCharCode(...new Uint8Array(digest)))}'`;
}

/** The CSP's directives by name. */
function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(";")
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name, ...values]) => [name as string, values]),
  );
}

/** The text of every `<tag>` element of the page. */
function elements(html: string, tag: "script" | "style"): string[] {
  return [...html.matchAll(new RegExp(`<${tag}\\b[^>]*>([\\s\\S]*?)</${tag}>`, "g"))].map((match) => match[1] ?? "");
}

describe("GET /account", () => {
  it.each(PAGES)("serves %s as an uncached HTML page with strict security headers", async (path) => {
    const response = await call(path);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("same-origin");
    const csp = directives(response.headers.get("content-security-policy") ?? "");
    expect(csp.get("default-src")).toEqual(["'none'"]);
    expect(csp.get("connect-src")).toEqual(["'self'"]);
    expect(csp.get("img-src")).toEqual(["'self'", "data:"]);
    expect(csp.get("form-action")).toEqual(["'self'"]);
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
    expect(csp.get("base-uri")).toEqual(["'none'"]);
    const html = await response.text();
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('id="form-signin"');
  });

  it("allows exactly its one inline script and its one inline style, by their SHA-256", async () => {
    const response = await call("/account");
    const csp = directives(response.headers.get("content-security-policy") ?? "");
    const html = await response.text();
    const scripts = elements(html, "script");
    const styles = elements(html, "style");
    expect(scripts).toHaveLength(1);
    expect(styles).toHaveLength(1);
    expect(csp.get("script-src")).toEqual([await sha256Source(scripts[0] ?? "")]);
    expect(csp.get("style-src")).toEqual([await sha256Source(styles[0] ?? "")]);
  });

  it("loads nothing from elsewhere and has no inline handlers or style attributes the CSP would block", async () => {
    const html = await (await call("/account")).text();
    expect(html).not.toMatch(/\s(src|href|action)="(?!data:)[^"]+"/);
    expect(html).not.toMatch(/<[^>]+\son[a-z]+=/i);
    expect(html).not.toMatch(/<[^>]+\sstyle=/i);
  });

  it("labels every input", async () => {
    const html = await (await call("/account")).text();
    const ids = [...html.matchAll(/<input id="([^"]+)"/g)].map((match) => match[1]);
    expect(ids.length).toBeGreaterThan(10);
    for (const id of ids) expect(html).toContain(`<label for="${id}">`);
  });

  it("inlines the user-agent helpers without bundler helpers the browser lacks", async () => {
    const [script] = elements(await (await call("/account")).text(), "script");
    expect(script).toContain("const describeDevice = function");
    expect(script).toContain("const relativeTime = function");
    expect(script).not.toContain("__name");
    expect(script).not.toContain("localStorage");
  });

  it("is not served for other methods", async () => {
    const response = await call("/account", { method: "POST" });
    expect(response.status).not.toBe(200);
    expect(response.headers.get("content-type")).not.toContain("text/html");
  });
});
