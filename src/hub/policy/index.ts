/**
 * The policy stage: the one place the hub decides who may connect and what each message may do, for websocket
 * and REST clients alike.
 *
 * ```
 *  websocket upgrade / REST token ──▶ authenticate (hook) ──▶ admit(record, ip) ──▶ connection / virtual peer
 *    (authenticator(): the failure budget and the password floor around every authenticator;
 *     connectionAuth(): each handshake attempt charged, refunded once the client proves the key; a legacy envelope
 *     another connection sent refused)
 *  each decrypted message ──▶ check(peer, message): guards (rate, …) ──▶ the type's authorizer ──▶ dispatch
 *                                   │ deny → hive.policy.denied          │ none → deny `unsupported`
 *                                   │ close → the connection closes      │
 * ```
 * Deny by default: a message type passes only when its authorizer accepts it, and a client is admitted only when
 * its record exists, is not revoked and the IP rules allow its address. Features that come later (consent, rooms,
 * relays, quotas) add a guard or an authorizer here, never a branch in a handler; handlers only route.
 *
 * @module
 */
import { HiveLinkError, isHiveLinkError } from '../../errors.js';
import { defaultLimits, LIMIT_DEFS } from '../../limits.js';
import type { HiveMessage } from '../../protocol/message.js';
import type { HiveMessageTypeName } from '../../protocol/message-types.js';
import type { ClientRecord, ClientStore } from '../../store/types.js';
import type { HubPeer } from '../types.js';
import {
  AuthThrottle,
  type AuthThrottleLimits,
  type AuthThrottleStats,
  authThrottleLimits,
  ConnectionAuth,
} from './auth-throttle.js';
import type { Authenticator } from './authenticate.js';
import { PolicyCache } from './cache.js';
import { PasswordPolicy } from './credentials.js';
import { RateLimiter } from './rate-limit.js';
import { EnvelopeReplayCache } from './replay-cache.js';
import {
  type Authorizer,
  authorizers,
  DenyCode,
  deny,
  type Guard,
  rateGuard,
  type Verdict,
} from './rules.js';

/** The failure budgets and per-connection charges around authentication: all of them. */
export * from './auth-throttle.js';
export { PolicyCache } from './cache.js';
export { PasswordPolicy } from './credentials.js';
export { RateLimiter } from './rate-limit.js';
export { EnvelopeReplayCache } from './replay-cache.js';
export {
  ACCEPT,
  type Authorizer,
  allowsBusType,
  BINARY_BUS_TYPE,
  DenyCode,
  type DenyCodeName,
  deny,
  type Guard,
  routingPermission,
  utteranceGuard,
  type Verdict,
} from './rules.js';

/** The limiter of an unlimited client: every message is accepted. */
const UNLIMITED: Pick<RateLimiter, 'take'> = { take: () => 'accept' };

/** What `GET /metrics` reports of authentication (`src/http/metrics.ts` `authMetrics`). */
export interface AuthStats extends AuthThrottleStats {
  /** Legacy envelopes refused as replays (HL_ERR_HANDSHAKE_REPLAYED). */
  replayed: number;
}

export interface PolicyInit {
  store: ClientStore;
  /** A client's messages per second when its record sets none. */
  defaultRatePerSecond: number;
  /** Rate limiters kept (least recently used dropped first; it then starts with a full bucket). */
  maxRateLimiters: number;
  /** Clock in ms. */
  now: () => number;
  /** Least estimated password entropy a client may connect with (0: no check). @default the limit's default */
  minPasswordBits?: number;
  /** The failure budget of authentication. @default from the limits' defaults */
  authThrottle?: AuthThrottleLimits;
  /** Legacy client envelopes remembered to refuse replays. @default the limit's default */
  legacyEnvelopeCacheSize?: number;
}

