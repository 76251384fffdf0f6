/**
 * Whether a sign-in comes from a device and place seen before, pure: it decides the "new sign-in" mail.
 *
 * A device is the client name plus the browser and operating system its User-Agent names (so a browser
 * update is the same device), or, when the User-Agent names no known browser (native apps, scripts), the
 * whole User-Agent. A place is the country and city Cloudflare located the request in (either may be unknown;
 * unknown only matches unknown). A sign-in is new when no earlier sign-in had both the same device and the
 * same place; the first sign-in ever is never new (there is nothing to compare it with).
 */
import { describeDevice } from "../account/user-agent";

export interface SignInPlace {
  client: string | null;
  userAgent: string | null;
  city: string | null;
  country: string | null;
}

export function isNewSignIn(current: SignInPlace, earlier: readonly SignInPlace[]): boolean {
  if (earlier.length === 0) return false;
  const device = deviceOf(current);
  return !earlier.some(
    (before) => deviceOf(before) === device && before.country === current.country && before.city === current.city,
  );
}

function deviceOf({ client, userAgent }: SignInPlace): string {
  const { browser, os } = describeDevice(userAgent, client);
  return JSON.stringify(browser ? [client, browser, os] : [client, userAgent]);
}
