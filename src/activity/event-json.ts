/** How an activity event is shown (API.md's `activity/` result and the new sign-in mail's data), pure. */
import { isoTimestamp } from "../auth/expiry";
import type { SignInDetails } from "../mail/messages";

export interface EventRecord {
  id: string;
  kind: string;
  createdMs: number;
  client: string | null;
  userAgent: string | null;
  ip: string | null;
  city: string | null;
  country: string | null;
}

/** "City, CC", "CC" or null, from the edge's `cf` data (as `sessions/` shows it). */
export function placeName(city: string | null, country: string | null): string | null {
  const parts = [city, country].filter((part): part is string => Boolean(part));
  return parts.length > 0 ? parts.join(", ") : null;
}

/** Where and when, in the fields the activity log and the mail share. */
export function signInDetails(event: Omit<EventRecord, "id" | "kind">): SignInDetails {
  return {
    created: isoTimestamp(event.createdMs),
    ip: event.ip,
    location: placeName(event.city, event.country),
    user_agent: event.userAgent,
    client: event.client,
  };
}

/** One result of `GET /auth/activity/`: `id`, `kind`, `created`, `ip`, `location`, `user_agent`, `client`. */
export function activityEventJson(event: EventRecord) {
  const { created, ip, location, user_agent, client } = signInDetails(event);
  return { id: event.id, kind: event.kind, created, ip, location, user_agent, client };
}
