/** The types every route and middleware shares: bindings and per-request variables. */
import type { SessionCache } from "./cache/session-cache";
import type { Config } from "./config";
import type { AuthOutcome } from "./observability/request-record";
import type { Database } from "./store/db";
import type { AuthenticatedSession } from "./store/tokens";

export interface AppEnv {
  Bindings: Env;
  Variables: {
    /** The request's clock reading (ms since the epoch), taken once: all expiry math uses it. */
    now: number;
    config: Config;
    /** The service's public origin: `SERVICE_ORIGIN`, or a loopback request's own (set by `checkHost()`). */
    serviceOrigin: string;
    db: Database;
    /** The session cache (`TOKEN_CACHE_TTL`): its methods do nothing while it is off. */
    sessionCache: SessionCache;
    /** Set by `authenticate()` on success. */
    session: AuthenticatedSession;
    /** Waits between mail delivery attempts (tests shorten them). */
    mailRetryDelaysMs: readonly number[] | undefined;
    /** The request's id (its `cf-ray`, else random), answered in `X-Request-Id` and put in every log line. */
    requestId: string;
    /** How authentication or a login went, for the request's log line (`markAuth`); unset where none ran. */
    authOutcome: AuthOutcome | undefined;
    /** The authenticated (or logged-in) user's `pk`, for the request's log line. */
    authUserId: number | undefined;
  };
}

/** Where the app reads the time. Tests inject a fixed or moving clock to cross expiry boundaries. */
export type Clock = () => number;
