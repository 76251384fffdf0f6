/**
 * Recording the security activity log from a request. Each call site is one line where its event happens;
 * nothing here runs on the token check path. Events are written after the response (`waitUntil`), except a
 * logout's, which must find the token's owner before the token is deleted. A failed write is logged
 * (`background_failed`), never reported to the client.
 */
import type { Context } from "hono";
import { signInDetails } from "../activity/event-json";
import { isNewSignIn } from "../activity/familiar-signin";
import { deriveClientName } from "../auth/client-name";
import { randomBase62 } from "../auth/random";
import type { AppEnv } from "../context";
import { newSignInMessage } from "../mail/messages";
import {
  type ActivityKind,
  type EventOrigin,
  insertActivity,
  insertActivityForKeyDigest,
  type NewActivityEvent,
  recentSignIns,
} from "../store/activity";
import type { NewSession } from "../store/tokens";

const MAX_USER_AGENT_LENGTH = 512;
/** Earlier sign-ins compared with a new one: the most recent, within ACTIVITY_RETENTION. */
const SIGN_INS_COMPARED = 200;

/** Records `kind` for `userId`, from this request's device, after the response. */
export function recordActivity(c: Context<AppEnv>, kind: ActivityKind, userId: number): void {
  const event = newEvent(c, kind, requestOrigin(c));
  c.get("auth").background(`${kind} activity`, () => insertActivity(c.get("db"), userId, event));
}

/** Records `kind` for the owner of the token with `keyDigest`, if any. Await it before deleting the token. */
export function recordActivityOfKey(c: Context<AppEnv>, kind: ActivityKind, keyDigest: string): Promise<unknown> {
  return insertActivityForKeyDigest(c.get("db"), keyDigest, newEvent(c, kind, requestOrigin(c)));
}

/**
 * Records a sign-in (a login, or the session a registration issues) with the device of its new `session`,
 * after the response; then, with NEW_SIGNIN_EMAIL on and an address to write to, mails the user when no
 * earlier sign-in came from the same device and place (the first sign-in ever is not "new").
 */
export function recordSignIn(
  c: Context<AppEnv>,
  user: { id: number; username: string; email: string | null },
  session: NewSession,
): void {
  const { client, userAgent, ip, city, country } = session;
  const event = { ...newEvent(c, "login", { client, userAgent, ip, city, country }), createdMs: session.createdMs };
  const to = c.get("config").newSignInEmail ? user.email : null;
  const { background, mailer } = c.get("auth");
  background("sign-in activity", async () => {
    const earlier = to ? await recentSignIns(c.get("db"), user.id, SIGN_INS_COMPARED) : [];
    await insertActivity(c.get("db"), user.id, event);
    if (to && isNewSignIn(event, earlier)) await mailer(newSignInMessage(to, user.username, signInDetails(event)));
  });
}

function newEvent(c: Context<AppEnv>, kind: ActivityKind, origin: EventOrigin): NewActivityEvent {
  return { id: randomBase62(16), kind, createdMs: c.get("now"), ...origin };
}

/** The request's device: the authenticated session's client name, else one derived from the User-Agent. */
function requestOrigin(c: Context<AppEnv>): EventOrigin {
  const userAgent = c.req.header("user-agent");
  const cf = c.req.raw.cf as { city?: unknown; country?: unknown } | undefined;
  return {
    client: c.get("session")?.client ?? deriveClientName(userAgent),
    userAgent: userAgent?.slice(0, MAX_USER_AGENT_LENGTH) ?? null,
    ip: c.req.header("cf-connecting-ip") ?? null,
    city: typeof cf?.city === "string" ? cf.city : null,
    country: typeof cf?.country === "string" ? cf.country : null,
  };
}
