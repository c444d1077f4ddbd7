/**
 * What one load-generator process does, operation by operation: open connections, run closed-loop or paced round
 * trips until a given time, a round trip on every connection, handshake bursts, and SDK satellites that ride out a
 * hub restart. The orchestrator calls these over IPC (`worker.ts`); they never run in the hub's process.
 *
 * @module
 */

import type { HiveClient } from '../client/hive-client.js';
import { createHiveClient } from '../client/index.js';
import { MemoryIdentityStore, MemoryPinStore } from '../client/stores.js';
import { HiveLinkError, isHiveLinkError } from '../errors.js';
import { decodeBytes } from '../protocol/encodings.js';
import {
  BenchClientContext,
  EchoLoadConnection,
  HiveLoadConnection,
  type LoadConnection,
  nowMs,
} from './connection.js';
import { SampleBuffer } from './stats.js';
import {
  type BenchCredentials,
  type BenchTarget,
  type ConnectionProfile,
  countError,
  type ErrorCounts,
  type OpenReport,
  type RoundTripReport,
} from './types.js';

/** Arguments of {@link BenchWorker.open}. */
export interface OpenArgs {
  target: BenchTarget;
  /** Connections to open (credentials are used round-robin). */
  count: number;
  /** Attempts in flight at once. */
  concurrency: number;
  handshakeTimeoutMs: number;
}

/** Arguments of {@link BenchWorker.loop}. */
export interface LoopArgs {
  /** Epoch ms: start sending. */
  startAt: number;
  /** Epoch ms: round trips started before this are warm-up and not counted. */
  measureFrom: number;
  /** Epoch ms: start no round trip after this. */
  endAt: number;
  /** Paced instead of closed loop: one round trip per connection every `intervalMs`. @default 0 (closed loop) */
  intervalMs?: number;
  roundTripTimeoutMs: number;
}

/** Arguments of {@link BenchWorker.handshakes}. */
export interface HandshakeArgs {
  target: Extract<BenchTarget, { kind: 'hive' }>;
  /** Handshakes to run; each connection closes once established. */
  total: number;
  concurrency: number;
  handshakeTimeoutMs: number;
}

/** Arguments of {@link BenchWorker.satellites}. */
export interface SatelliteArgs {
  target: Extract<BenchTarget, { kind: 'hive' }>;
  count: number;
  concurrency: number;
  /** SDK reconnect backoff. */
  initialDelayMs: number;
  maxDelayMs: number;
  handshakeTimeoutMs: number;
}

/** What the storm reports per worker. */
export interface StormReport {
  /** Epoch ms at which each satellite answered again after the drop. */
  readonly backAt: Float64Array;
  /** Satellites not back before the deadline. */
  readonly missing: number;
  readonly errors: ErrorCounts;
}

function message(err: unknown): string {
  return isHiveLinkError(err) ? err.message : err instanceof Error ? err.message : String(err);
}

function sleepUntil(at: number): Promise<void> {
  const wait = at - nowMs();
  return wait > 0 ? new Promise((resolve) => setTimeout(resolve, wait)) : Promise.resolve();
}

/** This process's CPU time between two epoch times (µs); `used()` reads it (so far, if the window is open). */
function cpuWindow(from: number, to: number): { used: () => number } {
  let start: NodeJS.CpuUsage | null = null;
  let total: number | null = null;
  const now = () => {
    const c = process.cpuUsage();
    return c.user + c.system;
  };
  const t1 = setTimeout(
    () => {
      const c = process.cpuUsage();
      start = c;
    },
    Math.max(0, from - nowMs()),
  );
  const t2 = setTimeout(
    () => {
      if (start !== null) total = now() - (start.user + start.system);
    },
    Math.max(0, to - nowMs()),
  );
  return {
    used: () => {
      clearTimeout(t1);
      clearTimeout(t2);
      if (total !== null) return total;
      return start === null ? 0 : now() - (start.user + start.system);
    },
  };
}

/** Runs `task(i)` for i in [0, count) with at most `concurrency` in flight. */
export async function runLimited(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, async () => {
    while (next < count) {
      const i = next++;
      await task(i);
    }
  });
  await Promise.all(lanes);
}

function openOne(
  context: BenchClientContext,
  target: BenchTarget,
  i: number,
  handshakeTimeoutMs: number,
): Promise<HiveLoadConnection | EchoLoadConnection> {
  if (target.kind === 'echo') return EchoLoadConnection.open(target.url, target.frameBytes);
  return HiveLoadConnection.open({
    context,
    url: target.url,
    credentials: target.credentials[i % target.credentials.length]!,
    profile: target.profile,
    utterance: target.utterance,
    endType: target.endType,
    handshakeTimeoutMs,
  });
}

/** One satellite of the storm: an SDK client that must come back and answer after the hub restarts. */
interface Satellite {
  client: HiveClient;
  dropped: boolean;
  asking: boolean;
  backAt: number | null;
}

