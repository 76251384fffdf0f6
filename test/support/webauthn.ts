/**
 * A software authenticator for tests: an ES256 key pair in WebCrypto answering WebAuthn ceremonies the way a
 * platform authenticator does ("none" attestation, CBOR attestation object, authenticatorData with the rpIdHash,
 * UP+UV flags and a signature counter, clientDataJSON with the challenge and origin). Every field can be bent
 * to produce the responses a server must refuse. Test-only: never imported by src/.
 */

export interface CreationOptions {
  challenge: string;
  rp: { id?: string };
}
export interface RequestOptions {
  challenge: string;
  rpId?: string;
}

/** Ways to spoil a response. */
export interface Tamper {
  origin?: string;
  rpId?: string;
  challenge?: string;
  /** Clear the user-verified flag (UV). */
  noUserVerification?: boolean;
  /** Use this signature counter instead of the next one. */
  counter?: number;
  /** Flip a bit of the signature. */
  badSignature?: boolean;
  type?: string;
}

const UP = 0x01;
const UV = 0x04;
const AT = 0x40;

export class SoftAuthenticator {
  readonly credentialId = crypto.getRandomValues(new Uint8Array(32));
  private keys: CryptoKeyPair | undefined;
  counter = 0;

  constructor(
    readonly origin: string,
    readonly userHandle = crypto.getRandomValues(new Uint8Array(16)),
  ) {}

  get id(): string {
    return b64url(this.credentialId);
  }

  private async keyPair(): Promise<CryptoKeyPair> {
    this.keys ??= (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
      "sign",
      "verify",
    ])) as CryptoKeyPair;
    return this.keys;
  }

  /** The JSON of `navigator.credentials.create()` for these creation options. */
  async register(options: CreationOptions, tamper: Tamper = {}) {
    const rpId = tamper.rpId ?? options.rp.id ?? new URL(this.origin).hostname;
    const jwk = (await crypto.subtle.exportKey("jwk", (await this.keyPair()).publicKey)) as JsonWebKey;
    const cose = cbor(
      new Map<number, unknown>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, fromB64url(jwk.x as string)],
        [-3, fromB64url(jwk.y as string)],
      ]),
    );
    const attested = concat(new Uint8Array(16), u16(this.credentialId.length), this.credentialId, cose);
    const flags = UP | (tamper.noUserVerification ? 0 : UV) | AT;
    const authData = concat(await sha256(rpId), new Uint8Array([flags]), u32(tamper.counter ?? this.counter), attested);
    const clientData = this.clientData("webauthn.create", options.challenge, tamper);
    const attestationObject = cbor(
      new Map<string, unknown>([
        ["fmt", "none"],
        ["attStmt", new Map()],
        ["authData", authData],
      ]),
    );
    return {
      id: this.id,
      rawId: this.id,
      type: "public-key",
      response: {
        clientDataJSON: b64url(clientData),
        attestationObject: b64url(attestationObject),
        transports: ["internal"],
      },
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
    };
  }

  /** The JSON of `navigator.credentials.get()` for these request options; the counter moves on by one. */
  async assert(options: RequestOptions, tamper: Tamper = {}) {
    const rpId = tamper.rpId ?? options.rpId ?? new URL(this.origin).hostname;
    if (tamper.counter === undefined) this.counter += 1;
    const flags = UP | (tamper.noUserVerification ? 0 : UV);
    const authData = concat(await sha256(rpId), new Uint8Array([flags]), u32(tamper.counter ?? this.counter));
    const clientData = this.clientData(tamper.type ?? "webauthn.get", options.challenge, tamper);
    const signed = concat(authData, new Uint8Array(await crypto.subtle.digest("SHA-256", clientData)));
    const raw = new Uint8Array(
      await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, (await this.keyPair()).privateKey, signed),
    );
    if (tamper.badSignature) raw[10] = (raw[10] as number) ^ 0x01;
    return {
      id: this.id,
      rawId: this.id,
      type: "public-key",
      response: {
        clientDataJSON: b64url(clientData),
        authenticatorData: b64url(authData),
        signature: b64url(derSignature(raw)),
        userHandle: b64url(this.userHandle),
      },
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
    };
  }

  private clientData(type: string, challenge: string, tamper: Tamper): Uint8Array {
    return new TextEncoder().encode(
      JSON.stringify({
        type,
        challenge: tamper.challenge ?? challenge,
        origin: tamper.origin ?? this.origin,
        crossOrigin: false,
      }),
    );
  }
}

/** WebCrypto signs ECDSA as r||s; WebAuthn carries it as an ASN.1 DER SEQUENCE of two INTEGERs. */
function derSignature(raw: Uint8Array): Uint8Array {
  const integer = (bytes: Uint8Array) => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    let value = bytes.slice(start);
    if ((value[0] as number) & 0x80) value = concat(new Uint8Array([0]), value);
    return concat(new Uint8Array([0x02, value.length]), value);
  };
  const body = concat(integer(raw.slice(0, 32)), integer(raw.slice(32)));
  return concat(new Uint8Array([0x30, body.length]), body);
}

/** The CBOR subset WebAuthn needs: integers, byte and text strings, maps. */
function cbor(value: unknown): Uint8Array {
  const head = (major: number, length: number) => {
    if (length < 24) return new Uint8Array([(major << 5) | length]);
    if (length < 256) return new Uint8Array([(major << 5) | 24, length]);
    return concat(new Uint8Array([(major << 5) | 25]), u16(length));
  };
  if (typeof value === "number") return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === "string") {
    const bytes = new TextEncoder().encode(value);
    return concat(head(3, bytes.length), bytes);
  }
  if (value instanceof Uint8Array) return concat(head(2, value.length), value);
  if (value instanceof Map) {
    return concat(head(5, value.size), ...[...value].flatMap(([key, item]) => [cbor(key), cbor(item)]));
  }
  throw new Error(`cannot encode ${typeof value}`);
}

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

function u16(value: number): Uint8Array {
  return new Uint8Array([value >> 8, value & 0xff]);
}

function u32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function b64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

function fromB64url(text: string): Uint8Array {
  return Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (char) => char.charCodeAt(0));
}
