/**
 * Signing in with a verified provider profile (API.md): the identity (issuer + subject) finds its user; a new
 * identity links to the existing account only when the provider marks its e-mail verified AND that account's
 * e-mail is verified too (anything less lets whoever controls an unverified address take the account over);
 * otherwise a new account is made, with a unique username and no usable password. Then a device session is
 * issued exactly as `login/` does. Every write of one sign-in is one batch: nothing is half-created.
 */
import type { BatchItem } from "drizzle-orm/batch";
import type { Context } from "hono";
import { canonicalEmail, canonicalUsername, normalizeEmail } from "../auth/identity";
import { randomBase62 } from "../auth/random";
import type { AppEnv } from "../context";
import type { IssuedSession } from "../core/auth";
import type { LoginReservation } from "../core/throttle";
import type { UserRow } from "../db/schema";
import { recordSignIn } from "../http/activity";
import { deviceOf } from "../http/device";
import type { PublicUser } from "../http/user-json";
import { beginSecondStep, type SecondStep } from "../mfa/second-step";
import { markAuth } from "../observability/middleware";
import { isUniqueViolation } from "../store/db";
import {
  findIdentity,
  insertIdentity,
  insertIdentityForUsername,
  type NewIdentity,
  takenUsernames,
  touchIdentity,
} from "../store/identities";
import { findUserByEmail } from "../store/users";
import { SOCIAL_MESSAGES, SocialSignInError } from "./errors";
import type { ProviderProfile } from "./id-token";
import { firstFree, usernameBase, usernameCandidates } from "./username";

/** Django's unusable password: `!` and 40 random characters (`make_password(None)`); no password matches it. */
export function unusablePassword(): string {
  return `!${randomBase62(40)}`;
}

/** A provider's sign-in: a session issued, or (the user has a second factor) the second step to pass first. */
export type SocialSignIn =
  | { issued: IssuedSession; user: PublicUser; secondStep?: undefined }
  | { secondStep: SecondStep; user: PublicUser; issued?: undefined };

/** Statements to run in a sign-in's batch (the identity's writes, the throttle's settlement). */
type Statements = readonly BatchItem<"sqlite">[];

/** The username or the address taken by another sign-up between our reads and our batch. */
class AccountTakenMeanwhile extends Error {}

/**
 * Signs the profile's owner in through `provider`, creating or linking the account first when needed.
 * `reservation`: this attempt's place in the login throttle, settled in the sign-in's batch when it succeeds.
 */
export async function signInWithProfile(
  c: Context<AppEnv>,
  provider: string,
  profile: ProviderProfile,
  client: string | null,
  reservation: LoginReservation,
): Promise<SocialSignIn> {
  // Two first sign-ins of one identity at once: the loser of the race finds the winner's identity on retry.
  for (let attempt = 0; ; attempt++) {
    try {
      return await attemptSignIn(c, provider, profile, client, reservation);
    } catch (error) {
      // The identity, the username or the address taken between our reads and our batch: read again.
      const race =
        error instanceof AccountTakenMeanwhile ||
        ["social_identities.issuer", "users.username_canonical", "users.email_canonical"].some((column) =>
          isUniqueViolation(error, column),
        );
      if (!race || attempt >= 2) throw error;
    }
  }
}

async function attemptSignIn(
  c: Context<AppEnv>,
  provider: string,
  profile: ProviderProfile,
  client: string | null,
  reservation: LoginReservation,
): Promise<SocialSignIn> {
  const db = c.get("db");
  const now = c.get("now");
  const found = await findIdentity(db, profile.issuer, profile.subject);
  if (found) {
    const user = requireActive(c, found.users);
    return issue(c, user, client, reservation, [touchIdentity(db, found.social_identities.id, now, profile.email)]);
  }

  const identity: NewIdentity = {
    id: randomBase62(22),
    provider,
    issuer: profile.issuer,
    subject: profile.subject,
    email: profile.email,
    createdMs: now,
  };
  const emailCanonical = profile.email ? canonicalEmail(profile.email) : null;
  const holder = emailCanonical ? await findUserByEmail(db, emailCanonical) : undefined;
  if (holder && profile.emailVerified && holder.emailVerified) {
    const user = requireActive(c, holder);
    return issue(c, user, client, reservation, [insertIdentity(db, user.id, identity)]);
  }

  // A new account. The address is kept only when no other account holds it (an unverified match never links,
  // and two accounts cannot share an address); it counts as verified only when the provider said so.
  const email = emailCanonical && !holder && profile.email ? normalizeEmail(profile.email) : null;
  const emailVerified = email !== null && profile.emailVerified;
  if (c.get("config").emailVerification === "mandatory" && !emailVerified) {
    markAuth(c, "login_failed");
    throw new SocialSignInError(SOCIAL_MESSAGES.unverified, "new account without a verified e-mail (mandatory)");
  }
  const candidates = usernameCandidates(usernameBase(profile.email, profile.username));
  const username = firstFree(candidates, await takenUsernames(db, candidates.map(canonicalUsername)));
  const usernameCanonical = canonicalUsername(username);
  const account = await c.get("auth").createAccount(
    {
      username,
      usernameCanonical,
      email,
      emailCanonical: email ? canonicalEmail(email) : null,
      passwordHash: unusablePassword(),
      dateJoinedMs: now,
      firstName: profile.firstName.slice(0, 150),
      lastName: profile.lastName.slice(0, 150),
      emailVerified,
      lastLoginMs: now,
    },
    deviceOf(c.req.raw, client),
    [insertIdentityForUsername(db, usernameCanonical, identity), ...c.get("auth").throttle.settleLogin(reservation)],
  );
  if ("taken" in account) throw new AccountTakenMeanwhile(`${account.taken} taken meanwhile`);
  const { user: created, issued } = account;
  if (!issued) throw new Error("social sign-up batch issued no session");
  // A brand-new account has no second factor: no MFA check needed here (see `issue`).
  recordSignIn(c, created, issued.session);
  markAuth(c, "login_ok", created.id);
  return { issued, user: created };
}

function requireActive(c: Context<AppEnv>, user: UserRow): UserRow {
  if (user.isActive) return user;
  markAuth(c, "login_failed");
  throw new SocialSignInError(SOCIAL_MESSAGES.inactive, "the account is inactive");
}

/** Issues a session to an existing user through the auth core, with `extra` writes of the same sign-in, in one batch. */
async function issue(
  c: Context<AppEnv>,
  user: UserRow,
  client: string | null,
  reservation: LoginReservation,
  extra: Statements,
): Promise<SocialSignIn> {
  const auth = c.get("auth");
  // API.md: "A user with a second factor still passes it (`mfa_required`)". Every sign-in of an existing account
  // through a provider passes here: a user with a factor gets the second step instead of a session (the
  // identity's writes in `extra` and the throttle's settlement still land with it).
  const secondStep = await beginSecondStep(c, user.id, canonicalUsername(user.username), client, [
    ...extra,
    ...auth.throttle.settleLogin(reservation),
  ]);
  if (secondStep) return { secondStep, user };
  const issued = await auth.issue(user.id, deviceOf(c.req.raw, client), { reservation, extra });
  recordSignIn(c, user, issued.session);
  markAuth(c, "login_ok", user.id);
  return { issued, user };
}
