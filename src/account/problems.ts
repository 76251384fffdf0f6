/**
 * Pure logic of the account page (bundled into its browser script, see src/account/browser/): what a failed
 * call to the service means to the person at the page, in words, with field errors kept by field so the
 * page can put each under its input.
 */

export const MESSAGES = {
  sessionExpired: "Your session has expired, please sign in again.",
  /** The service refused a key it once issued: revoked from another device, by "sign out everywhere" or a password change. */
  signedOut: "This device has been signed out, please sign in again.",
  accountInactive: "This account has been deactivated. Please contact support.",
  networkDown: "Could not reach the server. Check your connection and try again.",
  unavailable: "Service temporarily unavailable, try again later.",
  throttled: "Too many attempts. Please wait a moment and try again.",
  resetLinkInvalid: "This password reset link is invalid, has expired or was already used.",
} as const;

/** The service's own mismatch messages (API.md): registration's, and Django's SetPasswordForm's with U+2019. */
export const MISMATCH = {
  registration: "The two password fields didn't match.",
  newPassword: "The two password fields didn\u2019t match.",
} as const;

/** A failed call as the typed client reports it: the HTTP status (0: no answer) and the JSON body, if any. */
interface Failure {
  status: number;
  error: unknown;
}

/** What went wrong: a message for the top of the form, messages by API field, and whether the session ended. */
export interface Problem {
  general: string[];
  fields: Record<string, string[]>;
  /** A 400 with the service's field errors (as opposed to an outage, a throttle or an ended session). */
  validation: boolean;
  sessionEnded: boolean;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function problem(message: string): Problem {
  return { general: [message], fields: {}, validation: false, sessionEnded: false };
}

/** Explains a failed call. A 401 is always an ended session; its words depend on the service's `error`. */
export function explain(failure: Failure): Problem {
  const body = isRecord(failure.error) ? failure.error : {};
  if (failure.status === 0) return problem(MESSAGES.networkDown);
  if (failure.status === 401) {
    const message =
      body.error === "Invalid user"
        ? MESSAGES.accountInactive
        : body.error === "Invalid or Inactive Token"
          ? MESSAGES.signedOut
          : MESSAGES.sessionExpired;
    return { ...problem(message), sessionEnded: true };
  }
  if (typeof body.detail === "string") return problem(body.detail);
  if (failure.status === 503) return problem(MESSAGES.unavailable);
  if (failure.status === 429) return problem(MESSAGES.throttled);
  const fields: Record<string, string[]> = {};
  for (const [name, messages] of Object.entries(body)) {
    fields[name] = (Array.isArray(messages) ? messages : [messages]).map(String);
  }
  const general = fields.non_field_errors ?? [];
  delete fields.non_field_errors;
  if (general.length === 0 && Object.keys(fields).length === 0) {
    return problem(`Something went wrong (error ${failure.status}). Please try again.`);
  }
  return { general, fields, validation: true, sessionEnded: false };
}

/**
 * Flags a confirmation that differs from its password under the confirmation's input. The service checks the
 * match only once every other field is valid (as DRF and Django do), so with other field errors it says
 * nothing about it; registration words it as a non-field error. Either way the person sees it at the field.
 */
export function flagMismatch(
  found: Problem,
  confirmation: { field: string; message: string; matches: boolean },
): Problem {
  if (!found.validation || confirmation.matches) return found;
  const current = found.fields[confirmation.field] ?? [];
  return {
    ...found,
    general: found.general.filter((message) => message !== confirmation.message),
    fields: {
      ...found.fields,
      [confirmation.field]: current.includes(confirmation.message) ? current : [confirmation.message, ...current],
    },
  };
}
