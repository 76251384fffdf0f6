import { describe, expect, it } from "vitest";
import { call, register, tokenHeader } from "../helpers";

async function expectJson(response: Response, status: number, body: unknown): Promise<void> {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toBe("application/json");
  expect(await response.text()).toBe(JSON.stringify(body));
}

const post = (path: string, body: BodyInit | null, contentType?: string) =>
  call(path, { method: "POST", body, headers: contentType ? { "content-type": contentType } : {} });

describe("DRF's generic errors", () => {
  it("refuses an unsupported media type with 415", async () => {
    await expectJson(await post("/auth/login/", "username=a", "text/plain"), 415, {
      detail: 'Unsupported media type "text/plain" in request.',
    });
    await expectJson(await post("/auth/login/", "<a/>", "application/xml; charset=utf-8"), 415, {
      detail: 'Unsupported media type "application/xml; charset=utf-8" in request.',
    });
  });

  it("refuses malformed JSON with 400", async () => {
    const response = await post("/auth/login/", "{not json", "application/json");
    expect(response.status).toBe(400);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/^JSON parse error - /);
  });

  it("refuses invalid UTF-8 in JSON with 400", async () => {
    const response = await post(
      "/auth/login/",
      new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]),
      "application/json",
    );
    expect(response.status).toBe(400);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/^JSON parse error - /);
  });

  it.each([
    ["[]", "list"],
    ['"text"', "str"],
    ["3", "int"],
    ["3.5", "float"],
    ["true", "bool"],
    ["null", "NoneType"],
  ])("refuses the JSON value %s, which is not an object", async (body, typeName) => {
    await expectJson(await post("/auth/login/", body, "application/json"), 400, {
      non_field_errors: [`Invalid data. Expected a dictionary, but got ${typeName}.`],
    });
  });

  it("treats an empty body as no fields", async () => {
    await expectJson(await post("/auth/login/", null, "application/json"), 400, {
      password: ["This field is required."],
    });
    await expectJson(await post("/auth/login/", null), 400, { password: ["This field is required."] });
  });

  it("refuses a body over the limit with 413", async () => {
    const big = JSON.stringify({ username: "a", password: "x".repeat(70_000) });
    const response = await post("/auth/login/", big, "application/json");
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ detail: "Request body is larger than the limit of 65536 bytes." });
    const streamed = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode("x".repeat(8192)));
        controller.close();
      },
    });
    const chunked = await call("/auth/login/", {
      method: "POST",
      body: streamed,
      headers: { "content-type": "application/json" },
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
    const configured = await call(
      "/auth/login/",
      { method: "POST", body: "{}", headers: { "content-type": "application/json" } },
      { env: { MAX_BODY_BYTES: "1" } },
    );
    expect(configured.status).toBe(413);
  });

  it("answers 405 with Allow for a method a path does not have", async () => {
    const response = await call("/auth/login/");
    await expectJson(response, 405, { detail: 'Method "GET" not allowed.' });
    expect(response.headers.get("allow")).toBe("POST, OPTIONS");
    const put = await call("/auth/registration/", { method: "PUT" });
    expect(put.status).toBe(405);
    expect(await put.json()).toEqual({ detail: 'Method "PUT" not allowed.' });
  });

  it("answers OPTIONS with the view's metadata", async () => {
    const response = await call("/auth/login/", { method: "OPTIONS" });
    expect(response.status).toBe(200);
    expect(response.headers.get("allow")).toBe("POST, OPTIONS");
    expect(await response.json()).toMatchObject({
      name: "Login",
      parses: expect.arrayContaining(["application/json"]),
    });
  });

  it("answers unknown paths with 404 JSON", async () => {
    await expectJson(await call("/nope"), 404, { detail: "Not found." });
    await expectJson(await call("/auth/nope/", { method: "POST" }), 404, { detail: "Not found." });
  });

  it("answers every path with and without its trailing slash", async () => {
    const { key } = await register();
    for (const path of ["/auth/user", "/auth/user/"]) {
      expect((await call(path, { headers: tokenHeader(key) })).status).toBe(200);
    }
    for (const path of ["/auth/logout", "/auth/logout/"]) {
      expect((await call(path, { method: "POST" })).status).toBe(200);
    }
  });

  it("sends Cache-Control: no-store on every answer of the service, errors too", async () => {
    const { key } = await register();
    const answers = [
      await call("/auth/user/", { headers: tokenHeader(key) }),
      await call("/auth/sessions/", { headers: tokenHeader(key) }),
      await call("/auth/user/", { method: "OPTIONS" }),
      await call("/auth/user/"),
      await call("/auth/user/", { headers: { authorization: "Token junk" } }),
      await call("/auth/user/", { headers: { authorization: "Token a b" } }),
      await call("/auth/user/", { method: "DELETE", headers: tokenHeader(key) }),
      await post("/auth/login/", "{}", "application/json"),
      await call("/auth/logout/", { method: "POST", headers: tokenHeader(key) }),
      await call("/nope"),
    ];
    expect(answers.map((response) => response.headers.get("cache-control"))).toEqual(answers.map(() => "no-store"));
  });
});
