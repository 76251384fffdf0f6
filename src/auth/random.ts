const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** The largest multiple of 62 that fits in a byte: bytes at or above it are dropped so every symbol is equally likely. */
const UNBIASED_BYTE_LIMIT = 248;

/** `length` characters of [0-9A-Za-z] from the platform CSPRNG, each carrying log2(62) ≈ 5.95 bits. */
export function randomBase62(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte < UNBIASED_BYTE_LIMIT) out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

/** Fixed-width base62 rendering of a non-negative integer (zero-padded on the left). */
export function toBase62(value: number, width: number): string {
  let out = "";
  let rest = value;
  for (let i = 0; i < width; i++) {
    out = BASE62[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return out;
}

/** The integer that `toBase62` renders as `digits` (every character must be a base62 digit). */
export function fromBase62(digits: string): number {
  let value = 0;
  for (const digit of digits) {
    const index = BASE62.indexOf(digit);
    if (index < 0) throw new RangeError(`not a base62 digit: ${digit}`);
    value = value * 62 + index;
  }
  return value;
}