export class Policy {
  readonly cache: PolicyCache;
  readonly #init: PolicyInit;
  readonly #guards: Guard[] = [];
  /** Messages the rate limit does not count (a file transfer's chunks: its window bounds them instead). */
  readonly #rateExempt: ((peer: HubPeer, message: HiveMessage) => boolean)[] = [];
  readonly #authorizers = new Map<string, Authorizer>(Object.entries(authorizers));
  readonly #limiters = new Map<string, RateLimiter>();
  readonly #passwords: PasswordPolicy;
  readonly #throttle: AuthThrottle;
  readonly #envelopes: EnvelopeReplayCache;
  #connections = 0;

  constructor(init: PolicyInit) {
    this.#init = init;
    this.cache = new PolicyCache(init.store);
    this.#passwords = new PasswordPolicy(init.minPasswordBits ?? LIMIT_DEFS.minPasswordBits.default);
    this.#throttle = new AuthThrottle(init.authThrottle ?? authThrottleLimits(defaultLimits()), init.now);
    this.#envelopes = new EnvelopeReplayCache(
      init.legacyEnvelopeCacheSize ?? LIMIT_DEFS.legacyEnvelopeCacheSize.default,
    );
    const rate = rateGuard({ take: (peer) => this.#limiter(peer).take() });
    this.#guards.push((peer, message) =>
      this.#rateExempt.some((exempt) => exempt(peer, message)) ? null : rate(peer, message),
    );
  }

  /**
   * Lets the rate limit skip the messages `exempt` says are bounded otherwise: the chunks and acknowledgements of a
   * file transfer the client has open (its window of unacknowledged chunks bounds them, docs/PROTOCOL.md "Files and
   * jobs"). The message still passes every other guard and its type's authorizer.
   */
  exemptFromRate(exempt: (peer: HubPeer, message: HiveMessage) => boolean): void {
    this.#rateExempt.push(exempt);
  }

  /** Adds a rule every message passes (after the rate limit, before its type's authorizer). */
  addGuard(guard: Guard): void {
    this.#guards.push(guard);
  }

  /** Sets the authorizer of a message type (replacing the built-in one). */
  setAuthorizer(msgType: HiveMessageTypeName, authorizer: Authorizer): void {
    this.#authorizers.set(msgType, authorizer);
  }

  /**
   * Puts a rule in front of the authorizer of a message type: `wrap` gets the current authorizer (the built-in
   * one, or an earlier wrap) and returns the new one, so features stack (the house accepts a room's answer to a
   * relayed question; consent can refuse before). A type without an authorizer gets a denying one as `inner`.
   */
  wrapAuthorizer(msgType: HiveMessageTypeName, wrap: (inner: Authorizer) => Authorizer): void {
    const inner =
      this.#authorizers.get(msgType) ??
      (() => deny(msgType, DenyCode.UNSUPPORTED, `${msgType} messages are not supported`));
    this.#authorizers.set(msgType, wrap(inner));
  }

  /**
   * May `record` connect from `ip`? Null when it may; else the error to refuse it with: `HL_ERR_IP_DENIED` (the IP
   * rules, the client's then the global ones; checked first, so a denied address learns nothing about keys),
   * `HL_ERR_AUTH_INVALID` (no such client), `HL_ERR_CLIENT_REVOKED`. An empty `ip` (an in-process caller) skips
   * the IP rules.
   */
  admit(record: ClientRecord | null, ip: string): HiveLinkError | null {
    if (ip !== '' && !this.cache.ipAllowed(ip, record?.id ?? null)) {
      return new HiveLinkError('HL_ERR_IP_DENIED', 'ip denied');
    }
    if (record === null) return new HiveLinkError('HL_ERR_AUTH_INVALID', 'invalid authorization');
    if (record.revoked) return new HiveLinkError('HL_ERR_CLIENT_REVOKED', 'revoked');
    return null;
  }

