/**
 * Field values of every JSON type for the property-based tests: what a client that sends the wrong type, a
 * number where a string belongs, or a string that only looks like a number, may put in any field. Values that
 * depend on the test's accounts (their username, password, a live reset code) are references, resolved
 * against the current state at each run, so a run may also hit the success paths.
 */
import fc from "fast-check";

/** A value taken from the test's state when the request is made. */
export class Ref {
  constructor(readonly name: RefName) {}
  toString(): string {
    return `Ref(${this.name})`;
  }
}

export type RefName =
  | "username"
  | "USERNAME"
  | "email"
  | "password"
  | "strongPassword"
  | "unknownUsername"
  | "unknownEmail"
  | "resetUid"
  | "resetToken"
  | "verificationKey"
  | "sessionId"
  | "otherSessionId";

const refs = (...names: RefName[]) => fc.constantFrom(...names.map((name) => new Ref(name)));

/** Numbers: 0, the all-digit values that once broke the hashing engine, huge, negative and fractional. */
const numbers = fc.oneof(
  fc.constantFrom(0, -0, 1, 7, 8, -1, 0.5, 1e-7, 1e21, 83920174652, 2 ** 32, 2 ** 32 - 1, Number.MAX_SAFE_INTEGER),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

const DIGITS = [..."0123456789"];

/** Strings: digits only, blank, around every length limit, lone surrogates, NUL, number-like text. */
const strings = fc.oneof(
  fc.string({ unit: fc.constantFrom(...DIGITS), minLength: 1, maxLength: 24 }),
  fc.constantFrom("", " ", "\t\n ", "\u0000", "a\u0000b", "\ud800", "x\udc00y", "\udbff\udfff"),
  fc.constantFrom("0", "7", "83920174652", "1e10", "0x10", "-1", " 7 ", "Infinity", "NaN", "true", "null", "[]"),
  fc.constantFrom(8, 64, 127, 128, 129, 150, 151, 254, 255, 300, 5000).map((length) => "x".repeat(length)),
  fc.constantFrom(128, 129).map((length) => "é".repeat(length)),
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.string({ maxLength: 30 }),
);

/** What JSON has besides strings and numbers; DRF's CharField refuses all of them. */
const otherTypes = fc.oneof(
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.constant(null)), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.integer(), fc.string({ maxLength: 8 })), { maxKeys: 3 }),
);

/** Any field's value: type-confused, or one that names an existing or unknown account. */
export const confusedValue = fc.oneof(
  { arbitrary: numbers, weight: 4 },
  { arbitrary: strings, weight: 4 },
  { arbitrary: otherTypes, weight: 3 },
  {
    arbitrary: refs(
      "username",
      "USERNAME",
      "email",
      "password",
      "strongPassword",
      "unknownUsername",
      "unknownEmail",
      "resetUid",
      "resetToken",
      "verificationKey",
    ),
    weight: 4,
  },
);

/** Path segments sent as they are: bad escapes, an escaped lone surrogate, a dot segment, a slash. */
const RAW_SEGMENTS = ["%", "%zz", "%ED%A0%80", "..", "a/b"];

/** A session id for `sessions/{id}/`: the caller's, another user's, or any value as text. */
export const confusedSessionId = fc.oneof(
  { arbitrary: refs("sessionId", "otherSessionId"), weight: 2 },
  { arbitrary: fc.constantFrom(...RAW_SEGMENTS), weight: 1 },
  { arbitrary: confusedValue, weight: 3 },
);

/** True for the JSON values DRF's CharField refuses by type (a string or a number is read as text). */
export function isNotText(value: unknown): boolean {
  return value !== undefined && !(value instanceof Ref) && typeof value !== "string" && typeof value !== "number";
}

/** Any value as text (objects and arrays as JSON: some have no prototype, so no toString). */
export function asText(value: unknown): string {
  return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
}

/** The text DRF's CharField makes of a value it accepts: numbers as text, surrounding whitespace trimmed. */
export function drfText(value: unknown): string {
  return typeof value === "number" ? String(value) : asText(value).trim();
}

