/**
 * TOTP secrets at rest: AES-256-GCM (WebCrypto) under the `MFA_ENCRYPTION_KEY` secret, with a fresh 96-bit
 * nonce per seal and the owner as associated data, so a sealed secret copied to another user's row does not
 * open. Stored as `v1.<nonce>.<ciphertext+tag>` (base64url); the version leaves room for a key rotation. Pure.
 */

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const VERSION = "v1";

/**
 * For local development only: a key that is public in this repository, so secrets sealed with it are not
 * protected. Used only while `MFA_ENCRYPTION_KEY` is unset and the development rule allows it
 * (`mfaEncryptionKey` in src/routes/mfa-key.ts).
 */
export const DEVELOPMENT_MFA_KEY = new Uint8Array(KEY_BYTES).map((_, index) => (index * 37 + 11) & 0xff);

/** The 32 key bytes of `text` (base64 or base64url, padding optional), or null when it is not such a key. */
export function parseEncryptionKey(text: string): Uint8Array | null {
  const bytes = fromBase64Url(text.trim().replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""));
  return bytes?.length === KEY_BYTES ? bytes : null;
}

export async function sealSecret(key: Uint8Array, plaintext: Uint8Array, owner: string): Promise<string> {
  const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv: nonce, additionalData: new TextEncoder().encode(owner) },
    await importKey(key),
    plaintext,
  );
  return `${VERSION}.${toBase64Url(nonce)}.${toBase64Url(new Uint8Array(sealed))}`;
}

/** The plaintext, or null when `sealed` is malformed, was sealed under another key or owner, or was altered. */
export async function openSecret(key: Uint8Array, sealed: string, owner: string): Promise<Uint8Array | null> {
  const [version, nonceText, bodyText, ...rest] = sealed.split(".");
  const nonce = fromBase64Url(nonceText ?? "");
  const body = fromBase64Url(bodyText ?? "");
  if (version !== VERSION || rest.length > 0 || nonce?.length !== NONCE_BYTES || !body) return null;
  try {
    const plaintext = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: nonce, additionalData: new TextEncoder().encode(owner) },
      await importKey(key),
      body,
    );
    return new Uint8Array(plaintext);
  } catch {
    return null;
  }
}

function importKey(key: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", key, "AES-GCM", false, ["encrypt", "decrypt"]);
}

export function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[\w-]*$/.test(text)) return null;
  try {
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4));
    return Uint8Array.from(binary, (char) => char.charCodeAt(0));
  } catch {
    return null;
  }
}
