/**
 * Argon2id password hashes in Django's Argon2PasswordHasher format,
 * `argon2$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>` (unpadded base64), computed by the
 * `argon2id` package's WebAssembly build (SIMD where available). Parameters travel with each hash.
 */
import { Buffer } from "node:buffer";
import { timingSafeEqual } from "node:crypto";
import setupWasm from "argon2id/lib/setup.js";
import { argon2idModules } from "#argon2id-wasm";

export interface Argon2idParams {
  /** Memory in KiB. */
  m: number;
  /** Passes over the memory. */
  t: number;
  /** Lanes. */
  p: number;
}

type ComputeHash = Awaited<ReturnType<typeof setupWasm>>;

/** A derived key of 32 bytes, as RFC 9106 recommends (Django's default is 16; both verify either way). */
const TAG_BYTES = 32;
/**
 * Refuse stored parameters beyond these: an imported hash must not be able to exhaust the isolate. The engine's
 * WebAssembly memory starts at 65 MiB of the isolate's 128 MB and is never given back, so 64 MiB is the most a
 * hash may ask for. Django's own default (100 MiB, 8 lanes) is above it: such users reset their password.
 */
const MAX_MEMORY_KIB = 64 * 1024;
const MAX_WORK_KIB = 2 * MAX_MEMORY_KIB;
const MAX_LANES = 16;

let sharedEngine: Promise<ComputeHash> | undefined;

async function newEngine(): Promise<ComputeHash> {
  const modules = await argon2idModules();
  const loader = (module: WebAssembly.Module) => async (imports: WebAssembly.Imports) => ({
    module,
    instance: await WebAssembly.instantiate(module, imports),
  });
  return setupWasm(loader(modules.simd), loader(modules.fallback));
}

/** The isolate's one engine (its memory is reused by every hash). */
function engine(): Promise<ComputeHash> {
  if (!sharedEngine) {
    sharedEngine = newEngine();
    // A failed load is not kept: the next call tries again.
    sharedEngine.catch(() => (sharedEngine = undefined));
  }
  return sharedEngine;
}

/** RFC 9106's least salt. Ours are 22 bytes and stored ones are parsed to at least 8: this only guards the call. */
const MIN_SALT_BYTES = 8;

/**
 * `bytes` in a form the package's own size check lets through. That check compares each array itself with its
 * bounds (`password < 8`, not `password.length < 8`), so JavaScript turns the array into a number: a Buffer through
 * its UTF-8 text, so the password "0" was under the 8-byte minimum and "83920174652" over the 2^32-1 maximum and
 * threw (a 500 at login, issue 12); a plain Uint8Array through its comma-joined bytes, so an empty or one-byte
 * password would throw. RFC 9106 bounds a password only by 2^32-1 bytes, far above any request body; the salt's
 * minimum is checked in `derive`. The copy reads as NaN as a number, which no bound refuses, and is a plain
 * Uint8Array everywhere else.
 */
function unchecked(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(bytes);
  Object.defineProperty(copy, "valueOf", { value: () => Number.NaN });
  return copy;
}

async function derive(password: string, salt: Uint8Array, params: Argon2idParams, length: number) {
  if (salt.length < MIN_SALT_BYTES) throw new Error(`Argon2id salt of ${salt.length} bytes, under ${MIN_SALT_BYTES}`);
  const computeHash = await engine();
  return computeHash({
    password: unchecked(Buffer.from(password, "utf8")),
    salt: unchecked(salt),
    parallelism: params.p,
    passes: params.t,
    memorySize: params.m,
    tagLength: length,
  });
}

const unpadded = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64").replace(/=+$/, "");

/** The Django-format hash of `password` with `salt` (Django's salts are 22 alphanumerics, used as bytes). */
export async function hashArgon2id(password: string, salt: string, params: Argon2idParams): Promise<string> {
  const saltBytes = Buffer.from(salt, "utf8");
  const tag = await derive(password, saltBytes, params, TAG_BYTES);
  return `argon2$argon2id$v=19$m=${params.m},t=${params.t},p=${params.p}$${unpadded(saltBytes)}$${unpadded(tag)}`;
}

interface ParsedArgon2id {
  params: Argon2idParams;
  salt: Buffer;
  tag: Buffer;
}

/** Salts of 8 to 66 bytes and tags of 4 to 66 (unpadded base64): longer ones are no hash this service or Django writes. */
const FORMAT =
  /^argon2\$argon2id\$v=19\$m=(\d{1,7}),t=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/]{11,88})\$([A-Za-z0-9+/]{6,88})$/;

/** The parameters, salt and tag of a Django Argon2id hash within the accepted bounds; null otherwise. */
export function parseArgon2id(encoded: string): ParsedArgon2id | null {
  const match = FORMAT.exec(encoded);
  if (!match) return null;
  const [, m, t, p, salt, tag] = match as unknown as [string, string, string, string, string, string];
  const params = { m: Number(m), t: Number(t), p: Number(p) };
  if (params.p < 1 || params.p > MAX_LANES || params.t < 1) return null;
  if (params.m < 8 * params.p || params.m > MAX_MEMORY_KIB || params.m * params.t > MAX_WORK_KIB) return null;
  return { params, salt: Buffer.from(salt, "base64"), tag: Buffer.from(tag, "base64") };
}

/** True when `password` matches the Django Argon2id hash `encoded` (false for anything unparsable). */
export async function verifyArgon2id(password: string, encoded: string): Promise<boolean> {
  const parsed = parseArgon2id(encoded);
  if (!parsed) return false;
  const derived = await derive(password, parsed.salt, parsed.params, parsed.tag.length);
  return derived.length === parsed.tag.length && timingSafeEqual(derived, parsed.tag);
}
