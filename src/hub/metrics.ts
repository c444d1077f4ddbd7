/**
 * The hub's Prometheus metrics (issue 17), kept in a prom-client {@link Registry} of its own (one per hub, so two
 * hubs in one process never mix), served by `GET /metrics` (`src/http/metrics.ts`). Names are prefixed
 * `hivelink_`; the README's "Metrics" lists them and `docs/grafana-dashboard.json` charts them.
 *
 * Counted as it happens, on the connection's path (one map lookup and an add per message, no allocation):
 * - `hivelink_handshakes_total{protocol}`: sessions that opened, by protocol version (2 legacy, 3 Noise);
 * - `hivelink_handshake_failures_total{code}`: connections that ended before their session opened, by error code;
 * - `hivelink_connection_failures_total{code}`: open sessions that ended on an error, by code;
 * - `hivelink_messages_total{type, direction}`: HiveMind messages by `msg_type`, `in` (from clients, before the
 *   policy stage) and `out` (sent to clients);
 * - `hivelink_denials_total{code}`: `hive.policy.denied` answers, by code (docs/PROTOCOL.md §7.2);
 * - `hivelink_turn_seconds` (histogram): a client's utterance (`recognizer_loop:utterance`) to the end of its turn
 *   (`ovos.utterance.handled` or `complete_intent_failure` sent back), the round trip a user waits for;
 * - `hivelink_agent_first_answer_seconds` (histogram): the utterance to the first message the agent sends back.
 *
 * Read when scraped: `hivelink_connections{protocol}`, `hivelink_inbound_queue_messages` (frames received and not
 * yet processed, all connections), `hivelink_outbound_buffered_bytes` (sealed and not yet written to the sockets),
 * and Node's process metrics with the same prefix (`hivelink_nodejs_eventloop_lag_seconds`, heap, CPU, …).
 *
 * The labels are bounded: `msg_type` is one of HiveMind's types (anything else is refused before it is counted as
 * `unknown`), codes come from the hub's own tables.
 *
 * @module
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { HiveMessageType } from '../protocol/message-types.js';

/** What the scrape-time gauges read of the live connections. */
export interface MetricsConnection {
  readonly protocolVersion: number;
  /** Frames received and waiting to be processed. */
  readonly inboundQueued: number;
  /** Bytes sent and not yet written to the socket. */
  readonly bufferedBytes: number;
}

let processMetrics: Registry | null = null;

/** Node's process metrics (event-loop lag, heap, CPU, GC), collected once per process whatever the hubs in it. */
function processRegistry(): Registry {
  if (processMetrics === null) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics, prefix: 'hivelink_' });
  }
  return processMetrics;
}

const KNOWN_TYPES: ReadonlySet<string> = new Set(Object.values(HiveMessageType));

/** Turn length buckets, in seconds: an intent match is milliseconds, a relayed question up to its timeout. */
const TURN_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Per-connection turn timing, kept on the connection (see {@link HubMetrics.utterance}). */
export interface TurnClock {
  /** `performance.now()` of the utterance that started the turn, or 0 when none is waiting. */
  startedAt: number;
  /** The first answer of this turn was seen. */
  answered: boolean;
}

export class HubMetrics {
  readonly registry = new Registry();
  readonly #handshakes: Counter<'protocol'>;
  readonly #handshakeFailures: Counter<'code'>;
  readonly #connectionFailures: Counter<'code'>;
  readonly #denials: Counter<'code'>;
  readonly #turn: Histogram;
  readonly #firstAnswer: Histogram;
  /**
   * Messages by type, as plain numbers: a message costs a map lookup and an add (prom-client would hash its labels
   * each time); they are handed to the counter when scraped.
   */
  readonly #in = new Map<string, number>();
  readonly #out = new Map<string, number>();

