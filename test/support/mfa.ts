/** Test helpers for second factors: the encryption key, TOTP codes computed as an authenticator app does. */
import { base32Decode } from "../../src/mfa/base32";
import { hotp, timeStep } from "../../src/mfa/totp";
import { type CallOptions, call, json, type TestClock, tokenHeader } from "../helpers";

/** A test-only MFA_ENCRYPTION_KEY (32 bytes, base64). */
export const MFA_KEY = btoa(String.fromCharCode(...new Uint8Array(32).map((_, index) => 200 - index)));

export function mfaOptions(clock: TestClock, env: Record<string, unknown> = {}): CallOptions & { clock: TestClock } {
  return { clock, env: { MFA_ENCRYPTION_KEY: MFA_KEY, ...env } };
}

/** The code an authenticator app shows for `secret` (base32) at `nowMs`, `stepOffset` steps later. */
export async function totpCode(secret: string, nowMs: number, stepOffset = 0): Promise<string> {
  return hotp(base32Decode(secret) as Uint8Array, timeStep(nowMs) + stepOffset);
}

export interface Enrolled {
  secret: string;
  recoveryCodes: string[];
}

/** Enrols and confirms TOTP for the holder of `key`. */
export async function enrolTotp(key: string, options: CallOptions & { clock: TestClock }): Promise<Enrolled> {
  const started = await call("/auth/mfa/totp/", { method: "POST", headers: tokenHeader(key) }, options);
  if (started.status !== 200) throw new Error(`enrolment failed: ${started.status} ${await started.text()}`);
  const { secret } = (await started.json()) as { secret: string };
  const code = await totpCode(secret, options.clock.nowMs);
  const confirmed = await call("/auth/mfa/totp/confirm/", json("POST", { code }, tokenHeader(key)), options);
  if (confirmed.status !== 200) throw new Error(`confirmation failed: ${confirmed.status} ${await confirmed.text()}`);
  const { recovery_codes } = (await confirmed.json()) as { recovery_codes: string[] };
  // The confirming code's step is spent: later codes in these tests come from the next steps.
  options.clock.advance(30_000);
  return { secret, recoveryCodes: recovery_codes };
}
