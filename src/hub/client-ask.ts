/**
 * Asking as a client without a websocket: the REST API's way into the hub. Each ask is a short-lived *virtual
 * connection*, a {@link HubPeer} registered under its own peer id `rest::<client_id>::<name>::<session_id>`, so the
 * utterance goes through the same policy check and injection as a websocket client's BUS message (allowed types,
 * session NAT, the client's blocked skills and intents merged into the session blacklists) and the agent's replies
 * come back through the same router, addressed by `context.destination`.
 *
 * ```
 *  ask() ──hub running? policy.admit? policy.check?──▶ register peer ──dispatch──▶ agent bus
 *                                                            │  (type ACL → deny)          │
 *                                                            ▼                             ▼
 *       resolve {answers, handled, ◀── TurnCollector (src/session/turn.ts) ◀── router (destination = peer)
 *                expectsResponse}      the same turn rule as the SDK's ask: speak… handled, a question
 *       reject HL_ERR_ASK_TIMEOUT          (expect_response), complete_intent_failure + the settle wait
 * ```
 *
 * @module
 */
import type { MessageData, SessionData } from '../bus/types.js';
import { HiveLinkError } from '../errors.js';
import type { JsonObject } from '../protocol/json.js';
import { createHiveMessage, type HiveMessage } from '../protocol/message.js';
import { HiveMessageType } from '../protocol/message-types.js';
import { FAILURE_SETTLE_MS, TurnCollector, type TurnEnd, UTTERANCE_TYPE } from '../session/turn.js';
import type { ClientRecord } from '../store/types.js';
import { type Timers, unrefTimers } from '../timers.js';
import { dispatch } from './handlers/index.js';
import { peerId } from './peers.js';
import { DenyCode, type Policy, type Verdict } from './policy/index.js';
import type { SessionNat } from './session-nat.js';
import type { HubContext, HubPeer, PeerSession } from './types.js';

/** The useragent part of a virtual connection's peer id. */
export const REST_USERAGENT = 'rest';
export { UTTERANCE_TYPE };

/** One utterance, as a client asks it. */
export interface ClientAskRequest {
  utterance: string;
  /** @default 'en-us' */
  lang?: string;
  /** The client's own session id (NAT'ed into its namespace on the agent bus). */
  sessionId: string;
}

/** Per-call options of {@link ClientAsks.ask}. */
export interface ClientAskOptions {
  /** How long to wait for the agent. @default the `restAskTimeoutMs` limit */
  timeoutMs?: number;
  /** How long to wait after `complete_intent_failure` for a fallback's answer. @default FAILURE_SETTLE_MS */
  failureSettleMs?: number;
  /** The caller's address, checked against the IP rules (global and the client's). Unchecked when absent. */
  ip?: string;
}

/** What an ask resolves with. */
export interface ClientAskResult {
  /** The spoken answers, in order. */
  answers: string[];
  /** False when the agent reported `complete_intent_failure` and no fallback spoke after it (not understood). */
  handled: boolean;
  /** The client's own session id. */
  sessionId: string;
  /** True when the timeout ended the turn after at least one answer (no `ovos.utterance.handled` came). */
  timedOut: boolean;
  /** True when the last answer asked a question (`expect_response`): the reply is the next ask, same session. */
  expectsResponse: boolean;
}

/** What {@link ClientAsks} needs from the hub. */
export interface ClientAsksHost {
  readonly ctx: HubContext;
  /** True while the hub takes new work. */
  isRunning(): boolean;
  /** The policy stage: admission and the per-message check, as for a websocket client. */
  readonly policy: Policy;
  /** The session NAT of a client. */
  nat(clientId: number): SessionNat;
  /** Open websocket connections (virtual ones count against `maxConnections` too). */
  connectionCount(): number;
  /** The client was seen (debounced last_seen). */
  touch(clientId: number): void;
}

/** A virtual connection: one ask of one client. Feeds what the router sends it to the turn's collector. */
class VirtualPeer implements HubPeer {
  readonly id: number;
  readonly useragent = REST_USERAGENT;
  readonly ip: string;
  readonly rateKey: string;
  readonly record: ClientRecord;
  readonly protocolVersion = 0;
  readonly siteId: string | null;
  readonly pubkey = null;
  readonly nat: SessionNat;
  readonly session: PeerSession;
  #peer: string;
  #turn: TurnCollector | null = null;

  constructor(init: {
    id: number;
    peer: string;
    ip: string;
    record: ClientRecord;
    nat: SessionNat;
    session: SessionData;
  }) {
    this.id = init.id;
    this.#peer = init.peer;
    this.ip = init.ip;
    this.rateKey = `rest:${init.record.id}`;
    this.record = init.record;
    this.siteId = init.record.siteId;
    this.nat = init.nat;
    this.session = { hello: init.session, latest: null };
  }

  /** Starts collecting: from now on BUS messages routed here go to `turn`. */
  collect(turn: TurnCollector): void {
    this.#turn = turn;
  }

  get peer(): string {
    return this.#peer;
  }

  get done(): boolean {
    return this.#turn?.done ?? false;
  }

  send(message: HiveMessage): boolean {
    const turn = this.#turn;
    if (turn === null || turn.done) return false;
    if (message.msg_type !== HiveMessageType.BUS) return true; // floods and pings mean nothing to one ask
    turn.receive(message.payload as unknown as MessageData);
    return true;
  }

  deny(deniedType: string, code: string, reason: string): void {
    this.fail(refusalOf({ kind: 'deny', deniedType, code, reason }));
  }

  close(error: HiveLinkError): void {
    this.fail(error);
  }

  applyHello(): void {
    // A virtual connection has no HELLO: its session comes with the request.
  }