/** `text` as a path segment: percent-encoded byte by byte (UTF-8, a lone surrogate as U+FFFD) unless raw junk. */
export function pathSegment(text: string): string {
  if (RAW_SEGMENTS.includes(text)) return text;
  return [...new TextEncoder().encode(text)].map((byte) => `%${byte.toString(16).padStart(2, "0")}`).join("");
}

/**
 * Every endpoint that reads a body or a path id: the fields it declares (whose type DRF checks) and extras it
 * must ignore. Runs are few where a run may hash a password (about 0.1 s each): all of them take ~15-30 s.
 */
export interface Endpoint {
  name: string;
  method: string;
  path: string;
  auth: boolean;
  fields: string[];
  extras: string[];
  numRuns: number;
}

export const ENDPOINTS: Endpoint[] = [
  {
    name: "POST registration/",
    method: "POST",
    path: "/auth/registration/",
    auth: false,
    fields: ["username", "email", "password1", "password2", "client"],
    extras: [],
    numRuns: 40,
  },
  {
    name: "POST registration/verify-email/",
    method: "POST",
    path: "/auth/registration/verify-email/",
    auth: false,
    fields: ["key"],
    extras: [],
    numRuns: 50,
  },
  {
    name: "POST registration/resend-email/",
    method: "POST",
    path: "/auth/registration/resend-email/",
    auth: false,
    fields: ["email"],
    extras: [],
    numRuns: 50,
  },
  {
    name: "POST login/",
    method: "POST",
    path: "/auth/login/",
    auth: false,
    fields: ["username", "email", "password", "client"],
    extras: [],
    numRuns: 40,
  },
  {
    name: "POST logout/",
    method: "POST",
    path: "/auth/logout/",
    auth: true,
    fields: [],
    extras: ["username", "password"],
    numRuns: 30,
  },
  {
    name: "PUT user/",
    method: "PUT",
    path: "/auth/user/",
    auth: true,
    fields: ["username", "first_name", "last_name"],
    extras: ["pk", "email"],
    numRuns: 50,
  },
  {
    name: "PATCH user/",
    method: "PATCH",
    path: "/auth/user/",
    auth: true,
    fields: ["username", "first_name", "last_name"],
    extras: ["pk", "email"],
    numRuns: 50,
  },
  {
    name: "POST password/change/",
    method: "POST",
    path: "/auth/password/change/",
    auth: true,
    fields: ["old_password", "new_password1", "new_password2"],
    extras: [],
    numRuns: 40,
  },
  {
    name: "POST password/reset/",
    method: "POST",
    path: "/auth/password/reset/",
    auth: false,
    fields: ["email"],
    extras: [],
    numRuns: 50,
  },
  {
    name: "POST password/reset/confirm/",
    method: "POST",
    path: "/auth/password/reset/confirm/",
    auth: false,
    fields: ["uid", "token", "new_password1", "new_password2"],
    extras: [],
    numRuns: 50,
  },
  {
    name: "DELETE sessions/{id}/",
    method: "DELETE",
    path: "/auth/sessions/{id}/",
    auth: true,
    fields: [],
    extras: ["id"],
    numRuns: 50,
  },
];

/** A value each field accepts, naming the existing account or an unknown one, so a run can get past the others. */
export const ACCEPTED: Record<string, fc.Arbitrary<unknown>> = {
  username: fc.constantFrom(new Ref("username"), new Ref("USERNAME"), new Ref("unknownUsername")),
  email: fc.constantFrom(new Ref("email"), new Ref("unknownEmail")),
  password: fc.constant(new Ref("password")),
  old_password: fc.constant(new Ref("password")),
  password1: fc.constant(new Ref("strongPassword")),
  password2: fc.constant(new Ref("strongPassword")),
  new_password1: fc.constant(new Ref("strongPassword")),
  new_password2: fc.constant(new Ref("strongPassword")),
  client: fc.constantFrom("ios", "web"),
  key: fc.constant(new Ref("verificationKey")),
  uid: fc.constant(new Ref("resetUid")),
  token: fc.constant(new Ref("resetToken")),
  first_name: fc.constant("Ada"),
  last_name: fc.constant("Lovelace"),
};
