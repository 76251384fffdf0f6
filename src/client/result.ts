/**
 * What every call of the typed client resolves to: the service's body on success, or its exact error body
 * on failure, as a value (never thrown), so a form can show `error.username` or `error.non_field_errors`
 * without a try/catch. Only a programming error (a bad argument) throws.
 */

/** A call the service answered with a 2xx: `data` is its body (`undefined` for a 204). */
export interface ApiSuccess<T> {
  ok: true;
  status: number;
  data: T;
}

/**
 * A call that failed. `status` is the HTTP status, with `error` the service's JSON body exactly as sent
 * (e.g. `{"non_field_errors":["Unable to log in with provided credentials."]}`), or `null` when the answer
 * had no JSON body (a proxy's HTML page). `status` 0: the service was not reached at all (offline, DNS,
 * CORS refused), `error` is `null` and `cause` says why.
 */
export interface ApiFailure<E> {
  ok: false;
  status: number;
  error: E | null;
  cause?: unknown;
}

export type ApiResult<T, E> = ApiSuccess<T> | ApiFailure<E>;

/** What openapi-fetch resolves to: `data` on a 2xx, `error` (parsed JSON, else text) otherwise. */
interface FetchOutcome<T, E> {
  data?: T;
  error?: E | string;
  response: Response;
}

/** Runs one openapi-fetch call and turns its outcome, or the network failure it threw, into an ApiResult. */
export async function settle<T, E>(call: () => Promise<FetchOutcome<T, E>>): Promise<ApiResult<T, E>> {
  let outcome: FetchOutcome<T, E>;
  try {
    outcome = await call();
  } catch (cause) {
    return { ok: false, status: 0, error: null, cause };
  }
  const { response } = outcome;
  if (response.ok) return { ok: true, status: response.status, data: outcome.data as T };
  const body = outcome.error;
  const error = typeof body === "object" && body !== null ? body : null;
  return { ok: false, status: response.status, error };
}
