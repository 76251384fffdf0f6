import { describe, expect, it } from "vitest";
import { call, json, register, tokenHeader, uniqueName } from "../helpers";

const update = (key: string, method: "PUT" | "PATCH", body: unknown) =>
  call("/auth/user/", json(method, body, tokenHeader(key)));

describe("GET /auth/user/", () => {
  it("returns the user's details", async () => {
    const username = uniqueName();
    const { key, pk } = await register({ username, email: `${username}@example.com` });
    const response = await call("/auth/user/", { headers: tokenHeader(key) });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(
      JSON.stringify({ pk, username, email: `${username}@example.com`, first_name: "", last_name: "" }),
    );
  });

  it("answers HEAD and OPTIONS", async () => {
    const { key } = await register();
    expect((await call("/auth/user/", { method: "HEAD", headers: tokenHeader(key) })).status).toBe(200);
    const options = await call("/auth/user/", { method: "OPTIONS", headers: tokenHeader(key) });
    expect(options.status).toBe(200);
    expect(options.headers.get("allow")).toBe("GET, PUT, PATCH, HEAD, OPTIONS");
  });
});

describe("PATCH /auth/user/", () => {
  it("changes the names and leaves pk and email read-only", async () => {
    const username = uniqueName();
    const { key, pk } = await register({ username, email: `${username}@example.com` });
    const response = await update(key, "PATCH", {
      first_name: " Ada ",
      last_name: "Lovelace",
      pk: 999,
      email: "x@y.com",
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      pk,
      username,
      email: `${username}@example.com`,
      first_name: "Ada",
      last_name: "Lovelace",
    });
    expect(await (await call("/auth/user/", { headers: tokenHeader(key) })).json()).toMatchObject({
      first_name: "Ada",
    });
  });

  it("changes the username, refusing a taken or invalid one", async () => {
    const other = await register();
    const { key } = await register();
    const renamed = uniqueName("renamed");
    expect(await (await update(key, "PATCH", { username: renamed })).json()).toMatchObject({ username: renamed });
    const taken = await update(key, "PATCH", { username: other.username.toUpperCase() });
    expect(taken.status).toBe(400);
    expect(await taken.json()).toEqual({ username: ["A user with that username already exists."] });
    const invalid = await update(key, "PATCH", { username: "bad name" });
    expect(await invalid.json()).toEqual({
      username: ["Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."],
    });
    expect((await update(key, "PATCH", { username: renamed.toUpperCase() })).status).toBe(200);
  });

  it("refuses names that are too long or of the wrong type, changing nothing", async () => {
    const { key } = await register();
    const response = await update(key, "PATCH", { first_name: "x".repeat(151), last_name: { a: 1 } });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      first_name: ["Ensure this field has no more than 150 characters."],
      last_name: ["Not a valid string."],
    });
    expect(await (await call("/auth/user/", { headers: tokenHeader(key) })).json()).toMatchObject({
      first_name: "",
      last_name: "",
    });
  });

  it("accepts an empty body", async () => {
    const { key } = await register();
    expect((await call("/auth/user/", { method: "PATCH", headers: tokenHeader(key) })).status).toBe(200);
  });
});

describe("PUT /auth/user/", () => {
  it("requires the username", async () => {
    const { key } = await register();
    const response = await update(key, "PUT", { first_name: "Ada" });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ username: ["This field is required."] });
  });

  it("replaces the writable fields", async () => {
    const { key, username } = await register();
    const response = await update(key, "PUT", { username, first_name: "Grace", last_name: "Hopper" });
    expect(await response.json()).toMatchObject({ username, first_name: "Grace", last_name: "Hopper" });
  });
});
