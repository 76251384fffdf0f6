/** The types every route and middleware shares: bindings and per-request variables. */
import type { SessionCache } from "./cache/session-cache";
import type { Config } from "./config";
import type { Database } from "./store/db";
import type { AuthenticatedSession } from "./store/tokens";

export interface AppEnv {
  Bindings: Env;
  Variables: {
    /** The request's clock reading (ms since the epoch), taken once: all expiry math uses it. */
    now: number;
    config: Config;
    db: Database;
    /** The session cache (`TOKEN_CACHE_TTL`): its methods do nothing while it is off. */
    sessionCache: SessionCache;
    /** Set by `authenticate()` on success. */
    session: AuthenticatedSession;
    /** Waits between mail delivery attempts (tests shorten them). */
    mailRetryDelaysMs: readonly number[] | undefined;
  };
}

/** Where the app reads the time. Tests inject a fixed or moving clock to cross expiry boundaries. */
export type Clock = () => number;
