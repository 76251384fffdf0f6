import swaggerUiPackage from "swagger-ui-dist/package.json";
import { describe, expect, it } from "vitest";
import packageJson from "../../package.json";
import { createApp } from "../../src/app";
import { parseFields } from "../../src/http/fields";
import { ENDPOINTS } from "../../src/openapi/document";
import {
  DetailSchema,
  FieldErrorsSchema,
  JwksSchema,
  LoginResponseSchema,
  SessionSchema,
  SocialAccountSchema,
  TokenErrorSchema,
  UserSchema,
} from "../../src/openapi/schemas";
import { call } from "../helpers";

const SWAGGER_UI_VERSION = swaggerUiPackage.version;

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
      SocialAccount: SocialAccountSchema,
    };
    for (const [component, schema] of Object.entries(schemas)) {
      const example = document.components.schemas[component]?.example;
      expect(example, component).toBeDefined();
      expect(schema.safeParse(example).success, component).toBe(true);
    }
  });
});

describe("GET /docs", () => {
  /** The page's Content-Security-Policy as a map of directive → sources. */
  function directives(policy: string | null): Map<string, string[]> {
    return new Map(
      (policy ?? "")
        .split(";")
        .map((part) => part.trim().split(/\s+/))
        .filter(([name]) => name)
        .map(([name, ...sources]) => [name as string, sources]),
    );
  }

  /** Every URL the page asks the browser to load (scripts, styles, icons). */
  function loadedUrls(html: string): string[] {
    return [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((match) => match[1] as string);
  }

  it("serves Swagger UI over /openapi.json with the viewer's files from the service itself", async () => {
    const response = await call("/docs");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await response.text();
    expect(html).not.toMatch(/https?:\/\//);
    const urls = loadedUrls(html);
    expect(urls).toEqual([
      // An empty icon: no request for /favicon.ico, which belongs to the gateway.
      "data:,",
      `/docs/swagger-ui/${SWAGGER_UI_VERSION}/swagger-ui.css`,
      `/docs/swagger-ui/${SWAGGER_UI_VERSION}/swagger-ui-bundle.js`,
      `/docs/swagger-ui/${SWAGGER_UI_VERSION}/init.js`,
    ]);
    // No inline script or style: everything the page runs is a file of its own, allowed by 'self'.
    expect(html).not.toMatch(/<script>|<script [^>]*>[^<]|<style|\sstyle=|\son\w+=/);
  });

  it("pins the viewer's exact version, shown in the page and in a header", async () => {
    expect(packageJson.dependencies["swagger-ui-dist"]).toBe(SWAGGER_UI_VERSION);
    expect(SWAGGER_UI_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
    const response = await call("/docs");
    expect(response.headers.get("x-docs-viewer")).toBe(`swagger-ui-dist ${SWAGGER_UI_VERSION}`);
    expect(await response.text()).toContain(`Swagger UI ${SWAGGER_UI_VERSION}`);
  });

  it("sends a strict Content-Security-Policy: nothing from elsewhere, nothing inline, no framing", async () => {
    const response = await call("/docs");
    const policy = directives(response.headers.get("content-security-policy"));
    expect(Object.fromEntries(policy)).toEqual({
      "default-src": ["'none'"],
      "script-src": ["'self'"],
      "style-src": ["'self'"],
      "img-src": ["'self'", "data:"],
      "connect-src": ["'self'"],
      "form-action": ["'self'"],
      "frame-ancestors": ["'none'"],
      "base-uri": ["'none'"],
    });
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("same-origin");
  });

  it("serves the viewer's script, style and start-up script, cached for good under their version", async () => {
    const base = `/docs/swagger-ui/${SWAGGER_UI_VERSION}`;
    const expected = [
      ["swagger-ui-bundle.js", "text/javascript; charset=utf-8", `PACKAGE_VERSION:"${SWAGGER_UI_VERSION}"`],
      ["swagger-ui.css", "text/css; charset=utf-8", ".swagger-ui"],
      ["init.js", "text/javascript; charset=utf-8", "SwaggerUIBundle"],
    ] as const;
    for (const [file, type, content] of expected) {
      const response = await call(`${base}/${file}`);
      expect(response.status, file).toBe(200);
      expect(response.headers.get("content-type"), file).toBe(type);
      expect(response.headers.get("cache-control"), file).toBe("public, max-age=31536000, immutable");
      expect(response.headers.get("x-content-type-options"), file).toBe("nosniff");
      expect(await response.text(), file).toContain(content);
    }
  });

  it("starts Swagger UI on /openapi.json without the online validator", async () => {
    const script = await (await call(`/docs/swagger-ui/${SWAGGER_UI_VERSION}/init.js`)).text();
    expect(script).toContain('"/openapi.json"');
    expect(script).toMatch(/validatorUrl:\s*null/);
  });

  it("answers 404 for another version or file", async () => {
    for (const path of ["/docs/swagger-ui/0.0.1/swagger-ui-bundle.js", `/docs/swagger-ui/${SWAGGER_UI_VERSION}/x.js`]) {
      const response = await call(path);
      expect(response.status, path).toBe(404);
      expect(await response.json()).toEqual({ detail: "Not found." });
    }
  });
});
