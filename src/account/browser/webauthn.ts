/**
 * WebAuthn for the account page: the service's options JSON (base64url challenge and ids) turned into what
 * `navigator.credentials` takes, and the credential it returns turned into the JSON the service reads
 * (WebAuthn Level 3 `toJSON()`'s shape). Done by hand rather than with `PublicKeyCredential.parse*FromJSON`,
 * which older browsers lack.
 */
import type { CredentialJson, WebAuthnOptions } from "../../client/index";

type Json = Record<string, unknown>;

export function base64urlToBuffer(text: string): ArrayBuffer {
  const base64 = text
    .replace(/-/g, "+")
    .replace(/_/g, "/")
    .padEnd(Math.ceil(text.length / 4) * 4, "=");
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes.buffer;
}

export function bufferToBase64url(buffer: ArrayBuffer): string {
  let binary = "";
  for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** `excludeCredentials` / `allowCredentials` with their ids as bytes. */
function descriptors(list: unknown): PublicKeyCredentialDescriptor[] | undefined {
  if (!Array.isArray(list)) return undefined;
  return list.map((item: Json) => ({
    type: "public-key",
    id: base64urlToBuffer(String(item.id)),
    ...(Array.isArray(item.transports) ? { transports: item.transports as AuthenticatorTransport[] } : {}),
  }));
}

/** Creation options (passkeys/register/options/) for `navigator.credentials.create`. */
export function creationOptions(json: WebAuthnOptions): PublicKeyCredentialCreationOptions {
  const user = json.user as Json;
  return {
    ...(json as unknown as PublicKeyCredentialCreationOptions),
    challenge: base64urlToBuffer(json.challenge),
    user: { ...(user as unknown as PublicKeyCredentialUserEntity), id: base64urlToBuffer(String(user.id)) },
    excludeCredentials: descriptors(json.excludeCredentials) ?? [],
  };
}

/** Request options (login/mfa/webauthn/options/, passkeys/login/options/) for `navigator.credentials.get`. */
export function requestOptions(json: WebAuthnOptions): PublicKeyCredentialRequestOptions {
  const allow = descriptors(json.allowCredentials);
  return {
    ...(json as unknown as PublicKeyCredentialRequestOptions),
    challenge: base64urlToBuffer(json.challenge),
    ...(allow ? { allowCredentials: allow } : {}),
  };
}

interface CommonJson {
  id: string;
  rawId: string;
  type: "public-key";
  clientExtensionResults: Json;
  authenticatorAttachment?: string;
}

function common(credential: PublicKeyCredential): CommonJson {
  return {
    id: credential.id,
    rawId: bufferToBase64url(credential.rawId),
    type: "public-key",
    clientExtensionResults: credential.getClientExtensionResults() as Json,
    ...(credential.authenticatorAttachment ? { authenticatorAttachment: credential.authenticatorAttachment } : {}),
  };
}

/** A new passkey (from `create`) as JSON for passkeys/. */
export function registrationJson(credential: PublicKeyCredential): CredentialJson {
  const response = credential.response as AuthenticatorAttestationResponse;
  return {
    ...common(credential),
    response: {
      clientDataJSON: bufferToBase64url(response.clientDataJSON),
      attestationObject: bufferToBase64url(response.attestationObject),
      transports: typeof response.getTransports === "function" ? response.getTransports() : [],
    },
  };
}

/** An assertion (from `get`) as JSON for login/mfa/ and passkeys/login/. */
export function assertionJson(credential: PublicKeyCredential): CredentialJson {
  const response = credential.response as AuthenticatorAssertionResponse;
  return {
    ...common(credential),
    response: {
      clientDataJSON: bufferToBase64url(response.clientDataJSON),
      authenticatorData: bufferToBase64url(response.authenticatorData),
      signature: bufferToBase64url(response.signature),
      ...(response.userHandle ? { userHandle: bufferToBase64url(response.userHandle) } : {}),
    },
  };
}

/** Whether this browser can use passkeys at all. */
export function passkeysSupported(): boolean {
  return typeof PublicKeyCredential === "function" && typeof navigator.credentials?.get === "function";
}

/**
 * Why a ceremony ended without a credential, in words for the person: cancelled or timed out (NotAllowedError,
 * which browsers use for both on purpose), already registered here (InvalidStateError), or anything else.
 */
export function ceremonyProblem(error: unknown): string {
  const name = error instanceof DOMException ? error.name : "";
  if (name === "NotAllowedError" || name === "AbortError") return "The passkey request was cancelled or timed out.";
  if (name === "InvalidStateError") return "This authenticator already holds a passkey for your account.";
  if (name === "SecurityError") return "Passkeys are not available on this address.";
  return "Your browser could not use a passkey. Please try again.";
}

/** `create` with the options JSON: the credential as JSON, or the words for why there is none. */
export async function createCredential(json: WebAuthnOptions): Promise<CredentialJson | string> {
  try {
    const credential = await navigator.credentials.create({ publicKey: creationOptions(json) });
    if (!(credential instanceof PublicKeyCredential)) return ceremonyProblem(null);
    return registrationJson(credential);
  } catch (error) {
    return ceremonyProblem(error);
  }
}

/** `get` with the options JSON: the assertion as JSON, or the words for why there is none. */
export async function getAssertion(json: WebAuthnOptions): Promise<CredentialJson | string> {
  try {
    const credential = await navigator.credentials.get({ publicKey: requestOptions(json) });
    if (!(credential instanceof PublicKeyCredential)) return ceremonyProblem(null);
    return assertionJson(credential);
  } catch (error) {
    return ceremonyProblem(error);
  }
}
