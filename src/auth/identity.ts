/**
 * Usernames and e-mail addresses as Django stores and compares them. Usernames are NFKC-normalised
 * (`AbstractBaseUser.normalize_username`); the canonical forms used for uniqueness and look-ups are also
 * case-folded, so `Alice` and `alice` cannot be two accounts.
 */

/** Django's UnicodeUsernameValidator: letters, digits and @ . + - _ (Python's `\w` is letters, numbers, `_`). */
const USERNAME_PATTERN = /^[\p{L}\p{N}_.@+-]+$/u;
export const USERNAME_MAX_LENGTH = 150;
export const EMAIL_MAX_LENGTH = 254;
export const INVALID_USERNAME =
  "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.";
export const USERNAME_TAKEN = "A user with that username already exists.";
export const EMAIL_TAKEN = "A user is already registered with this e-mail address.";

export function normalizeUsername(username: string): string {
  return username.normalize("NFKC");
}

export function isValidUsername(username: string): boolean {
  return USERNAME_PATTERN.test(username);
}

export function canonicalUsername(username: string): string {
  return normalizeUsername(username).toLowerCase();
}

/** Django's `normalize_email`: the domain part lower-cased, the local part kept. */
export function normalizeEmail(email: string): string {
  const at = email.lastIndexOf("@");
  return at < 0 ? email : email.slice(0, at) + email.slice(at).toLowerCase();
}

export function canonicalEmail(email: string): string {
  return email.normalize("NFKC").toLowerCase();
}

const EMAIL_USER = /^[-!#$%&'*+/=?^_`{}|~0-9A-Z]+(\.[-!#$%&'*+/=?^_`{}|~0-9A-Z]+)*$/i;
/** Quoted local parts, restricted to printable ASCII (Django also accepts control characters; no mailbox needs them). */
const EMAIL_USER_QUOTED = /^"([ !#-[\]-~]|\\[ -~])*"$/;
const EMAIL_DOMAIN = /^((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+)(?:[a-z0-9-]{2,63}(?<!-))$/i;

/** Django's EmailValidator (without IP-literal domains): a dot-atom or quoted local part, a dotted domain. */
export function isValidEmail(email: string): boolean {
  if (email.length > 320 || /[\r\n]/.test(email)) return false;
  const at = email.lastIndexOf("@");
  if (at < 1) return false;
  const user = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (!EMAIL_USER.test(user) && !EMAIL_USER_QUOTED.test(user)) return false;
  if (EMAIL_DOMAIN.test(domain)) return true;
  const ascii = toAsciiDomain(domain);
  return ascii !== null && EMAIL_DOMAIN.test(ascii);
}

/** IDNA (punycode) form of an internationalised domain, via the URL parser; null when it is not a hostname. */
function toAsciiDomain(domain: string): string | null {
  if (domain === "" || /[\s/?#@:\\[\]%]/.test(domain)) return null;
  try {
    return new URL(`http://${domain}/`).hostname;
  } catch {
    return null;
  }
}
