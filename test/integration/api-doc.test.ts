/**
 * docs/API.md, the contract people read, against /openapi.json, the one the app generates from its routes:
 * every operation served is in the endpoint tables and every operation in those tables is served, while
 * nothing in the "Planned" section is.
 */
import { describe, expect, it } from "vitest";
import apiDoc from "../../docs/API.md?raw";
import { call } from "../helpers";

const PLANNED_HEADING = "## Planned (not served yet)";
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/** `METHOD /path` for each table row whose first cell is `GET, PUT /path` or `POST /path {body}` (one or more). */
function tableOperations(markdown: string): string[] {
  const operations: string[] = [];
  for (const line of markdown.split("\n")) {
    const cell = /^\|([^|]*)\|/.exec(line)?.[1] ?? "";
    for (const [, methods = "", path = ""] of cell.matchAll(/((?:[A-Z]+,\s*)*[A-Z]+)\s+`([^`]+)`/g)) {
      for (const method of methods.split(/,\s*/)) {
        if (METHODS.includes(method)) operations.push(`${method} ${path}`);
      }
    }
  }
  return operations;
}

async function servedOperations(): Promise<string[]> {
  const document = (await (await call("/openapi.json")).json()) as { paths: Record<string, object> };
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
  );
}

describe("docs/API.md", () => {
  const [built = "", planned = ""] = apiDoc.split(PLANNED_HEADING);

  it("lists exactly the operations of /openapi.json in its endpoint tables", async () => {
    const served = await servedOperations();
    const documented = tableOperations(built);
    expect(served.length).toBeGreaterThan(15);
    expect(served.filter((operation) => !documented.includes(operation))).toEqual([]);
    expect(documented.filter((operation) => !served.includes(operation))).toEqual([]);
    expect(new Set(documented).size).toBe(documented.length);
  });

  it("marks unbuilt features as planned, and none of them is served", async () => {
    const served = await servedOperations();
    const upcoming = tableOperations(planned);
    expect(upcoming.filter((operation) => served.includes(operation))).toEqual([]);
  });

  it("reads the tables as written", () => {
    expect(
      tableOperations(
        "| GET, PUT `/a/` | x |\n| POST `/b/` `{c}` | y |\n| POST `/d/`, GET `/e/`, DELETE `/e/{id}/` | z |\nGET `/no/`",
      ),
    ).toEqual(["GET /a/", "PUT /a/", "POST /b/", "POST /d/", "GET /e/", "DELETE /e/{id}/"]);
  });
});
