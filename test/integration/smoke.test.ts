import { describe, expect, it } from "vitest";
import { call, json, PASSWORD, register, tokenHeader } from "../helpers";

describe("smoke", () => {
  it("registers, reads the user, logs in", async () => {
    const user = await register({ username: "smoke", email: "smoke@example.com" });
    const me = await call("/auth/user/", { headers: tokenHeader(user.key) });
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({
      pk: user.pk,
      username: "smoke",
      email: "smoke@example.com",
      first_name: "",
      last_name: "",
    });
    const res = await call("/auth/login/", json("POST", { username: "SMOKE", password: PASSWORD }));
    expect(res.status).toBe(200);
    console.log(res.headers.get("set-cookie"), res.headers.get("content-type"), await res.text());
  });
});
