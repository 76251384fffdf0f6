/**
 * Reading the credential a request carries, as DRF's TokenAuthentication does: `Authorization: Token <key>`
 * (or `Bearer`, keyword case-insensitive, separated by any run of ASCII whitespace), else the auth cookie.
 * Pure: no I/O, so every row of API.md's credentials table is unit-testable.
 */

export type Credential =
  | { kind: "none" }
  | { kind: "malformed"; detail: string }
  | { kind: "key"; key: string; source: "header" | "cookie" };

export const AUTH_HEADER_ERRORS = {
  noKey: "Invalid token header. No credentials provided.",
  spaces: "Invalid token header. Token string should not contain spaces.",
  invalidCharacters: "Invalid token header. Token string should not contain invalid characters.",
} as const;

const KEYWORDS = new Set(["token", "bearer"]);
/** The bytes Python's `bytes.split()` treats as whitespace: space, \t, \n, \v, \f, \r. */
const ASCII_WHITESPACE = /[\t\n\v\f\r ]+/;
/** Printable ASCII without the space: anything else (including U+FFFD for undecodable bytes) is refused. */
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

/**
 * The credential in `authorization` (the header value) or, when the header carries none, in `cookieKey`
 * (the auth cookie's value). An `Authorization` header with another scheme (e.g. `Basic`) is not ours
 * and is ignored, as DRF does.
 */
export function readCredential(authorization: string | undefined, cookieKey: string | undefined): Credential {
  const fromHeader = readAuthorizationHeader(authorization ?? "");
  if (fromHeader.kind !== "none") return fromHeader;
  if (cookieKey && PRINTABLE_ASCII.test(cookieKey)) return { kind: "key", key: cookieKey, source: "cookie" };
  return { kind: "none" };
}

/** The credential in an `Authorization` header value; `none` when it is not a Token/Bearer header. */
export function readAuthorizationHeader(header: string): Credential {
  const parts = header.split(ASCII_WHITESPACE).filter((part) => part !== "");
  const keyword = parts[0];
  if (keyword === undefined || !KEYWORDS.has(keyword.toLowerCase())) return { kind: "none" };
  if (parts.length === 1) return { kind: "malformed", detail: AUTH_HEADER_ERRORS.noKey };
  if (parts.length > 2) return { kind: "malformed", detail: AUTH_HEADER_ERRORS.spaces };
  const key = parts[1] as string;
  if (!PRINTABLE_ASCII.test(key)) return { kind: "malformed", detail: AUTH_HEADER_ERRORS.invalidCharacters };
  return { kind: "key", key, source: "header" };
}
