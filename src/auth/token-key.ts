/**
 * Token keys: `etk_` + a 2-character base62 shard number + 32 random base62 characters (≈190 bits) + a
 * 6-character base62 CRC-32 of everything before it. The prefix lets secret scanners recognise a leaked key;
 * the checksum lets the service answer a mistyped or forged key without touching the database; the shard
 * number says which token database holds the key, so that a later split of the store across several D1
 * databases routes every key without a look-up and never reissues one (docs/SCALE.md). Only the SHA-256
 * digest is stored.
 *
 * Keys issued before the shard field existed (`etk_` + 38) and DRF keys imported from Django (40 hex digits)
 * stay valid: both belong to shard 0, where every user created before a split lives.
 */
import { crc32 } from "node:zlib";
import { sha256Hex } from "./digest";
import { fromBase62, randomBase62, toBase62 } from "./random";

export const KEY_PREFIX = "etk_";
const SHARD_LENGTH = 2;
const SECRET_LENGTH = 32;
const CHECKSUM_LENGTH = 6;
export const KEY_LENGTH = KEY_PREFIX.length + SHARD_LENGTH + SECRET_LENGTH + CHECKSUM_LENGTH;
/** Shards a key can name: two base62 digits. */
export const MAX_SHARDS = 62 ** SHARD_LENGTH;
const KEY_SHAPE = /^etk_[0-9A-Za-z]{40}$/;
/** Keys issued before the shard field: `etk_` + 32 random + 6 checksum. */
const UNSHARDED_KEY_SHAPE = /^etk_[0-9A-Za-z]{38}$/;
/** Django REST Framework's keys (40 hex digits), which users imported from Django keep using. */
const DJANGO_KEY_SHAPE = /^[0-9a-f]{40}$/;

/** What a well-formed key tells without a database: the shard holding its token. */
interface KeyRoute {
  shard: number;
}

/** A new key for a token stored in `shard` (default 0), shown to its owner once and never stored. */
export function generateKey(shard = 0): string {
  if (!Number.isInteger(shard) || shard < 0 || shard >= MAX_SHARDS) throw new RangeError(`no such shard: ${shard}`);
  const body = KEY_PREFIX + toBase62(shard, SHARD_LENGTH) + randomBase62(SECRET_LENGTH);
  return body + checksum(body);
}

/**
 * Where the key's token lives, when `key` has one of our shapes with a matching checksum or is a DRF key
 * imported from Django; null for anything else, which cannot be a key we hold.
 */
export function routeKey(key: string): KeyRoute | null {
  if (DJANGO_KEY_SHAPE.test(key)) return { shard: 0 };
  const sharded = KEY_SHAPE.test(key);
  if (!sharded && !UNSHARDED_KEY_SHAPE.test(key)) return null;
  const body = key.slice(0, -CHECKSUM_LENGTH);
  if (checksum(body) !== key.slice(-CHECKSUM_LENGTH)) return null;
  if (!sharded) return { shard: 0 };
  return { shard: fromBase62(key.slice(KEY_PREFIX.length, KEY_PREFIX.length + SHARD_LENGTH)) };
}

/** True when `key` could be a key we issued or imported (see `routeKey`). */
export function isWellFormedKey(key: string): boolean {
  return routeKey(key) !== null;
}

/** Lower-case hex SHA-256 of the key: what the `tokens.key_digest` column holds and is looked up by. */
export function keyDigest(key: string): string {
  return sha256Hex(key);
}

/** A public, random session id (≈95 bits): safe to show, useless as a credential. */
export function generateSessionId(): string {
  return randomBase62(16);
}

/** CRC-32 (IEEE, node:zlib's) of the ASCII text, in 6 base62 digits. */
function checksum(text: string): string {
  return toBase62(crc32(text), CHECKSUM_LENGTH);
}
