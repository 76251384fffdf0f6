import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { PASSWORD, uniqueName } from "../helpers";

// Through the Worker's real entry point and the real wrangler.toml bindings, as a deployed client sees it.
describe("the Worker entry point", () => {
  it("serves the whole flow: register, two devices, logout one, the other still works", async () => {
    const origin = "https://auth.example.com";
    const username = uniqueName();
    const post = (path: string, body: unknown, key?: string) =>
      exports.default.fetch(`${origin}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(key ? { authorization: `Token ${key}` } : {}) },
        body: JSON.stringify(body),
      });
    expect((await post("/auth/registration/", { username, password1: PASSWORD, password2: PASSWORD })).status).toBe(
      201,
    );
    const phone = ((await (await post("/auth/login/", { username, password: PASSWORD })).json()) as { key: string })
      .key;
    const laptop = ((await (await post("/auth/login/", { username, password: PASSWORD })).json()) as { key: string })
      .key;
    const me = (key: string) =>
      exports.default.fetch(`${origin}/auth/user/`, { headers: { authorization: `Token ${key}` } });
    expect((await me(phone)).status).toBe(200);
    expect((await me(laptop)).status).toBe(200);
    expect((await post("/auth/logout/", {}, phone)).status).toBe(200);
    expect((await me(phone)).status).toBe(401);
    expect((await me(laptop)).status).toBe(200);
  });
});
