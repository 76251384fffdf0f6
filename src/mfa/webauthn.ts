/**
 * WebAuthn ceremonies through `@simplewebauthn/server` (pure JS over WebCrypto, runs on workerd): options for
 * creating and using passkeys, and verification of the responses against this service's relying party. User
 * verification is required, "none" attestation is accepted (passkeys are not attested), and the signature
 * counter must grow for authenticators that keep one. A response that fails verification is a `null`, never a
 * 500; a storage failure inside a check still surfaces as 503.
 */
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from "@simplewebauthn/server";
import type { Context } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context";
import type { PasskeyRow } from "../db/schema";
import { StoreUnavailableError } from "../errors";
import { MESSAGES } from "../http/fields";
import { recordPasskeyUse } from "../store/passkeys";
import { relyingParty } from "./relying-party";
import { fromBase64Url, toBase64Url } from "./secret-box";

/** How long a challenge may be answered (API.md: 5 minutes), also the timeout suggested to the browser. */
export const CHALLENGE_TTL_SECONDS = 5 * 60;
export const INVALID_CREDENTIAL = "The passkey could not be verified.";
/** Real credentials are a few hundred bytes; this only bounds what is parsed. */
const MAX_FIELD_LENGTH = 16_384;

/** Every failure inside the credential gets the one message: the client sent something that is not a credential. */
const invalid = { error: () => INVALID_CREDENTIAL };
const identifier = () => z.string(invalid).min(1, invalid).max(1024, invalid);
const credentialShape = z.looseObject(
  {
    id: identifier(),
    rawId: identifier(),
    type: z.literal("public-key", invalid),
    response: z.record(z.string(), z.unknown(), invalid),
    clientExtensionResults: z.record(z.string(), z.unknown(), invalid).optional(),
    authenticatorAttachment: z.string(invalid).optional(),
  },
  {
    error: (issue) =>
      issue.input === undefined ? MESSAGES.required : issue.input === null ? MESSAGES.null : INVALID_CREDENTIAL,
  },
);

export type CredentialJson = z.infer<typeof credentialShape>;

/**
 * The JSON of `navigator.credentials.create()` or `.get()` (`RegistrationResponseJSON` /
 * `AuthenticationResponseJSON`), as an object or, in form bodies, as JSON text.
 */
export function credentialField() {
  return z
    .preprocess((value) => {
      if (typeof value !== "string" || value.length > MAX_FIELD_LENGTH) return value;
      try {
        return JSON.parse(value);
      } catch {
        return value;
      }
    }, credentialShape)
    .describe("The PublicKeyCredential as JSON (WebAuthn Level 3 toJSON(), or @simplewebauthn/browser's output)");
}

function challengeDeadline(c: Context<AppEnv>): number {
  return c.get("now") + CHALLENGE_TTL_SECONDS * 1000;
}

/** Creation options for a new passkey of `user`: discoverable, user-verifying, none of `existing` again. */
export async function creationOptions(
  c: Context<AppEnv>,
  user: { id: number; username: string },
  existing: PasskeyRow[],
) {
  const rp = relyingParty(c);
  const options = await generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: user.username,
    attestationType: "none",
    timeout: CHALLENGE_TTL_SECONDS * 1000,
    excludeCredentials: existing.map((passkey) => ({ id: passkey.credentialId, transports: transportsOf(passkey) })),
    authenticatorSelection: { residentKey: "required", userVerification: "required" },
  });
  return { options, expiresMs: challengeDeadline(c) };
}

/** Request options; `allowed` empty asks for a discoverable credential (passwordless sign-in). */
export async function requestOptions(c: Context<AppEnv>, allowed: PasskeyRow[]) {
  const options = await generateAuthenticationOptions({
    rpID: relyingParty(c).id,
    allowCredentials: allowed.map((passkey) => ({ id: passkey.credentialId, transports: transportsOf(passkey) })),
    userVerification: "required",
    timeout: CHALLENGE_TTL_SECONDS * 1000,
  });
  return { options, expiresMs: challengeDeadline(c) };
}

export interface VerifiedCredential {
  credentialId: string;
  publicKey: string;
  counter: number;
  transports: string | null;
}

/**
 * Verifies a registration response. `spendChallenge` is called with the challenge the client signed and must
 * spend it (true once): a challenge is never answered twice. Null when anything does not verify.
 */
export async function verifyRegistration(
  c: Context<AppEnv>,
  credential: CredentialJson,
  spendChallenge: (challenge: string) => Promise<boolean>,
): Promise<VerifiedCredential | null> {
  const rp = relyingParty(c);
  const result = await refuseFailures("registration", () =>
    verifyRegistrationResponse({
      response: credential as never,
      expectedChallenge: spendChallenge,
      expectedOrigin: rp.origins,
      expectedRPID: rp.id,
      requireUserVerification: true,
    }),
  );
  if (!result?.verified) return null;
  const { credential: verified } = result.registrationInfo;
  return {
    credentialId: verified.id,
    publicKey: toBase64Url(verified.publicKey),
    counter: verified.counter,
    transports: verified.transports ? JSON.stringify(verified.transports) : null,
  };
}

/** Verifies an assertion by `passkey` for `challenge`; the new signature counter, or null when it does not verify. */
export async function verifyAssertion(
  c: Context<AppEnv>,
  credential: CredentialJson,
  challenge: string,
  passkey: PasskeyRow,
): Promise<number | null> {
  const rp = relyingParty(c);
  const publicKey = fromBase64Url(passkey.publicKey);
  if (!publicKey || credential.id !== passkey.credentialId) return null;
  const result = await refuseFailures("assertion", () =>
    verifyAuthenticationResponse({
      response: credential as never,
      expectedChallenge: challenge,
      expectedOrigin: rp.origins,
      expectedRPID: rp.id,
      credential: { id: passkey.credentialId, publicKey, counter: passkey.counter, transports: transportsOf(passkey) },
      requireUserVerification: true,
    }),
  );
  return result?.verified ? result.authenticationInfo.newCounter : null;
}

/** Verifies an assertion by `passkey` and records the use (its new counter); false when either fails. */
export async function acceptAssertion(
  c: Context<AppEnv>,
  credential: CredentialJson,
  challenge: string,
  passkey: PasskeyRow,
): Promise<boolean> {
  const newCounter = await verifyAssertion(c, credential, challenge, passkey);
  return newCounter !== null && (await recordPasskeyUse(c.get("db"), passkey, newCounter, c.get("now")));
}

/** The library throws on every malformed or failing response: that is a refusal (logged, without secrets). */
async function refuseFailures<T>(ceremony: string, verify: () => Promise<T>): Promise<T | null> {
  try {
    return await verify();
  } catch (error) {
    if (error instanceof StoreUnavailableError) throw error;
    console.warn(`[webauthn] ${ceremony} refused: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
}

function transportsOf(passkey: PasskeyRow) {
  if (!passkey.transports) return undefined;
  try {
    return JSON.parse(passkey.transports) as ("ble" | "hybrid" | "internal" | "nfc" | "usb")[];
  } catch {
    return undefined;
  }
}