  /**
   * `authenticate` with the policy's checks of a connection around it: an address or key whose failure budget is
   * spent is refused first (`HL_ERR_AUTH_THROTTLED`, close 1013; see `auth-throttle.ts`), an unknown key counts
   * against its address, and the credentials found must have a strong enough password (`HL_ERR_PASSWORD_WEAK`,
   * close 1008, unless the record allows a weak one). Every authenticator the hub uses, the default or an injected
   * one, goes through here.
   */
  authenticator(authenticate: Authenticator): Authenticator {
    return async (request) => {
      this.#throttle.check(null, request.ip);
      let credentials: Awaited<ReturnType<Authenticator>>;
      try {
        credentials = await authenticate(request);
      } catch (err) {
        if (isHiveLinkError(err, 'HL_ERR_AUTH_INVALID')) this.#throttle.unknownKey(request.ip);
        throw err;
      }
      this.#throttle.check(credentials.record.accessKey, request.ip);
      this.#passwords.check(credentials);
      return credentials;
    };
  }

  /**
   * The authentication of one connection of `record` from `ip`: the handshake charges each attempt to it and hands
   * it each legacy envelope (a replay is refused), and the connection refunds the charges once the client proves
   * the key.
   */
  connectionAuth(record: ClientRecord, ip: string): ConnectionAuth {
    this.#connections += 1;
    return new ConnectionAuth({
      throttle: this.#throttle,
      envelopes: this.#envelopes,
      clientId: record.id,
      key: record.accessKey,
      ip,
      serial: this.#connections,
    });
  }

  /** The authentication counters since the hub started (attempts, proven, throttled, unknown keys, replays). */
  authStats(): AuthStats {
    return { ...this.#throttle.stats(), replayed: this.#envelopes.refused };
  }

  /** The verdict on one message from `peer`, called once per message before dispatch. */
  check(peer: HubPeer, message: HiveMessage): Verdict {
    for (const guard of this.#guards) {
      const verdict = guard(peer, message);
      if (verdict !== null && verdict.kind !== 'accept') return verdict;
    }
    const authorize = this.#authorizers.get(message.msg_type);
    if (authorize === undefined) {
      return deny(message.msg_type, DenyCode.UNSUPPORTED, `${message.msg_type} messages are not supported`);
    }
    return authorize(peer, message);
  }

  /**
   * A frame from `peer` that could not be read (it decrypted, or was cleartext, but is not a valid message): it
   * counts against the rate like any message, so a stream of bad frames ends in a close, not a stream of answers.
   */
  malformed(peer: HubPeer, reason: string): Verdict {
    const decision = this.#limiter(peer, true).take();
    if (decision === 'close') {
      return { kind: 'close', error: new HiveLinkError('HL_ERR_RATE_LIMITED', 'rate limit exceeded') };
    }
    return deny('unknown', decision === 'deny' ? DenyCode.RATE : DenyCode.MALFORMED, reason);
  }

  /** Forgets the rate limiter of a connection that closed. */
  forget(peer: HubPeer): void {
    this.#limiters.delete(peer.rateKey);
  }

  /**
   * The rate limiter of `peer`'s connection. A record with rate 0 is unlimited (an admin's choice for a trusted
   * bridge, `--rate-limit unlimited`): its messages are not counted, but frames that cannot be read still are, at the
   * hub default, so even an unlimited client cannot flood the hub with garbage.
   */
  #limiter(peer: HubPeer, malformed = false): Pick<RateLimiter, 'take'> {
    const own = peer.record.rateLimitPerSecond;
    if (own === 0 && !malformed) return UNLIMITED;
    const rate = own === null || own === 0 ? this.#init.defaultRatePerSecond : own;
    const key = peer.rateKey;
    let limiter = this.#limiters.get(key);
    if (limiter === undefined) {
      limiter = new RateLimiter(rate, this.#init.now);
      if (this.#limiters.size >= this.#init.maxRateLimiters) {
        const oldest = this.#limiters.keys().next().value;
        if (oldest !== undefined) this.#limiters.delete(oldest);
      }
      this.#limiters.set(key, limiter);
      return limiter;
    }
    limiter.setRate(rate);
    // Least recently used goes first: a busy connection's limiter moves to the end.
    this.#limiters.delete(key);
    this.#limiters.set(key, limiter);
    return limiter;
  }
}
