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
import { type DenialEntry, DenialLog } from './denial-log.js';

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

/** The counters the hub adds to as it happens, each with its one label. */
const COUNTERS = {
  handshakes: {
    name: 'hivelink_handshakes_total',
    help: 'Sessions that opened, by protocol version (2 legacy, 3 Noise).',
    label: 'protocol',
  },
  handshakeFailures: {
    name: 'hivelink_handshake_failures_total',
    help: 'Connections that ended on an error before their session opened, by error code.',
    label: 'code',
  },
  connectionFailures: {
    name: 'hivelink_connection_failures_total',
    help: 'Open sessions that ended on an error, by error code.',
    label: 'code',
  },
  denials: { name: 'hivelink_denials_total', help: 'hive.policy.denied answers, by code.', label: 'code' },
} as const;

type Counters = { readonly [K in keyof typeof COUNTERS]: Counter<(typeof COUNTERS)[K]['label']> };

/** The turn histograms (seconds, {@link TURN_BUCKETS}). */
const HISTOGRAMS = {
  turn: {
    name: 'hivelink_turn_seconds',
    help: "A client's utterance to the end of its turn (ovos.utterance.handled or complete_intent_failure sent back).",
  },
  firstAnswer: {
    name: 'hivelink_agent_first_answer_seconds',
    help: "A client's utterance to the first message the agent sent back to it.",
  },
} as const;

/** The gauges that add up one number of every live connection when scraped. */
const CONNECTION_SUMS: readonly { name: string; help: string; of: (conn: MetricsConnection) => number }[] = [
  {
    name: 'hivelink_inbound_queue_messages',
    help: 'Frames received from clients and not yet processed, all connections.',
    of: (conn) => conn.inboundQueued,
  },
  {
    name: 'hivelink_outbound_buffered_bytes',
    help: 'Bytes sent to clients and not yet written to their sockets, all connections.',
    of: (conn) => conn.bufferedBytes,
  },
];

/** What {@link HubMetrics.summary} answers: the numbers the admin page shows. */
export interface MetricsSummary {
  /** Open sessions by protocol version (`"2"`, `"3"`). */
  readonly connections: Readonly<Record<string, number>>;
  /** HiveMind messages received from clients and sent to them, every type. */
  readonly messages: { readonly in: number; readonly out: number };
  /** `hive.policy.denied` answers by code, and their sum. */
  readonly denials: { readonly total: number; readonly byCode: Readonly<Record<string, number>> };
  /** Turn latency from `hivelink_turn_seconds`, in ms (null before the first turn); estimated within its bucket. */
  readonly turn: { readonly count: number; readonly p50Ms: number | null; readonly p95Ms: number | null };
}

export interface HubMetricsOptions {
  /** Denials kept for the admin page (`recentDenials`). @default 100 */
  recentDenials?: number;
}

/**
 * The `q` quantile of a histogram from its cumulative buckets (upper bound, count), as Prometheus'
 * `histogram_quantile` estimates it: linear within the bucket it falls in; the highest finite bound beyond them.
 */
export function histogramQuantile(q: number, buckets: readonly (readonly [number, number])[]): number | null {
  const sorted = [...buckets].sort((a, b) => a[0] - b[0]);
  const total = sorted.at(-1)?.[1] ?? 0;
  if (total === 0) return null;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const [bound, count] of sorted) {
    if (count >= rank) {
      if (!Number.isFinite(bound)) return lower;
      const inBucket = count - below;
      return inBucket === 0 ? bound : lower + ((bound - lower) * (rank - below)) / inBucket;
    }
    if (Number.isFinite(bound)) lower = bound;
    below = count;
  }
  return lower;
}

export class HubMetrics {
  readonly registry = new Registry();
  /** The last denials, newest first on read (`GET /v1/admin/denials`). */
  readonly denials: DenialLog;
  readonly #connections: () => Iterable<MetricsConnection>;
  readonly #counters: Counters;
  readonly #histograms: { readonly [K in keyof typeof HISTOGRAMS]: Histogram };
  /**
   * Messages by type, as plain numbers: a message costs a map lookup and an add (prom-client would hash its labels
   * each time); they are handed to the counter when scraped.
   */
  readonly #in = new Map<string, number>();
  readonly #out = new Map<string, number>();

