/**
 * What an in-process fuzz target is, and the contract every input is held to: the decoder returns, or throws a
 * {@link HiveLinkError} with a registered code. Anything else — a TypeError, a RangeError, a string thrown, a
 * HiveLinkError with an unknown code, an input that takes longer than the hang limit — is a finding. Some targets
 * add an oracle (a forged frame that decrypts, two codecs that disagree, a decoded message that cannot be encoded
 * again); those throw an {@link OracleFailure}.
 *
 * @module
 */
import { inspect } from 'node:util';
import type { CryptoBackend } from '../../src/crypto/backend.js';
import { nodeBackend } from '../../src/crypto/backend.node.js';
import { ERROR_CODES, HiveLinkError } from '../../src/errors.js';
import { buildCorpus, type Corpus } from './corpus.js';
import type { Rng } from './rng.js';

/** The kinds of finding. */
export type FindingKind =
  /** A decoder threw something other than a HiveLinkError. */
  | 'throw'
  /** An input took longer than the hang limit (twice), or never returned. */
  | 'hang'
  /** A mutated frame authenticated. */
  | 'forgery'
  /** Two implementations that must agree (node and browser codecs, pako and node:zlib) did not. */
  | 'divergence'
  /** A decoded message could not be encoded again, or came back different. */
  | 'roundtrip'
  /** The live hub process exited. */
  | 'crash'
  /** The live hub closed a connection with 1011 or logged an error. */
  | 'internal-error'
  /** The live hub missed a health check or its event loop stalled. */
  | 'unresponsive';

/** An oracle saw a wrong result (not a crash): reported as a finding of `kind`. */
export class OracleFailure extends Error {
  override readonly name = 'OracleFailure';
  constructor(
    readonly kind: FindingKind,
    message: string,
  ) {
    super(message);
  }
}

/** One input, ready to run. */
export interface FuzzInput {
  /**
   * The input as bytes for the report (a printed form for inputs that are JS values, not bytes). Read after `run`:
   * the handshake targets build their later messages while running, from the answers they get.
   */
  readonly bytes: Uint8Array;
  /** Feeds the input to the decoder (timed against the hang limit). */
  run(): void | Promise<void>;
  /**
   * A time this input may take, above the hang limit: for inputs built to sit at a configured limit (a zlib bomb
   * inflating to the 16 MiB `maxDecompressedBytes` costs tens of ms by design). @default none
   */
  readonly budgetMs?: number;
  /** The oracle, after `run` returned: checks what it decoded (not timed: it encodes again, which costs more). */
  check?(): void;
}

/** An in-process target: `make` is called once per worker and returns the input generator. */
export interface DecoderTarget {
  readonly name: string;
  /** What it feeds, for `--list`. */
  readonly summary: string;
  make(ctx: TargetContext): (rng: Rng) => FuzzInput;
}

/** A target whose inputs need nothing made once per worker, for {@link inputTarget}. */
export interface InputTargetSpec {
  readonly name: string;
  /** What it feeds, for `--list`. */
  readonly summary: string;
  /** Builds one input from the worker's context and the input's rng. */
  input(ctx: TargetContext, rng: Rng): FuzzInput;
}

/** The {@link DecoderTarget} of `spec`: its `make` hands each rng to `spec.input`. */
export function inputTarget(spec: InputTargetSpec): DecoderTarget {
  return { name: spec.name, summary: spec.summary, make: (ctx) => (rng) => spec.input(ctx, rng) };
}

/** What every target shares in one worker: the corpus and some keys. */
export interface TargetContext {
  readonly seed: number;
  readonly corpus: Corpus;
  readonly backend: CryptoBackend;
  /**
   * The node backend with PBKDF2 at one iteration: the legacy handshake's key derivation costs 100 000 iterations
   * (tens of ms), which would make the handshake targets measure PBKDF2 instead of the parsing around it.
   */
  readonly fastKdfBackend: CryptoBackend;
}

export function buildContext(seed: number): TargetContext {
  return {
    seed,
    corpus: buildCorpus(seed),
    backend: nodeBackend,
    fastKdfBackend: Object.freeze({
      ...nodeBackend,
      pbkdf2Sha256: (password: Uint8Array, salt: Uint8Array, _iterations: number, length: number) =>
        nodeBackend.pbkdf2Sha256(password, salt, 1, length),
    }),
  };
}

/** Null when `err` keeps the contract (a HiveLinkError with a registered code); else why it does not. */
export function contractBreach(err: unknown): { kind: FindingKind; error: unknown } | null {
  if (err instanceof OracleFailure) return { kind: err.kind, error: err };
  if (err instanceof HiveLinkError && Object.hasOwn(ERROR_CODES, err.code)) return null;
  return { kind: 'throw', error: err };
}

/**
 * Runs `fn`; a HiveLinkError is swallowed (returns undefined), anything else propagates. For steps inside one input
 * after which the input goes on (the next frame on the same channel).
 */
export function tolerate<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    if (contractBreach(err) === null) return undefined;
    throw err;
  }
}

export async function tolerateAsync<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (contractBreach(err) === null) return undefined;
    throw err;
  }
}

const utf8 = new TextEncoder();

/** UTF-8 bytes of a string (lone surrogates become U+FFFD: the report shows the input as the wire would carry it). */
export function utf8Bytes(text: string): Uint8Array {
  return utf8.encode(text);
}

/** A printable form of a JS value input, as bytes. */
export function describeValue(value: unknown): Uint8Array {
  let text: string;
  try {
    text = JSON.stringify(value) ?? inspect(value, { depth: 6 });
  } catch {
    text = inspect(value, { depth: 6, maxArrayLength: 20, maxStringLength: 200 });
  }
  return utf8.encode(text.length > 1_000_000 ? text.slice(0, 1_000_000) : text);
}

/** Byte equality. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `JSON.stringify`, or undefined for values it cannot write (too deep for its stack, BigInt). */
export function stringifyOrUndefined(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}
