/**
 * Request bodies read as DRF's default parsers do: JSON, form-urlencoded and multipart. An empty body is
 * an empty object whatever its type; any other media type is 415; malformed JSON, a JSON value that is not
 * an object, or a body over the configured limit are refused with DRF's messages before anything changes.
 */
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { detailError, nonFieldError } from "../errors";

export type RequestData = Record<string, unknown>;

/** Python's type names, as DRF reports them in "Expected a dictionary, but got list." */
function pythonTypeName(value: unknown): string {
  if (Array.isArray(value)) return "list";
  if (value === null) return "NoneType";
  if (typeof value === "string") return "str";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  return typeof value;
}

/** The request's fields. Throws the ready 400/413/415 response for a body that cannot be read. */
export async function readData(c: Context, maxBytes: number): Promise<RequestData> {
  const contentType = c.req.header("content-type") ?? "";
  const raw = await readLimited(c, maxBytes);
  if (raw.byteLength === 0) return {};
  const mediaType = (contentType.split(";")[0] ?? "").trim().toLowerCase();
  if (mediaType === "application/json") return parseJson(raw);
  if (mediaType === "application/x-www-form-urlencoded") {
    return Object.fromEntries(new URLSearchParams(new TextDecoder().decode(raw)));
  }
  if (mediaType === "multipart/form-data") return parseMultipart(raw, contentType);
  throw detailError(415, `Unsupported media type "${contentType}" in request.`);
}

function parseJson(raw: Uint8Array): RequestData {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(raw));
  } catch (error) {
    const reason = error instanceof SyntaxError ? error.message : "Invalid UTF-8 or nesting too deep";
    throw detailError(400, `JSON parse error - ${reason}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw nonFieldError(`Invalid data. Expected a dictionary, but got ${pythonTypeName(value)}.`);
  }
  return value as RequestData;
}

async function parseMultipart(raw: Uint8Array, contentType: string): Promise<RequestData> {
  let form: FormData;
  try {
    form = await new Response(raw, { headers: { "content-type": contentType } }).formData();
  } catch (error) {
    throw detailError(400, `Multipart form parse error - ${error instanceof Error ? error.message : "invalid body"}`);
  }
  const data: RequestData = {};
  // Like Django's QueryDict.get, the last value of a repeated field wins.
  for (const [name, value] of form.entries()) data[name] = value;
  return data;
}

/**
 * The whole body, refused (413, DRF's message) as soon as it is known to exceed `maxBytes`: Hono's body-limit
 * refuses a larger Content-Length before reading anything, and reads a body of unknown length only up to the
 * limit. A declared length within the limit is trusted: the runtime never delivers more than it declares.
 */
async function readLimited(c: Context, maxBytes: number): Promise<Uint8Array> {
  const tooLarge = () => detailError(413, `Request body is larger than the limit of ${maxBytes} bytes.`);
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw tooLarge();
    },
  });
  // Run inline rather than mounted: the limit is the configuration's, known once the request's config is.
  await limit(c, async () => {});
  const body = new Uint8Array(await c.req.raw.arrayBuffer());
  // Fail closed should a body ever outgrow the length it declared.
  if (body.byteLength > maxBytes) throw tooLarge();
  return body;
}
