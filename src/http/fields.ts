/**
 * DRF's serializer fields as zod schemas, so request validation (and, later, the OpenAPI document) come
 * from one definition and every message is DRF's own: required, blank, null, wrong type, too long,
 * null characters, invalid e-mail.
 */
import { z } from "zod";
import { CLIENT_NAME_MAX_LENGTH, INVALID_CLIENT_NAME, isValidClientName } from "../auth/client-name";
import { isValidEmail } from "../auth/identity";
import { MAX_PASSWORD_LENGTH } from "../auth/password-validation";
import { type FieldErrors, fieldErrors } from "../errors";

export const MESSAGES = {
  required: "This field is required.",
  blank: "This field may not be blank.",
  null: "This field may not be null.",
  notString: "Not a valid string.",
  nullCharacters: "Null characters are not allowed.",
  surrogates: "Lone surrogate characters are not allowed.",
  email: "Enter a valid email address.",
  maxLength: (limit: number) => `Ensure this field has no more than ${limit} characters.`,
} as const;

interface CharFieldOptions {
  /** Longest value accepted, in characters (code points, as Python counts). */
  maxLength?: number;
  /** DRF's `allow_blank`: accept `""`. Default false. */
  allowBlank?: boolean;
  /** DRF's `trim_whitespace`: strip surrounding whitespace first. Default true, as in DRF. */
  trim?: boolean;
}

/**
 * DRF's CharField: numbers are accepted and turned into strings, booleans, objects and lists are not;
 * surrounding whitespace is trimmed before the blank check.
 */
export function charField({ maxLength, allowBlank = false, trim = true }: CharFieldOptions = {}) {
  const base = z
    .string({
      error: (issue) =>
        issue.input === undefined ? MESSAGES.required : issue.input === null ? MESSAGES.null : MESSAGES.notString,
    })
    .refine((value) => allowBlank || value !== "", { error: MESSAGES.blank, abort: true })
    .refine((value) => maxLength === undefined || [...value].length <= maxLength, {
      error: MESSAGES.maxLength(maxLength ?? 0),
    })
    .refine((value) => !value.includes("\0"), { error: MESSAGES.nullCharacters })
    .refine((value) => !/\p{Surrogate}/u.test(value), { error: MESSAGES.surrogates });
  return z.preprocess((value) => {
    if (typeof value === "number" && Number.isFinite(value)) return String(value);
    if (typeof value === "string" && trim) return value.trim();
    return value;
  }, base);
}

/** DRF's EmailField: a CharField that must hold an address Django's EmailValidator accepts. */
export function emailField(options: Omit<CharFieldOptions, "trim"> = {}) {
  return charField(options).refine((value) => value === "" || isValidEmail(value), { error: MESSAGES.email });
}

/** Every password field (registration, login, change, reset): a CharField of at most 128 characters. */
export function passwordField() {
  return charField({ maxLength: MAX_PASSWORD_LENGTH });
}

/** The optional `client` name a device gives itself at login. */
export function clientNameField() {
  return charField({ allowBlank: true, maxLength: CLIENT_NAME_MAX_LENGTH })
    .refine((value) => value === "" || isValidClientName(value), { error: INVALID_CLIENT_NAME })
    .optional();
}

interface ParsedFields<T> {
  /** The fields that passed validation (absent optional fields are left out). */
  values: Partial<T>;
  /** DRF-shaped errors of the fields that did not, in declaration order. */
  errors: FieldErrors;
}

/**
 * Validates each field of `schema` against `data` on its own, as DRF runs field validation: a later,
 * request-specific check (uniqueness, password strength) can still run on the fields that passed.
 */
export function parseFields<T extends z.ZodObject>(
  schema: T,
  data: Record<string, unknown>,
): ParsedFields<z.output<T>> {
  const values: Record<string, unknown> = {};
  const errors: FieldErrors = {};
  for (const [name, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
    const result = field.safeParse(Object.hasOwn(data, name) ? data[name] : undefined);
    if (result.success) {
      if (result.data !== undefined) values[name] = result.data;
    } else {
      errors[name] = [...new Set(result.error.issues.map((issue) => issue.message))];
    }
  }
  return { values: values as Partial<z.output<T>>, errors };
}

/** The validated fields, or the 400 with every field error. */
export function requireValid<T>(parsed: ParsedFields<T>): T {
  if (Object.keys(parsed.errors).length > 0) throw fieldErrors(parsed.errors);
  return parsed.values as T;
}

/** Field errors in declaration order (then anything else), as DRF lists them. */
export function orderErrors(errors: FieldErrors, fieldOrder: string[]): FieldErrors {
  const ordered: FieldErrors = {};
  for (const field of [...fieldOrder, ...Object.keys(errors)]) {
    const messages = errors[field];
    if (messages && messages.length > 0 && !(field in ordered)) ordered[field] = messages;
  }
  return ordered;
}
