import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { parseFields } from "../../src/http/fields";
import { ENDPOINTS } from "../../src/openapi/document";
import {
  DetailSchema,
  FieldErrorsSchema,
  JwksSchema,
  LoginResponseSchema,
  SessionSchema,
  TokenErrorSchema,
  UserSchema,
} from "../../src/openapi/schemas";
import { call } from "../helpers";

interface Document {
  openapi: string;
  paths: Record<
    string,
    Record<string, { requestBody?: { content: Record<string, { example?: unknown }> }; security?: unknown[] }>
  >;
  components: { schemas: Record<string, { example?: unknown }>; securitySchemes: Record<string, unknown> };
}

async function fetchDocument(): Promise<Document> {
  const response = await call("/openapi.json");
  expect(response.status).toBe(200);
  return (await response.json()) as Document;
}

/** A route as the app registers it → its documented path: DRF's trailing slash for /auth/, `{id}` params. */
function documentedPath(path: string): string {
  const withParams = path.replace(/:(\w+)/g, "{$1}");
  if (withParams.startsWith("/auth/")) return withParams.endsWith("/") ? withParams : `${withParams}/`;
  return withParams.length > 1 ? withParams.replace(/\/$/, "") : withParams;
}

describe("GET /openapi.json", () => {
  it("is an OpenAPI 3.1 document with the Token security scheme", async () => {
    const document = await fetchDocument();
    expect(document.openapi).toBe("3.1.0");
    expect(document.components.securitySchemes.Token).toEqual(
      expect.objectContaining({ type: "apiKey", in: "header", name: "Authorization" }),
    );
    expect(document.paths["/auth/user/"]?.get?.security).toEqual([{ Token: [] }, { Cookie: [] }]);
  });

  it("documents the login-CSRF 403 of the endpoints that set the cookie", async () => {
    const document = (await (await call("/openapi.json")).json()) as {
      paths: Record<string, { post?: { responses: Record<string, unknown> } }>;
    };
    for (const path of ["/auth/login/", "/auth/registration/"]) {
      expect(Object.keys(document.paths[path]?.post?.responses ?? {})).toContain("403");
    }
  });

  it("documents every route of the app, and only those", async () => {
    const document = await fetchDocument();
    const served = new Set(
      createApp()
        .routes.filter((route) => route.method !== "ALL")
        .map((route) => `${route.method.toLowerCase()} ${documentedPath(route.path)}`),
    );
    const documented = new Set(
      Object.entries(document.paths).flatMap(([path, methods]) =>
        Object.keys(methods).map((method) => `${method} ${path}`),
      ),
    );
    expect([...served].filter((route) => !documented.has(route))).toEqual([]);
    expect([...documented].filter((route) => !served.has(route))).toEqual([]);
  });

  it("documents request bodies for JSON, form and multipart, with examples that validate", async () => {
    const document = await fetchDocument();
    for (const endpoint of ENDPOINTS.filter((candidate) => candidate.body)) {
      const content = document.paths[endpoint.path]?.[endpoint.method]?.requestBody?.content ?? {};
      expect(Object.keys(content)).toEqual([
        "application/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
      ]);
      const example = content["application/json"]?.example as Record<string, unknown>;
      expect(example).toBeDefined();
      const { errors } = parseFields(endpoint.body?.schema as never, example);
      expect({ path: endpoint.path, errors }).toEqual({ path: endpoint.path, errors: {} });
    }
  });

  it("has response examples that validate against their schemas", async () => {
    const document = await fetchDocument();
    const schemas = {
      User: UserSchema,
      LoginResponse: LoginResponseSchema,
      Session: SessionSchema,
      Detail: DetailSchema,
      TokenError: TokenErrorSchema,
      FieldErrors: FieldErrorsSchema,
      JWKS: JwksSchema,
    };
    for (const [component, schema] of Object.entries(schemas)) {
      const example = document.components.schemas[component]?.example;
      expect(example, component).toBeDefined();
      expect(schema.safeParse(example).success, component).toBe(true);
    }
  });
});

describe("GET /docs", () => {
  it("serves the interactive documentation over /openapi.json", async () => {
    const response = await call("/docs");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/html");
    const html = await response.text();
    expect(html).toContain("SwaggerUIBundle");
    expect(html).toContain("/openapi.json");
  });
});
