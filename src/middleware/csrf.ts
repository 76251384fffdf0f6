/**
 * The CSRF rule for cookie-authenticated requests (API.md): an unsafe method must come with an `Origin`
 * (or, without one, a `Referer`) that is the service's own origin or listed in `ALLOWED_ORIGINS`, whatever
 * the content type. Hono's csrf middleware only checks form content types, which a `fetch()` with
 * `text/plain` sidesteps, so this checks every unsafe request. Header-authenticated requests cannot be
 * forged by a third-party page and are not subject to it. The endpoints that set the cookie (login,
 * registration) refuse a foreign `Origin` too: a page must not sign a browser into an account of its choosing.
 */

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS", "TRACE"]);

export function isUnsafeMethod(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

/** The CSRF failure detail for a request from `origin`/`referer`, or null when it may proceed. */
export function csrfFailure(
  origin: string | undefined,
  referer: string | undefined,
  ownOrigin: string,
  allowedOrigins: ReadonlySet<string>,
): string | null {
  const trusted = (candidate: string) => candidate === ownOrigin || allowedOrigins.has(candidate);
  if (origin !== undefined) {
    return trusted(origin)
      ? null
      : `CSRF Failed: Origin checking failed - ${origin} does not match any trusted origins.`;
  }
  if (referer === undefined) return "CSRF Failed: Referer checking failed - no Referer.";
  let refererOrigin: string;
  try {
    refererOrigin = new URL(referer).origin;
  } catch {
    return "CSRF Failed: Referer checking failed - Referer is malformed.";
  }
  return trusted(refererOrigin)
    ? null
    : `CSRF Failed: Referer checking failed - ${refererOrigin} does not match any trusted origins.`;
}

/**
 * The login-CSRF failure detail for a request that would set the auth cookie, or null when it may proceed:
 * only a present `Origin` that is neither ours nor allowed fails. Without one (native apps, curl) the request
 * proceeds, as browsers send `Origin` with every cross-site POST.
 */
export function loginCsrfFailure(
  origin: string | undefined,
  ownOrigin: string,
  allowedOrigins: ReadonlySet<string>,
): string | null {
  return origin === undefined ? null : csrfFailure(origin, undefined, ownOrigin, allowedOrigins);
}
