/**
 * Token keys: `etk_` + 32 random base62 characters (≈190 bits) + a 6-character base62 CRC32 of what
 * precedes it. The prefix lets secret scanners recognise a leaked key; the checksum lets the service
 * answer a mistyped or forged key without touching the database. Only the SHA-256 digest is stored.
 */
import { sha256Hex } from "./digest";
import { randomBase62, toBase62 } from "./random";

export const KEY_PREFIX = "etk_";
const SECRET_LENGTH = 32;
const CHECKSUM_LENGTH = 6;
export const KEY_LENGTH = KEY_PREFIX.length + SECRET_LENGTH + CHECKSUM_LENGTH;
const KEY_SHAPE = /^etk_[0-9A-Za-z]{38}$/;
/** Django REST Framework's keys (40 hex digits), which users imported from Django keep using. */
const DJANGO_KEY_SHAPE = /^[0-9a-f]{40}$/;

/** A new key, shown to its owner once and never stored. */
export function generateKey(): string {
  const body = KEY_PREFIX + randomBase62(SECRET_LENGTH);
  return body + checksum(body);
}

/**
 * True when `key` has our shape and its checksum matches, or is a DRF key imported from Django: anything
 * else cannot be a key we hold.
 */
export function isWellFormedKey(key: string): boolean {
  if (DJANGO_KEY_SHAPE.test(key)) return true;
  if (!KEY_SHAPE.test(key)) return false;
  const body = key.slice(0, -CHECKSUM_LENGTH);
  return checksum(body) === key.slice(-CHECKSUM_LENGTH);
}

/** Lower-case hex SHA-256 of the key: what the `tokens.key_digest` column holds and is looked up by. */
export function keyDigest(key: string): string {
  return sha256Hex(key);
}

/** A public, random session id (≈95 bits): safe to show, useless as a credential. */
export function generateSessionId(): string {
  return randomBase62(16);
}

function checksum(text: string): string {
  return toBase62(crc32(text), CHECKSUM_LENGTH);
}

const CRC32_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 (IEEE) of an ASCII string. */
export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) {
    crc = (CRC32_TABLE[(crc ^ text.charCodeAt(i)) & 0xff] as number) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}