  /** @param connections - the hub's open connections, read at scrape time */
  constructor(connections: () => Iterable<MetricsConnection>) {
    const registers = [this.registry];
    this.#handshakes = new Counter({
      name: 'hivelink_handshakes_total',
      help: 'Sessions that opened, by protocol version (2 legacy, 3 Noise).',
      labelNames: ['protocol'],
      registers,
    });
    this.#handshakeFailures = new Counter({
      name: 'hivelink_handshake_failures_total',
      help: 'Connections that ended on an error before their session opened, by error code.',
      labelNames: ['code'],
      registers,
    });
    this.#connectionFailures = new Counter({
      name: 'hivelink_connection_failures_total',
      help: 'Open sessions that ended on an error, by error code.',
      labelNames: ['code'],
      registers,
    });
    const byType = { in: this.#in, out: this.#out };
    new Counter({
      name: 'hivelink_messages_total',
      help: 'HiveMind messages by msg_type: in from clients (before the policy stage), out to clients.',
      labelNames: ['type', 'direction'],
      registers,
      collect() {
        this.reset();
        for (const [direction, counts] of Object.entries(byType)) {
          for (const [type, n] of counts) this.inc({ type, direction }, n);
        }
      },
    });
    this.#denials = new Counter({
      name: 'hivelink_denials_total',
      help: 'hive.policy.denied answers, by code.',
      labelNames: ['code'],
      registers,
    });
    this.#turn = new Histogram({
      name: 'hivelink_turn_seconds',
      help: "A client's utterance to the end of its turn (ovos.utterance.handled or complete_intent_failure sent back).",
      buckets: TURN_BUCKETS,
      registers,
    });
    this.#firstAnswer = new Histogram({
      name: 'hivelink_agent_first_answer_seconds',
      help: "A client's utterance to the first message the agent sent back to it.",
      buckets: TURN_BUCKETS,
      registers,
    });
    new Gauge({
      name: 'hivelink_connections',
      help: 'Open sessions, by protocol version.',
      labelNames: ['protocol'],
      registers,
      collect() {
        this.reset();
        for (const conn of connections()) {
          if (conn.protocolVersion > 0) this.inc({ protocol: String(conn.protocolVersion) });
        }
      },
    });
    new Gauge({
      name: 'hivelink_inbound_queue_messages',
      help: 'Frames received from clients and not yet processed, all connections.',
      registers,
      collect() {
        let n = 0;
        for (const conn of connections()) n += conn.inboundQueued;
        this.set(n);
      },
    });
    new Gauge({
      name: 'hivelink_outbound_buffered_bytes',
      help: 'Bytes sent to clients and not yet written to their sockets, all connections.',
      registers,
      collect() {
        let n = 0;
        for (const conn of connections()) n += conn.bufferedBytes;
        this.set(n);
      },
    });
  }

  /** The text exposition of the hub's metrics, then of the process's. */
  async render(): Promise<string> {
    return (await this.registry.metrics()) + (await processRegistry().metrics());
  }

  /** A session opened with this protocol version. */
  opened(protocol: number): void {
    this.#handshakes.inc({ protocol: String(protocol) });
  }

  /** A connection ended on `code`; `wasOpen` tells a failed handshake from a failed session. */
  failed(code: string, wasOpen: boolean): void {
    (wasOpen ? this.#connectionFailures : this.#handshakeFailures).inc({ code });
  }

  /** One HiveMind message received from a client. */
  received(msgType: string): void {
    count(this.#in, msgType);
  }

  /** One HiveMind message sent to a client. */
  sent(msgType: string): void {
    count(this.#out, msgType);
  }

  denied(code: string): void {
    this.#denials.inc({ code });
  }

  /** A client said an utterance: its turn starts now. */
  utterance(clock: TurnClock): void {
    clock.startedAt = performance.now();
    clock.answered = false;
  }

  /** The agent sent `busType` to a client whose turn may be waiting: times its first answer and its end. */
  answered(clock: TurnClock, busType: unknown): void {
    if (clock.startedAt === 0) return;
    const seconds = (performance.now() - clock.startedAt) / 1000;
    if (!clock.answered) {
      clock.answered = true;
      this.#firstAnswer.observe(seconds);
    }
    if (busType === 'ovos.utterance.handled' || busType === 'complete_intent_failure') {
      this.#turn.observe(seconds);
      clock.startedAt = 0;
    }
  }
}

/** Adds one message of `msgType` (`unknown` for a type HiveMind does not have, so the labels stay bounded). */
function count(counts: Map<string, number>, msgType: string): void {
  const type = KNOWN_TYPES.has(msgType) ? msgType : 'unknown';
  counts.set(type, (counts.get(type) ?? 0) + 1);
}
