/**
 * Django's four default password validators, with Django's messages, run in Django's order:
 * UserAttributeSimilarity, MinimumLength(8), CommonPassword (Django's own list of 20,000), NumericPassword.
 * All failures are reported together, as `django.contrib.auth.password_validation.validate_password` does.
 */
import { COMMON_PASSWORDS } from "./common-passwords";

const MIN_PASSWORD_LENGTH = 8;
/**
 * The longest password any field accepts, in characters: dj-rest-auth's cap on the password change and reset
 * fields, applied to every password field (registration and login too) so that a password one form accepts is
 * never refused by another (registration used to take longer ones that password change then refused). Django has
 * no cap; this one bounds what any request hands the hashers and validators. The cost it saves is small: Argon2id
 * and PBKDF2 read the password once (a pre-hash), so their work hardly grows with its length.
 */
export const MAX_PASSWORD_LENGTH = 128;
/** Django's default `max_similarity`. */
const MAX_SIMILARITY = 0.7;

/** The user attributes compared, with the verbose names Django puts in its message. */
export interface PasswordContext {
  username?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
}

const ATTRIBUTE_NAMES: [keyof PasswordContext, string][] = [
  ["username", "username"],
  ["firstName", "first name"],
  ["lastName", "last name"],
  ["email", "email address"],
];

let commonPasswords: Set<string> | undefined;

/** The messages of every validator that rejects `password` (empty when it is acceptable). */
export function validatePassword(password: string, user: PasswordContext = {}): string[] {
  const errors: string[] = [];
  const similar = similarAttribute(password, user);
  if (similar) errors.push(`The password is too similar to the ${similar}.`);
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    errors.push(`This password is too short. It must contain at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
  commonPasswords ??= new Set(COMMON_PASSWORDS.split("\n"));
  if (commonPasswords.has(password.toLowerCase().trim())) errors.push("This password is too common.");
  if (/^\p{Nd}+$/u.test(password)) errors.push("This password is entirely numeric.");
  return errors;
}

function similarAttribute(password: string, user: PasswordContext): string | null {
  const lowered = password.toLowerCase();
  for (const [key, verboseName] of ATTRIBUTE_NAMES) {
    const value = user[key];
    if (!value) continue;
    const valueLower = value.toLowerCase();
    const parts = [...valueLower.split(/[^\p{L}\p{N}_]+/u), valueLower];
    for (const part of parts) {
      if (exceedsMaximumLengthRatio(lowered, part)) continue;
      if (quickRatio(lowered, part) >= MAX_SIMILARITY) return verboseName;
    }
  }
  return null;
}

/** Django skips parts far shorter than the password: they cannot make it "similar". */
function exceedsMaximumLengthRatio(password: string, value: string): boolean {
  const passwordLength = [...password].length;
  const valueLength = [...value].length;
  return passwordLength >= 10 * valueLength && valueLength < (MAX_SIMILARITY / 2) * passwordLength;
}

/** difflib.SequenceMatcher.quick_ratio: 2 * (characters in common, as multisets) / (total length). */
export function quickRatio(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  const total = left.length + right.length;
  if (total === 0) return 1;
  const available = new Map<string, number>();
  for (const char of right) available.set(char, (available.get(char) ?? 0) + 1);
  let matches = 0;
  for (const char of left) {
    const count = available.get(char) ?? 0;
    if (count > 0) {
      matches++;
      available.set(char, count - 1);
    }
  }
  return (2 * matches) / total;
}
