/**
 * One clear line for each way a terminal client can fail to reach or be answered by a hub: wrong password, access key
 * refused, hub unreachable, no answer in time, a changed hub key. Used by `hivelink ask`, `chat` and `satellite`.
 *
 * @module
 */
import { HiveLinkError, isHiveLinkError } from '../errors.js';

/** What the message needs to know about the connection attempt. */
export interface FailureContext {
  /** The hub URL as the user gave it. */
  url: string;
  /** `"host:port"` the hub key is pinned under. */
  hostPort: string;
  /** The ask timeout, for "no answer within N s". */
  timeoutMs?: number;
  /** True when a provisioned PSK was used instead of a password. */
  usedPsk?: boolean;
  /** The access key used, for the admin command a refusal names. */
  accessKey?: string;
}

/** Seconds for people: `10 s`, `2.5 s`. */
export function seconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

/** The hub's close reason inside an `HL_ERR_AUTH_REFUSED` message. */
function refusalReason(message: string): string {
  const m = /^the hub refused the connection: (.*)$/s.exec(message);
  return m === null ? message : m[1]!;
}

/** A socket error name (`ECONNREFUSED`, `ENOTFOUND`, …) in a message, if any. */
function socketErrorName(message: string): string | null {
  const m = /\b(E[A-Z]{3,})\b/.exec(message);
  return m === null ? null : m[1]!;
}

/**
 * The way forward when the TLS layer is the cause: a certificate the client does not trust, a `wss://` URL for a
 * plain hub, or a `ws://` URL for a TLS hub (which hangs up on a plain HTTP request). Null otherwise.
 */
function tlsHint(message: string, url: string): string | null {
  const untrusted =
    /self[- ]signed certificate|unable to (?:verify the first|get local issuer) certificate|certificate has expired|Hostname\/IP does not match/i.exec(
      message,
    );
  if (url.startsWith('wss://') && untrusted !== null) {
    return `the hub at ${url} has a TLS certificate this machine does not trust (${untrusted[0]}): pass --ca FILE with the hub's certificate (a self-signed hub keeps it in <data dir>/tls/hivelink.crt), or pin it with --fingerprint SHA256:… (hivelink hub prints it when it starts)`;
  }
  if (url.startsWith('wss://') && /wrong version number|packet length too long|EPROTO/i.test(message)) {
    return `the hub at ${url} does not speak TLS on this port: use ${url.replace(/^wss:/, 'ws:')}`;
  }
  if (url.startsWith('ws://') && /socket hang up|ECONNRESET/i.test(message)) {
    return `the hub at ${url} hung up on the plain websocket: if it serves TLS, use ${url.replace(/^ws:/, 'wss:')}`;
  }
  return null;
}

/** The one-line description of `error` (without the `hivelink: ` prefix). */
export function describeFailure(error: unknown, ctx: FailureContext): string {
  if (!isHiveLinkError(error)) return error instanceof Error ? error.message : String(error);
  const wrongSecret = ctx.usedPsk === true ? 'wrong PSK' : 'wrong password';
  switch (error.code) {
    case 'HL_ERR_NOISE_HANDSHAKE_FAILED':
    case 'HL_ERR_HANDSHAKE_VERIFY_FAILED':
      return wrongSecret;
    case 'HL_ERR_AUTH_REFUSED': {
      const reason = refusalReason(error.message);
      if (/password handshake verification failed|handshake failed at/i.test(reason)) return wrongSecret;
      if (/invalid authorization/i.test(reason)) return `access key refused (${reason})`;
      if (/noise key differs/i.test(reason)) {
        return `the hub knows this client by another device (${reason}): each device needs a client of its own (hivelink clients add); to move this client to this device, the hub admin runs: hivelink clients reset-noise-pin ${ctx.accessKey ?? 'NAME'} (its name or access key)`;
      }
      return `the hub refused the connection (${reason})`;
    }
    case 'HL_ERR_DOWNGRADE_REFUSED':
      return `the hub at ${ctx.hostPort} spoke Noise (v3) before, but now offered only the legacy handshake: refused, it may be a downgrade attack; if the hub really was set back to legacy, run again with --allow-legacy-fallback (or --protocol 2)`;
    case 'HL_ERR_NOISE_KEY_MISMATCH':
      return `the hub at ${ctx.hostPort} has a different Noise key than the one pinned for it; if that is expected (the hub was reinstalled), run: hivelink identity forget-hub ${ctx.hostPort}`;
    case 'HL_ERR_CONNECT_FAILED': {
      const tls = tlsHint(error.message, ctx.url);
      if (tls !== null) return tls;
      const name = socketErrorName(error.message);
      if (error.stage === 'client.connecting' || name !== null) {
        return `hub unreachable at ${ctx.url} (${name ?? error.message})`;
      }
      return `the hub at ${ctx.url} closed the connection during the handshake (${error.message})`;
    }
    case 'HL_ERR_HANDSHAKE_TIMEOUT':
      return `the hub at ${ctx.url} did not complete the handshake in time`;
    case 'HL_ERR_NOT_CONNECTED':
      return `could not connect to ${ctx.url} in time (${error.message})`;
    case 'HL_ERR_ASK_TIMEOUT':
      return ctx.timeoutMs === undefined ? 'no answer in time' : `no answer within ${seconds(ctx.timeoutMs)}`;
    case 'HL_ERR_CONNECTION_LOST': {
      const close = /\((close \d+[^)]*)\)/.exec(error.message);
      return `lost the connection to ${ctx.url} (${close === null ? error.message : close[1]})`;
    }
    default:
      return error.message;
  }
}

/** `error` as a {@link HiveLinkError} with the one-line description as its message (same code). */
export function clientFailure(error: unknown, ctx: FailureContext): HiveLinkError {
  const message = describeFailure(error, ctx);
  if (isHiveLinkError(error)) return new HiveLinkError(error.code, message, { cause: error });
  return new HiveLinkError('HL_ERR_INTERNAL', message, { cause: error });
}
