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

  it("allows exactly its inline style by its SHA-256 and exactly its script by its URL", async () => {
    const response = await call("/account");
    const csp = directives(response.headers.get("content-security-policy") ?? "");
    const html = await response.text();
    const styles = elements(html, "style");
    expect(styles).toHaveLength(1);
    expect(csp.get("style-src")).toEqual([await sha256Source(styles[0] ?? "")]);
    expect([...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)].map((match) => [match[1], match[2]])).toEqual([
      [' src="/account/app.js"', ""],
    ]);
    // Not 'self': in gateway mode the rest of the origin is the proxied application.
    expect(csp.get("script-src")).toEqual(["https://auth.example.com/account/app.js"]);
  });

  it("loads nothing from elsewhere and has no inline handlers or style attributes the CSP would block", async () => {
    const html = await (await call("/account")).text();
    expect(html).not.toMatch(/\s(src|href|action)="(?!data:|\/account\/)[^"]+"/);
    expect(html).not.toMatch(/<[^>]+\son[a-z]+=/i);
    expect(html).not.toMatch(/<[^>]+\sstyle=/i);
  });

  it("labels every input", async () => {
    const html = await (await call("/account")).text();
    const ids = [...html.matchAll(/<input id="([^"]+)"/g)].map((match) => match[1]);
    expect(ids.length).toBeGreaterThan(10);
    for (const id of ids) expect(html).toContain(`<label for="${id}">`);
  });

  it("serves its script, bundled from TypeScript, with no bundler helper the browser lacks", async () => {
    const response = await call("/account/app.js");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    const script = await response.text();
    // The page's own strings, from src/account/browser/ and the typed client it calls the service through.
    expect(script).toContain("Could not reach the server.");
    expect(script).toContain("/auth/sessions/{id}/");
    expect(script).not.toMatch(/\bimport\s*[{"']|\brequire\(/);
    expect(script).not.toContain("__name");
    expect(script).not.toContain("localStorage");
  });

  it("serves a small SVG icon, named by the page", async () => {
    const html = await (await call("/account")).text();
    expect(html).toContain('<link rel="icon" href="/account/favicon.svg" type="image/svg+xml">');
    const response = await call("/account/favicon.svg");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/svg+xml");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    // An SVG opened on its own is a document: no script may run in it.
    expect(response.headers.get("content-security-policy")).toBe("default-src 'none'; style-src 'unsafe-inline'");
    const svg = await response.text();
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).not.toMatch(/<script|\son[a-z]+=/i);
  });

  it("is not served for other methods", async () => {
    const response = await call("/account", { method: "POST" });
    expect(response.status).not.toBe(200);
    expect(response.headers.get("content-type")).not.toContain("text/html");
  });
});
