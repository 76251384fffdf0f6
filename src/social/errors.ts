/**
 * The two ways a sign-in through another provider fails. `SocialSignInError`: what the client sent does not hold
 * up (bad state, code or token): 400 with a stable wire message, the precise internal reason only in the log.
 * `ProviderUnavailableError`: the provider could not be reached or answered nonsense: 502, nothing created.
 */

export const SOCIAL_MESSAGES = {
  state: "Invalid or expired sign-in state. Start the sign-in again.",
  code: "Invalid or expired authorization code.",
  idToken: "Invalid ID token.",
  refused: "The provider refused the sign-in.",
  noIdToken: "This provider does not issue ID tokens.",
  inactive: "Unable to log in with provided credentials.",
  unverified: "E-mail is not verified.",
  unavailable: "The sign-in provider is unavailable, try again later.",
} as const;

export class SocialSignInError extends Error {
  override name = "SocialSignInError";
  /**
   * @param wire  the message the client gets (one of SOCIAL_MESSAGES)
   * @param reason  what exactly failed, for the log only (never a token or code)
   */
  constructor(
    readonly wire: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

export class ProviderUnavailableError extends Error {
  override name = "ProviderUnavailableError";
}