  /** @param connections - the hub's open connections, read at scrape time */
  constructor(connections: () => Iterable<MetricsConnection>, options: HubMetricsOptions = {}) {
    this.#connections = connections;
    this.denials = new DenialLog(options.recentDenials ?? 100);
    const registers = [this.registry];
    const counter = ({ name, help, label }: (typeof COUNTERS)[keyof typeof COUNTERS]) =>
      new Counter({ name, help, labelNames: [label], registers });
    this.#counters = {
      handshakes: counter(COUNTERS.handshakes),
      handshakeFailures: counter(COUNTERS.handshakeFailures),
      connectionFailures: counter(COUNTERS.connectionFailures),
      denials: counter(COUNTERS.denials),
    } as Counters;
    const histogram = ({ name, help }: { name: string; help: string }) =>
      new Histogram({ name, help, buckets: TURN_BUCKETS, registers });
    this.#histograms = { turn: histogram(HISTOGRAMS.turn), firstAnswer: histogram(HISTOGRAMS.firstAnswer) };
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
    for (const { name, help, of } of CONNECTION_SUMS) {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          let n = 0;
          for (const conn of connections()) n += of(conn);
          this.set(n);
        },
      });
    }
  }

  /** The text exposition of the hub's metrics, then of the process's. */
  async render(): Promise<string> {
    return (await this.registry.metrics()) + (await processRegistry().metrics());
  }

  /** A session opened with this protocol version. */
  opened(protocol: number): void {
    this.#counters.handshakes.inc({ protocol: String(protocol) });
  }

  /** A connection ended on `code`; `wasOpen` tells a failed handshake from a failed session. */
  failed(code: string, wasOpen: boolean): void {
    (wasOpen ? this.#counters.connectionFailures : this.#counters.handshakeFailures).inc({ code });
  }

  /** One HiveMind message received from a client. */
  received(msgType: string): void {
    count(this.#in, msgType);
  }

  /** One HiveMind message sent to a client. */
  sent(msgType: string): void {
    count(this.#out, msgType);
  }

  /** A `hive.policy.denied` answer: counted, and kept among the last denials when `entry` says what it was. */
  denied(code: string, entry?: Omit<DenialEntry, 'code'>): void {
    this.#counters.denials.inc({ code });
    if (entry !== undefined) this.denials.record({ ...entry, code });
  }

  /** The numbers of the admin page: connections by protocol, messages, denials, turn latency p50/p95. */
  async summary(): Promise<MetricsSummary> {
    const connections: Record<string, number> = {};
    for (const conn of this.#connections()) {
      if (conn.protocolVersion <= 0) continue;
      const key = String(conn.protocolVersion);
      connections[key] = (connections[key] ?? 0) + 1;
    }
    const sum = (counts: Map<string, number>) => [...counts.values()].reduce((a, b) => a + b, 0);
    const byCode: Record<string, number> = {};
    let total = 0;
    for (const v of (await this.#counters.denials.get()).values) {
      const code = String(v.labels.code);
      byCode[code] = (byCode[code] ?? 0) + v.value;
      total += v.value;
    }
    const buckets: [number, number][] = [];
    let count = 0;
    for (const v of (await this.#histograms.turn.get()).values) {
      if (v.metricName?.endsWith('_bucket') === true) {
        const le = v.labels.le;
        buckets.push([le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), v.value]);
      } else if (v.metricName?.endsWith('_count') === true) count = v.value;
    }
    const ms = (q: number) => {
      const seconds = histogramQuantile(q, buckets);
      return seconds === null ? null : Math.round(seconds * 100_000) / 100;
    };
    return {
      connections,
      messages: { in: sum(this.#in), out: sum(this.#out) },
      denials: { total, byCode },
      turn: { count, p50Ms: ms(0.5), p95Ms: ms(0.95) },
    };
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
      this.#histograms.firstAnswer.observe(seconds);
    }
    if (busType === 'ovos.utterance.handled' || busType === 'complete_intent_failure') {
      this.#histograms.turn.observe(seconds);
      clock.startedAt = 0;
    }
  }
}

/** Adds one message of `msgType` (`unknown` for a type HiveMind does not have, so the labels stay bounded). */
function count(counts: Map<string, number>, msgType: string): void {
  const type = KNOWN_TYPES.has(msgType) ? msgType : 'unknown';
  counts.set(type, (counts.get(type) ?? 0) + 1);
}
