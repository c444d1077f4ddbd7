/**
 * What the parts of `hivelink bench` exchange: how to connect (credentials, protocol profile), and what a worker
 * reports back. Everything here crosses the IPC channel between the orchestrator and its worker processes, so it is
 * plain data (structured-clone serialisation).
 *
 * @module
 */
import type { LegacyCipherName } from '../crypto/legacy-cipher.js';
import type { NoiseSuite } from '../crypto/noise/index.js';
import type { EncodingName } from '../protocol/encodings.js';

/** The protocol generation a bench connection speaks. */
export type BenchProtocol = 'legacy' | 'v3';

/** How a bench connection talks to the hub. */
export interface ConnectionProfile {
  readonly protocol: BenchProtocol;
  /** Legacy only. */
  readonly cipher: LegacyCipherName;
  /** Legacy only. */
  readonly encoding: EncodingName;
  /** v3 only. */
  readonly suite: NoiseSuite;
  /** Ask for bitstring framing. */
  readonly binarize: boolean;
}

/** One client's credentials, as a connection presents them. */
export interface BenchCredentials {
  readonly accessKey: string;
  readonly password: string;
  /** The client's Noise static private key (64 hex): one key per access key, since the hub pins it. */
  readonly noisePrivateKey: string;
}

/** Where a worker connects. */
export type BenchTarget =
  | {
      readonly kind: 'hive';
      readonly url: string;
      readonly credentials: readonly BenchCredentials[];
      readonly profile: ConnectionProfile;
      /** The bus message type that ends a round trip. */
      readonly endType: string;
      readonly utterance: string;
    }
  | {
      /** A plain websocket echo server (the ceiling): one frame out, the same frame back. */
      readonly kind: 'echo';
      readonly url: string;
      readonly frameBytes: number;
    };

/** Errors seen by a worker, counted by message. */
export type ErrorCounts = Record<string, number>;

/** What a worker reports for a batch of connection attempts. */
export interface OpenReport {
  /** Time from opening the socket to an established session, per successful connection (ms). */
  readonly connectMs: Float64Array;
  readonly failed: number;
  readonly errors: ErrorCounts;
  /** Wall time of the whole batch (ms). */
  readonly elapsedMs: number;
  /** CPU time the worker process used for the batch (µs). */
  readonly cpuUs?: number;
}

/** What a worker reports for a batch of round trips. */
export interface RoundTripReport {
  /** Latency of each round trip that counted (ms). */
  readonly samples: Float64Array;
  readonly failed: number;
  readonly errors: ErrorCounts;
  /** CPU time the worker process used while measuring (µs), when it measured a window. */
  readonly cpuUs?: number;
}

/** Adds one occurrence of `message` to `counts`. */
export function countError(counts: ErrorCounts, message: string): void {
  counts[message] = (counts[message] ?? 0) + 1;
}

/** Merges error counts. */
export function mergeErrors(parts: readonly ErrorCounts[]): ErrorCounts {
  const out: ErrorCounts = {};
  for (const part of parts) for (const [k, n] of Object.entries(part)) out[k] = (out[k] ?? 0) + n;
  return out;
}

/** The most frequent error, as one line, or null. */
export function topError(counts: ErrorCounts): string | null {
  let best: string | null = null;
  let most = 0;
  for (const [message, n] of Object.entries(counts)) {
    if (n > most) {
      best = message;
      most = n;
    }
  }
  return best === null ? null : `${best} (×${most})`;
}
