/**
 * Test helpers: the real app over the real local D1 (migrated by the setup file), with an injectable clock
 * and environment overrides, spoken to through HTTP exactly as clients do.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { createApp } from "../src/app";
import type { MemoryLayer } from "../src/cache/memory-layer";

export const T0 = Date.UTC(2026, 11, 1, 10, 0, 0);

/** A clock tests move by hand. */
export class TestClock {
  constructor(public nowMs = T0) {}
  readonly read = () => this.nowMs;
  advance(ms: number): void {
    this.nowMs += ms;
  }
}

export interface CallOptions {
  clock?: TestClock;
  /** Waits between mail delivery attempts; none by default so tests never sleep. */
  mailRetryDelaysMs?: number[];
  /** Vars and bindings layered over the test environment. */
  env?: Record<string, unknown>;
  /** The session cache's isolate layer; a fresh one plays another isolate of the same data centre. */
  sessionMemory?: MemoryLayer;
}

/** Sends a request to a fresh app instance and waits for its background work. */
export async function call(path: string, init: RequestInit = {}, options: CallOptions = {}): Promise<Response> {
  const app = createApp({
    clock: options.clock?.read,
    mailRetryDelaysMs: options.mailRetryDelaysMs ?? [0, 0],
    sessionMemory: options.sessionMemory,
  });
  const ctx = createExecutionContext();
  const response = await app.request(
    new URL(path, "https://auth.example.com").toString(),
    init,
    { ...env, ...options.env },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return response;
}

export function json(method: string, body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) };
}

export function tokenHeader(key: string): Record<string, string> {
  return { authorization: `Token ${key}` };
}

let counter = 0;
/** A username no other test in the file uses. */
export function uniqueName(prefix = "user"): string {
  counter += 1;
  return `${prefix}${counter}_${Math.random().toString(36).slice(2, 8)}`;
}

export const PASSWORD = "correct horse battery staple";
/** The longest password any field accepts: 128 characters (code points; the key emoji is two UTF-16 units). */
export const LONGEST_PASSWORD = `${"🔑".repeat(8)}${"x1y2z3w4".repeat(15)}`;
export const TOO_LONG_PASSWORD = `${LONGEST_PASSWORD}!`;
export const TOO_LONG = "Ensure this field has no more than 128 characters.";

export interface Registered {
  username: string;
  key: string;
  pk: number;
}

export async function register(options: CallOptions & { username?: string; email?: string } = {}): Promise<Registered> {
  const username = options.username ?? uniqueName();
  const body: Record<string, string> = { username, password1: PASSWORD, password2: PASSWORD };
  if (options.email !== undefined) body.email = options.email;
  const response = await call("/auth/registration/", json("POST", body), options);
  if (response.status !== 201) throw new Error(`registration failed: ${response.status} ${await response.text()}`);
  const payload = (await response.json()) as { key: string; user: { pk: number } };
  return { username, key: payload.key, pk: payload.user.pk };
}

export async function login(username: string, options: CallOptions & { password?: string } = {}): Promise<string> {
  const response = await call(
    "/auth/login/",
    json("POST", { username, password: options.password ?? PASSWORD }),
    options,
  );
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { key: string }).key;
}

export interface ReceivedMail {
  contentType: string;
  body: { to: string; subject: string; text: string; kind: string; data: Record<string, string> };
}

/** A mailbox on the real HTTP receiver (test/setup/peers.ts): the URL to configure and a reader. */
export function mailbox(mode: "inbox" | "down" | `flaky/${number}` = "inbox") {
  const name = uniqueName("box");
  return {
    env: { MAIL_WEBHOOK_URL: `${env.PEERS_URL}/${mode}/${name}` },
    async read(): Promise<{ messages: ReceivedMail[]; attempts: number }> {
      const response = await fetch(`${env.PEERS_URL}/inbox/${name}`);
      return (await response.json()) as { messages: ReceivedMail[]; attempts: number };
    },
  };
}

/**
 * A D1 binding whose every query fails ("throwing", as the real one does when storage is unreachable) or never
 * answers ("hanging", a stalled database).
 */
export function brokenD1(mode: "throwing" | "hanging"): D1Database {
  const fail = () =>
    mode === "throwing" ? Promise.reject(new Error("D1_ERROR: Network connection lost.")) : new Promise(() => {});
  const statement = { bind: () => statement, all: fail, raw: fail, run: fail, first: fail };
  return {
    prepare: () => statement,
    batch: fail,
    exec: fail,
    dump: fail,
    withSession: () => brokenD1(mode),
  } as unknown as D1Database;
}

/** The real binding, recording the SQL of every statement prepared through it. */
export function recordingD1(db: D1Database): { db: D1Database; statements: string[]; batches: number } {
  const record = { statements: [] as string[], batches: 0 };
  const proxy = new Proxy(db, {
    get(target, property) {
      if (property === "prepare") {
        return (query: string) => {
          record.statements.push(query);
          return target.prepare(query);
        };
      }
      if (property === "batch") {
        return (statements: D1PreparedStatement[]) => {
          record.batches += 1;
          return target.batch(statements);
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return Object.assign(record, { db: proxy });
}

/** An origin bucket on the test peers: the ORIGIN_URL to configure and the calls it received. */
export function originBucket() {
  const bucket = uniqueName("origin");
  return {
    url: `${env.PEERS_URL}/origin/${bucket}`,
    async calls(): Promise<OriginCall[]> {
      return (await (await fetch(`${env.PEERS_URL}/calls/${bucket}`)).json()) as OriginCall[];
    },
  };
}

export interface OriginCall {
  method: string;
  path: string;
  /** The request-target as the origin received it, undecoded and unnormalised. */
  rawPath: string;
  headers: Record<string, string | undefined>;
  bodyLength: number;
  bodySha256: string;
}
