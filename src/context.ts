/** The types every route and middleware shares: bindings and per-request variables. */
import type { Config } from "./config";
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
    /** Set by `authenticate()` on success. */
    session: AuthenticatedSession;
    /** Waits between mail delivery attempts (tests shorten them). */
    mailRetryDelaysMs: readonly number[] | undefined;
  };
}

/** Where the app reads the time. Tests inject a fixed or moving clock to cross expiry boundaries. */
export type Clock = () => number;
