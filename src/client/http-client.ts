/**
 * `HiveHttpClient`: asks a hub over its REST API (`POST /v1/ask`) with a bearer token, no websocket and no
 * handshake. Runs wherever a global `fetch` exists (browsers, Node ≥ 18, Deno, Bun, workers), or with the `fetch`
 * you pass. The hub's error answers become {@link HiveLinkError}s with the hub's code.
 *
 * @example
 * ```ts
 * import { HiveHttpClient } from 'hivelink/client';
 * const hub = new HiveHttpClient({ url: 'http://hub.local:5678', token: process.env.HIVELINK_TOKEN! });
 * const { answers, sessionId } = await hub.ask('tell me a joke');
 * await hub.ask('another one', { sessionId }); // the same conversation
 * ```
 *
 * @module
 */
import { ERROR_CODES, type ErrorCode, HiveLinkError } from '../errors.js';

/** The part of the WHATWG `fetch` the client uses. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal },
) => Promise<{ status: number; text(): Promise<string> }>;

/** Construction options of {@link HiveHttpClient}. */
export interface HiveHttpClientInit {
  /** The hub: `http(s)://host:port` (a `ws(s)://` hub URL is accepted and mapped to `http(s)://`). */
  url: string;
  /** A REST API token (`hivelink clients token ID`). */
  token: string;
  /** @default the global `fetch` */
  fetch?: FetchLike;
}

/** Per-call options of {@link HiveHttpClient.ask}. */
export interface HttpAskOptions {
  /** @default 'en-us' */
  lang?: string;
  /** Continue this conversation (a `sessionId` an earlier answer returned). @default a new session */
  sessionId?: string;
  /** How long the hub waits for its assistant (at most its `restAskTimeoutMs`). @default the hub's default */
  timeoutMs?: number;
  /** Aborts the request. */
  signal?: AbortSignal;
}

/** What {@link HiveHttpClient.ask} resolves with. */
export interface HttpAskResult {
  /** What the assistant said, in order. */
  answers: string[];
  /** False when the assistant did not understand. */
  handled: boolean;
  /** The session the turn ran in: pass it back to continue the conversation. */
  sessionId: string;
}

/** Extra time the request gets beyond `timeoutMs` before the client gives up on the hub itself. */
const RESPONSE_GRACE_MS = 5000;

function invalid(message: string): HiveLinkError {
  return new HiveLinkError('HL_ERR_INVALID_ARGUMENT', message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function baseUrl(url: unknown): string {
  if (typeof url !== 'string') throw invalid('url: must be a string');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `url: not a URL: ${JSON.stringify(url)}`, { cause });
  }
  const scheme = { 'http:': 'http:', 'https:': 'https:', 'ws:': 'http:', 'wss:': 'https:' }[parsed.protocol];
  if (scheme === undefined) throw invalid(`url: must be http(s):// or ws(s)://, got ${JSON.stringify(url)}`);
  if (parsed.search !== '' || parsed.hash !== '') throw invalid('url: must not have a query or fragment');
  if (parsed.username !== '' || parsed.password !== '') throw invalid('url: must not carry credentials');
  const path = parsed.pathname.endsWith('/') ? parsed.pathname : `${parsed.pathname}/`;
  return `${scheme}//${parsed.host}${path}`;
}

/** The error a hub error body names, else one for the bare status. */
function errorFrom(status: number, body: unknown): HiveLinkError {
  const error = isObject(body) && isObject(body.error) ? body.error : null;
  const code = error?.code;
  const message = typeof error?.message === 'string' ? error.message : `the hub answered HTTP ${status}`;
  if (typeof code === 'string' && Object.hasOwn(ERROR_CODES, code)) {
    return new HiveLinkError(code as ErrorCode, message);
  }
  const fallback: ErrorCode =
    status === 401
      ? 'HL_ERR_TOKEN_INVALID'
      : status === 408
        ? 'HL_ERR_ASK_TIMEOUT'
        : status === 429
          ? 'HL_ERR_RATE_LIMITED'
          : status === 400 || status === 413 || status === 415
            ? 'HL_ERR_BAD_REQUEST'
            : 'HL_ERR_INTERNAL';
  return new HiveLinkError(fallback, typeof code === 'string' ? `${message} (${code})` : message);
}