/** The state and operations of one load-generator process. */
export class BenchWorker {
  readonly #context = new BenchClientContext();
  #connections: LoadConnection[] = [];
  #satellites: Satellite[] = [];
  #utterance = '';
  #stormDone: (() => void) | null = null;
  /** Epoch ms after which running loops start no new round trip (see {@link halt}). */
  #haltAt = Number.POSITIVE_INFINITY;

  /** Open connections. */
  get connectionCount(): number {
    return this.#connections.filter((c) => c.isOpen).length;
  }

  /** Opens `count` connections and keeps them for {@link loop} and {@link each}. */
  async open(args: OpenArgs): Promise<OpenReport> {
    const times = new SampleBuffer();
    const errors: ErrorCounts = {};
    let failed = 0;
    const started = nowMs();
    await runLimited(args.count, args.concurrency, async (i) => {
      try {
        const conn = await openOne(this.#context, args.target, i, args.handshakeTimeoutMs);
        this.#connections.push(conn);
        times.push(conn.connectMs);
      } catch (err) {
        failed += 1;
        countError(errors, message(err));
      }
    });
    return { connectMs: times.toArray(), failed, errors, elapsedMs: nowMs() - started };
  }

  /**
   * Round trips on every open connection from `startAt` until `endAt`: closed loop (the next one as soon as the
   * answer arrives) or paced. Round trips started before `measureFrom` are not counted.
   */
  async loop(args: LoopArgs): Promise<RoundTripReport> {
    const samples = new SampleBuffer();
    const errors: ErrorCounts = {};
    let failed = 0;
    const interval = args.intervalMs ?? 0;
    const sweeper = setInterval(
      () => {
        const before = nowMs() - args.roundTripTimeoutMs;
        for (const c of this.#connections) c.expire(before, args.roundTripTimeoutMs);
      },
      Math.min(1000, args.roundTripTimeoutMs),
    );
    this.#haltAt = Number.POSITIVE_INFINITY;
    const cpu = cpuWindow(args.measureFrom, args.endAt);
    await sleepUntil(args.startAt);
    const conns = this.#connections.filter((c) => c.isOpen);
    await Promise.all(
      conns.map(async (conn, k) => {
        // Paced connections start spread over one interval, so they do not all send at once.
        let due = args.startAt + (interval > 0 ? (interval * k) / conns.length : 0);
        while (conn.isOpen) {
          if (interval > 0) await sleepUntil(due);
          const t0 = nowMs();
          if (t0 >= args.endAt || t0 >= this.#haltAt) break;
          try {
            await conn.roundTrip();
            if (t0 >= args.measureFrom) samples.push(nowMs() - t0);
          } catch (err) {
            if (t0 >= args.measureFrom) {
              failed += 1;
              countError(errors, message(err));
            }
          }
          due += interval;
        }
      }),
    );
    clearInterval(sweeper);
    return { samples: samples.toArray(), failed, errors, cpuUs: cpu.used() };
  }

  /** Ends the running loops: no round trip starts from now on. */
  halt(): void {
    this.#haltAt = nowMs();
  }

  /** One round trip on every connection (`concurrency` at a time): are they all still usable? */
  async each(concurrency: number, roundTripTimeoutMs: number): Promise<RoundTripReport> {
    const samples = new SampleBuffer();
    const errors: ErrorCounts = {};
    let failed = 0;
    const conns = [...this.#connections];
    const sweeper = setInterval(() => {
      const before = nowMs() - roundTripTimeoutMs;
      for (const c of conns) c.expire(before, roundTripTimeoutMs);
    }, 250);
    await runLimited(conns.length, concurrency, async (i) => {
      const t0 = nowMs();
      try {
        await conns[i]!.roundTrip();
        samples.push(nowMs() - t0);
      } catch (err) {
        failed += 1;
        countError(errors, message(err));
      }
    });
    clearInterval(sweeper);
    return { samples: samples.toArray(), failed, errors };
  }

  /** `total` complete handshakes, `concurrency` at a time; each connection is closed once established. */
  async handshakes(args: HandshakeArgs): Promise<OpenReport> {
    const times = new SampleBuffer();
    const errors: ErrorCounts = {};
    let failed = 0;
    const started = nowMs();
    const cpu = process.cpuUsage();
    await runLimited(args.total, args.concurrency, async (i) => {
      try {
        const conn = await openOne(this.#context, args.target, i, args.handshakeTimeoutMs);
        times.push(conn.connectMs);
        conn.close();
      } catch (err) {
        failed += 1;
        countError(errors, message(err));
      }
    });
    const used = process.cpuUsage(cpu);
    return {
      connectMs: times.toArray(),
      failed,
      errors,
      elapsedMs: nowMs() - started,
      cpuUs: used.user + used.system,
    };
  }

  /**
   * Connects `count` SDK clients (`HiveClient`, with its own reconnect backoff) that stay connected. The v3 PSK is
   * derived once (as each client would have it cached from an earlier session) and handed to every client.
   */
  async satellites(args: SatelliteArgs): Promise<OpenReport> {
    const { target } = args;
    this.#utterance = target.utterance;
    const psk = target.profile.protocol === 'v3' ? await this.#probePsk(target) : null;
    const pins = new MemoryPinStore();
    const times = new SampleBuffer();
    const errors: ErrorCounts = {};
    let failed = 0;
    const started = nowMs();
    await runLimited(args.count, args.concurrency, async (i) => {
      const satellite = this.#makeSatellite(target, i, psk, pins, args);
      const t0 = nowMs();
      try {
        await satellite.client.connect();
        times.push(nowMs() - t0);
        this.#satellites.push(satellite);
      } catch (err) {
        failed += 1;
        countError(errors, message(err));
        satellite.client.close();
      }
    });
    return { connectMs: times.toArray(), failed, errors, elapsedMs: nowMs() - started };
  }

  /**
   * Resolves once every satellite has dropped, come back and answered one utterance, or at `deadline` (epoch ms).
   * Call before the hub is killed.
   */
  async storm(deadline: number, askTimeoutMs: number): Promise<StormReport> {
    const errors: ErrorCounts = {};
    const pending = () => this.#satellites.some((s) => s.backAt === null);
    const done = new Promise<void>((resolve) => {
      this.#stormDone = resolve;
    });
    for (const s of this.#satellites) {
      s.dropped = false;
      s.backAt = null;
    }
    const check = () => {
      if (!pending()) this.#stormDone?.();
    };
    const unsubscribes = this.#satellites.map((s) =>
      s.client.onState((state) => {
        if (state.type === 'reconnecting' || state.type === 'connecting') s.dropped = true;
        if (state.type === 'open' && s.dropped) this.#askBack(s, askTimeoutMs, errors, check);
        if (state.type === 'closed') countError(errors, `satellite stopped: ${message(state.error)}`);
      }),
    );
    const timer = setTimeout(() => this.#stormDone?.(), Math.max(0, deadline - nowMs()));
    check();
    await done;
    clearTimeout(timer);
    for (const u of unsubscribes) u();
    const back = this.#satellites.filter((s) => s.backAt !== null).map((s) => s.backAt!);
    return { backAt: Float64Array.from(back), missing: this.#satellites.length - back.length, errors };
  }

  /** Closes every connection and satellite. */
  close(): void {
    for (const c of this.#connections) c.close();
    for (const s of this.#satellites) s.client.close();
    this.#connections = [];
    this.#satellites = [];
  }

  #askBack(s: Satellite, askTimeoutMs: number, errors: ErrorCounts, check: () => void): void {
    if (s.asking || s.backAt !== null) return;
    s.asking = true;
    s.client.ask(this.#utterance, { timeoutMs: askTimeoutMs }).then(
      () => {
        s.asking = false;
        s.backAt = nowMs();
        check();
      },
      (err: unknown) => {
        s.asking = false;
        countError(errors, `ask after reconnect: ${message(err)}`);
        // Retried on the next 'open' (the client reconnects by itself).
      },
    );
  }

  #makeSatellite(
    target: Extract<BenchTarget, { kind: 'hive' }>,
    i: number,
    psk: Uint8Array | null,
    pins: MemoryPinStore,
    args: SatelliteArgs,
  ): Satellite {
    const cred = target.credentials[i % target.credentials.length]!;
    const profile = target.profile;
    const client = createHiveClient({
      url: target.url,
      accessKey: cred.accessKey,
      password: cred.password,
      ...(psk === null ? {} : { psk }),
      protocol: profile.protocol,
      ciphers: [profile.cipher],
      encodings: [profile.encoding],
      suites: [profile.suite],
      binarize: profile.binarize,
      useragent: 'hivelink-bench',
      siteId: 'bench',
      pinStore: pins,
      identityStore: new MemoryIdentityStore(decodeBytes('JSON-HEX', cred.noisePrivateKey)),
      reconnect: { initialDelayMs: args.initialDelayMs, maxDelayMs: args.maxDelayMs },
      limits: { handshakeTimeoutMs: args.handshakeTimeoutMs },
    });
    return { client, dropped: false, asking: false, backAt: null };
  }

  /** One handshake to learn the hub's node id; returns the v3 PSK of the (shared) password. */
  async #probePsk(target: Extract<BenchTarget, { kind: 'hive' }>): Promise<Uint8Array> {
    const cred: BenchCredentials = target.credentials[0]!;
    const probe = await HiveLoadConnection.open({
      context: this.#context,
      url: target.url,
      credentials: cred,
      profile: target.profile satisfies ConnectionProfile,
      utterance: target.utterance,
      endType: target.endType,
    });
    probe.close();
    const nodeId = probe.nodeId;
    if (nodeId === '') throw new HiveLinkError('HL_ERR_HANDSHAKE_UNEXPECTED', 'the hub sent no node id');
    for (const c of target.credentials) {
      if (c.password !== cred.password) {
        throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'storm satellites must share one password');
      }
    }
    return this.#context.derivePsk(cred.password, nodeId);
  }
}
