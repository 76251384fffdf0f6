/** The account page's "Continue with …" links: one per configured provider, none without. */
import { describe, expect, it } from "vitest";
import { call } from "../helpers";

const PROVIDERS = JSON.stringify({
  google: { issuer: "https://accounts.google.com", client_id: "web" },
  github: { kind: "github", client_id: "gh" },
  "my-idp": { issuer: "https://idp.example", client_id: "x" },
});

describe("GET /account with providers configured", () => {
  it("links each provider's browser sign-in, in configuration order", async () => {
    const html = await (await call("/account", {}, { env: { SOCIAL_PROVIDERS: PROVIDERS } })).text();
    const links = [...html.matchAll(/<a class="[^"]*" href="([^"]+)" data-provider="[^"]+">([^<]+)<\/a>/g)].map(
      ([, href, text]) => [href, text],
    );
    expect(links).toEqual([
      ["/auth/social/google/", "Continue with Google"],
      ["/auth/social/github/", "Continue with GitHub"],
      ["/auth/social/my-idp/", "Continue with My-idp"],
    ]);
    expect(html).not.toContain("<!--social-sign-in-->");
  });

  it("shows no provider links without SOCIAL_PROVIDERS", async () => {
    const html = await (await call("/account")).text();
    expect(html).not.toContain("Continue with");
    expect(html).not.toContain('id="social-sign-in"');
  });
});