function parseResult(body: unknown): HttpAskResult {
  if (
    !isObject(body) ||
    !Array.isArray(body.answers) ||
    !body.answers.every((a) => typeof a === 'string') ||
    typeof body.handled !== 'boolean' ||
    typeof body.session_id !== 'string'
  ) {
    throw new HiveLinkError('HL_ERR_INVALID_MESSAGE', 'the hub answered with an unexpected body');
  }
  return { answers: [...(body.answers as string[])], handled: body.handled, sessionId: body.session_id };
}

/** A REST client of one hub, with one token. Stateless: share it freely. */
export class HiveHttpClient {
  readonly #askUrl: string;
  readonly #token: string;
  readonly #fetch: FetchLike;

  /** @throws HiveLinkError `HL_ERR_INVALID_ARGUMENT` naming a bad option, or when there is no `fetch` */
  constructor(init: HiveHttpClientInit) {
    if (!isObject(init)) throw invalid('options: must be an object');
    this.#askUrl = `${baseUrl(init.url)}v1/ask`;
    if (typeof init.token !== 'string' || !/^\S+$/.test(init.token)) {
      throw invalid('token: must be a non-empty string without spaces');
    }
    this.#token = init.token;
    const f = init.fetch ?? (globalThis.fetch as unknown as FetchLike | undefined);
    if (typeof f !== 'function') throw invalid('fetch: this runtime has no global fetch; pass one');
    this.#fetch = init.fetch ?? ((url, request) => globalThis.fetch(url, request));
  }

  /**
   * Asks the hub's assistant one utterance.
   * @throws HiveLinkError with the hub's code: `HL_ERR_TOKEN_INVALID` (401), `HL_ERR_POLICY_DENIED` /
   *   `HL_ERR_IP_DENIED` (403), `HL_ERR_ASK_TIMEOUT` (408, or no response in time), `HL_ERR_BODY_TOO_LARGE` (413),
   *   `HL_ERR_RATE_LIMITED` (429), `HL_ERR_HUB_UNAVAILABLE` (503), …; `HL_ERR_CONNECT_FAILED` when the hub cannot
   *   be reached; `HL_ERR_INVALID_ARGUMENT` for a bad argument
   */
  async ask(utterance: string, options: HttpAskOptions = {}): Promise<HttpAskResult> {
    if (typeof utterance !== 'string' || utterance.trim().length === 0) {
      throw invalid('utterance: must be a non-empty string');
    }
    const { lang, sessionId, timeoutMs, signal } = options;
    if (timeoutMs !== undefined && (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1)) {
      throw invalid('timeoutMs: must be a whole number of ms >= 1');
    }
    const body: Record<string, unknown> = { utterance, lang: lang ?? 'en-us' };
    if (sessionId !== undefined) body.session_id = sessionId;
    if (timeoutMs !== undefined) body.timeout_ms = timeoutMs;

    const controller = new AbortController();
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted === true) controller.abort();
    let gaveUp = false;
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            gaveUp = true;
            controller.abort();
          }, timeoutMs + RESPONSE_GRACE_MS);
    try {
      let status: number;
      let text: string;
      try {
        const res = await this.#fetch(this.#askUrl, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${this.#token}`,
            'content-type': 'application/json',
            accept: 'application/json',
          },
          body: JSON.stringify(body),
          signal: controller.signal,
        });
        status = res.status;
        text = await res.text();
      } catch (cause) {
        if (gaveUp) {
          throw new HiveLinkError('HL_ERR_ASK_TIMEOUT', `no response within ${timeoutMs} ms`, { cause });
        }
        if (signal?.aborted === true) throw new HiveLinkError('HL_ERR_CLIENT_CLOSED', 'aborted', { cause });
        const why = cause instanceof Error ? cause.message : String(cause);
        throw new HiveLinkError('HL_ERR_CONNECT_FAILED', `cannot reach the hub: ${why}`, { cause });
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (cause) {
        if (status !== 200) throw errorFrom(status, null);
        throw new HiveLinkError('HL_ERR_INVALID_JSON', 'the hub answered with a body that is not JSON', {
          cause,
        });
      }
      if (status !== 200) throw errorFrom(status, parsed);
      return parseResult(parsed);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }
}
