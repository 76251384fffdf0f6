/**
 * Usernames for accounts created by a sign-in elsewhere, as django-allauth makes them: from the e-mail's local
 * part (or the provider's username suggestion), reduced to Django's username characters, and made unique with
 * a number. Pure: the caller says which candidates are taken.
 */
import { canonicalUsername, normalizeUsername, USERNAME_MAX_LENGTH } from "../auth/identity";
import { randomBase62 } from "../auth/random";

/** Room left for a suffix, so a long base stays recognisable. */
const BASE_MAX_LENGTH = USERNAME_MAX_LENGTH - 10;
/** Numbered candidates tried before a random suffix: enough for a common name's namesakes. */
const NUMBERED_CANDIDATES = 20;

/** The base a username is built from: `hint` (provider username) else the e-mail's local part, else "user". */
export function usernameBase(email: string | null, hint: string | null): string {
  for (const source of [hint, email?.slice(0, email.lastIndexOf("@"))]) {
    const cleaned = [...normalizeUsername(source ?? "").replace(/[^\p{L}\p{N}_.@+-]/gu, "")]
      .slice(0, BASE_MAX_LENGTH)
      .join("");
    if (cleaned !== "") return cleaned;
  }
  return "user";
}

/** The candidates for `base` in order of preference: `base`, `base2` … `base20`, then `base` + random. */
export function usernameCandidates(base: string): string[] {
  const numbered = Array.from({ length: NUMBERED_CANDIDATES - 1 }, (_, index) => `${base}${index + 2}`);
  return [base, ...numbered, `${base}${randomBase62(8)}`];
}

/** The first candidate whose canonical form is not in `taken`. */
export function firstFree(candidates: string[], taken: ReadonlySet<string>): string {
  const free = candidates.find((candidate) => !taken.has(canonicalUsername(candidate)));
  return free ?? `${candidates[0]}${randomBase62(12)}`;
}
