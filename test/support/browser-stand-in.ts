/**
 * What a browser does between the service's redirect to a provider and the provider's redirect back: follows
 * the provider's own redirects, keeping its cookies, until the provider sends the browser elsewhere (the
 * service's callback). Runs in Node next to the provider; the Chromium tests drive a real browser instead.
 */
export interface DriveResult {
  /** Where the provider finally sent the browser (the redirect URI with `code` and `state`, or an error). */
  location: string;
}

const MAX_REDIRECTS = 10;

export async function driveAuthorization(authorizationUrl: string): Promise<DriveResult> {
  const providerOrigin = new URL(authorizationUrl).origin;
  const cookies = new Map<string, string>();
  let url = authorizationUrl;
  for (let hop = 0; hop < MAX_REDIRECTS; hop++) {
    const response = await fetch(url, {
      redirect: "manual",
      headers: { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join("; ") },
    });
    for (const header of response.headers.getSetCookie()) {
      const [pair = ""] = header.split(";");
      const at = pair.indexOf("=");
      cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    const location = response.headers.get("location");
    if (!location)
      throw new Error(`the provider answered ${response.status} without a redirect: ${await response.text()}`);
    await response.body?.cancel();
    const next = new URL(location, url);
    if (next.origin !== providerOrigin) return { location: next.toString() };
    url = next.toString();
  }
  throw new Error("too many redirects at the provider");
}