  async rekey(): Promise<void> {
    throw new HiveLinkError('HL_ERR_HANDSHAKE_UNEXPECTED', 'a virtual connection has no handshake');
  }

  fail(error: HiveLinkError): void {
    this.#turn?.fail(error);
  }
}

/** The error a REST ask gets for a policy verdict (`rate_limited` and a flood close are both 429). */
function refusalOf(verdict: Exclude<Verdict, { kind: 'accept' }>): HiveLinkError {
  if (verdict.kind === 'close') return verdict.error;
  return verdict.code === DenyCode.RATE
    ? new HiveLinkError('HL_ERR_RATE_LIMITED', verdict.reason)
    : new HiveLinkError('HL_ERR_POLICY_DENIED', `${verdict.reason} (${verdict.code}, ${verdict.deniedType})`);
}

function invalid(message: string): HiveLinkError {
  return new HiveLinkError('HL_ERR_INVALID_ARGUMENT', message);
}

/** The asks in flight. Owned by the hub (`Hub.askAsClient`). */
export class ClientAsks {
  readonly #host: ClientAsksHost;
  readonly #timers: Timers;
  readonly #pending = new Set<VirtualPeer>();
  #serial = 0;
  #stopped = false;

  /** @param timers the ask and settle timers @default the global timers, unref'd */
  constructor(host: ClientAsksHost, timers: Timers = unrefTimers) {
    this.#host = host;
    this.#timers = timers;
  }

  /** Asks in flight. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /**
   * Asks the agent as `client` would over its websocket and collects the spoken answers with the SDK's turn rule
   * ({@link TurnCollector}): until the turn is handled, a skill asks a question (`expectsResponse: true`), it is
   * not understood (`handled: false`, after waiting `failureSettleMs` for a fallback), or `timeoutMs` passes (with
   * answers: `timedOut: true`).
   *
   * @throws HiveLinkError `HL_ERR_HUB_UNAVAILABLE` (hub not running), `HL_ERR_CLIENT_REVOKED`, `HL_ERR_IP_DENIED`,
   *   `HL_ERR_RATE_LIMITED`, `HL_ERR_POLICY_DENIED` (utterances not allowed for this client),
   *   `HL_ERR_TOO_MANY_CONNECTIONS` (the hub is at `maxConnections`), `HL_ERR_ASK_TIMEOUT` (nothing spoken in
   *   time), `HL_ERR_INVALID_ARGUMENT` (empty utterance, bad timeout)
   */
  async ask(
    client: ClientRecord,
    request: ClientAskRequest,
    options: ClientAskOptions = {},
  ): Promise<ClientAskResult> {
    const limits = this.#host.ctx.limits;
    const timeoutMs = options.timeoutMs ?? limits.restAskTimeoutMs;
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) {
      throw invalid('timeoutMs: must be a whole number of ms >= 1');
    }
    const failureSettleMs = options.failureSettleMs ?? FAILURE_SETTLE_MS;
    if (!Number.isSafeInteger(failureSettleMs) || failureSettleMs < 0) {
      throw invalid('failureSettleMs: must be a whole number of ms >= 0');
    }
    if (typeof request.utterance !== 'string' || request.utterance.trim().length === 0) {
      throw invalid('utterance: must be a non-empty string');
    }
    if (typeof request.sessionId !== 'string' || request.sessionId.length === 0) {
      throw invalid('sessionId: must be a non-empty string');
    }
    if (this.#stopped || !this.#host.isRunning()) {
      throw new HiveLinkError('HL_ERR_HUB_UNAVAILABLE', 'the hub is not running');
    }
    const ip = options.ip ?? '';
    const refusal = this.#host.policy.admit(client, ip);
    if (refusal !== null) throw refusal;
    if (this.#host.connectionCount() + this.#pending.size >= limits.maxConnections) {
      throw new HiveLinkError('HL_ERR_TOO_MANY_CONNECTIONS', 'too many connections');
    }
    this.#host.touch(client.id);
    const lang = request.lang ?? 'en-us';
    const session: SessionData = { session_id: request.sessionId, lang };
    const ctx = this.#host.ctx;
    const vp = new VirtualPeer({
      id: ++this.#serial,
      peer: ctx.peers.unique(peerId(REST_USERAGENT, client.id, client.name, request.sessionId)),
      ip,
      record: client,
      nat: this.#host.nat(client.id),
      session,
    });
    const payload = {
      type: UTTERANCE_TYPE,
      data: { utterances: [request.utterance], lang },
      context: { session: { ...session } },
    } as unknown as JsonObject;
    const message = createHiveMessage(HiveMessageType.BUS, payload, { source_peer: vp.peer });
    const verdict = this.#host.policy.check(vp, message);
    if (verdict.kind !== 'accept') throw refusalOf(verdict);
    const ended = new Promise<TurnEnd>((resolve) => {
      vp.collect(
        new TurnCollector({
          sessionId: request.sessionId,
          timeoutMs,
          failureSettleMs,
          timers: this.#timers,
          onEnd: resolve,
        }),
      );
    });
    this.#pending.add(vp);
    ctx.peers.add(vp);
    let end: TurnEnd;
    try {
      void dispatch(ctx, vp, message);
      end = await ended;
    } finally {
      ctx.peers.remove(vp);
      this.#pending.delete(vp);
    }
    if (end.type === 'error') throw end.error;
    return { ...end.result, sessionId: request.sessionId };
  }

  /** Ends every ask in flight with `HL_ERR_HUB_UNAVAILABLE`; later asks are refused. */
  stop(): void {
    this.#stopped = true;
    for (const peer of [...this.#pending]) {
      peer.fail(new HiveLinkError('HL_ERR_HUB_UNAVAILABLE', 'the hub is shutting down'));
    }
  }
}
