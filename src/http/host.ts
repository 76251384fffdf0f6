/**
 * Which origin the service speaks for, judged from the request's host (pure). With `SERVICE_ORIGIN` set,
 * only its host is served: a `Host` header naming anything else could otherwise choose the links we mail,
 * the CSRF check's own origin and the gateway assertion's `iss`. Without it, only loopback hosts are served
 * (local development), and each speaks for its own origin.
 */

/** The origin to use for links, CSRF and `iss`, or the 400 detail refusing the request. */
type HostDecision = { origin: string } | { refusal: string };

const IPV4_LOOPBACK = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/**
 * Whether `hostname` (as the URL parser normalises it: IPv4 in dotted decimal, IPv6 in brackets) names this
 * machine: `localhost`, 127.0.0.0/8 or `[::1]`.
 */
export function isLoopbackHostname(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || IPV4_LOOPBACK.test(hostname);
}

/** Decides for a request to `url`, given the configured `SERVICE_ORIGIN` (a bare origin) or null. */
export function decideServiceOrigin(url: URL, serviceOrigin: string | null): HostDecision {
  // Django's wording, which names the host as the request gave it (port included).
  const invalid = `Invalid HTTP_HOST header: '${url.host}'.`;
  if (serviceOrigin !== null) {
    // The host alone is compared, as Django's ALLOWED_HOSTS does: the scheme a request arrived with (http before
    // a redirect to https) does not change which origin the service is.
    return url.host === new URL(serviceOrigin).host ? { origin: serviceOrigin } : { refusal: invalid };
  }
  if (isLoopbackHostname(url.hostname)) return { origin: url.origin };
  return { refusal: `${invalid} Set SERVICE_ORIGIN to serve hosts other than localhost.` };
}
