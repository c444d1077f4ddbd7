/**
 * Runs a range of one target's inputs against the contract, timing each; used by the decoder workers and by
 * `--replay`. An input slower than the hang limit is built and run twice more, and is a finding only if it is slow
 * every time (a GC pause or a busy machine does not make one).
 *
 * @module
 */
import { availableParallelism, loadavg } from 'node:os';
import { describeError, type Finding } from './finding.js';
import { Rng } from './rng.js';
import { contractBreach, type DecoderTarget, type FuzzInput, type TargetContext } from './target.js';

/** Where a worker tells its parent which input it is on, so that a stuck one can be named. */
export interface Beacon {
  /** The input being run and since when (`Date.now()`), or 0 when between inputs. */
  enter(index: number): void;
  leave(): void;
}

export interface RangeOptions {
  readonly ctx: TargetContext;
  readonly target: DecoderTarget;
  readonly start: number;
  readonly end: number;
  readonly hangMs: number;
  readonly beacon?: Beacon;
  readonly onFinding: (finding: Finding) => void;
  /** Called after each input with the number done in this range. */
  readonly onProgress?: (done: number) => void;
  /** Return true to stop early (the time budget). */
  readonly shouldStop?: () => boolean;
}

/** The 1-minute load average per core, at least 1: how much slower than idle this machine runs now. */
export function loadFactor(): number {
  return Math.max(1, loadavg()[0]! / availableParallelism());
}

async function once(input: FuzzInput): Promise<{ ms: number; error: unknown; threw: boolean }> {
  const t0 = performance.now();
  try {
    const r = input.run();
    if (r instanceof Promise) await r;
    return { ms: performance.now() - t0, error: null, threw: false };
  } catch (error) {
    return { ms: performance.now() - t0, error, threw: true };
  }
}

/** Runs inputs `start..end-1`; resolves with how many ran. */
export async function runRange(o: RangeOptions): Promise<number> {
  const generate = o.target.make(o.ctx);
  const build = (i: number) => generate(Rng.forInput(o.ctx.seed, o.target.name, i));
  let done = 0;
  for (let i = o.start; i < o.end; i++) {
    if (o.shouldStop?.() === true) break;
    let input: FuzzInput;
    try {
      input = build(i);
    } catch (err) {
      // the generator itself failed: a bug in the fuzzer, reported so that it is not silently skipped
      o.onFinding(
        finding(
          o,
          i,
          'throw',
          { ...describeError(err), message: `input generator: ${describeError(err).message}` },
          null,
          null,
        ),
      );
      done++;
      continue;
    }
    o.beacon?.enter(i);
    let result = await once(input);
    // slow once may be the machine (a GC, another process): slow three times in a row is the input — and on a
    // machine with more runnable threads than cores, "slow" scales with the load
    const allowed = Math.max(o.hangMs, input.budgetMs ?? 0);
    const limit = result.ms > allowed ? allowed * loadFactor() : allowed;
    for (let again = 0; again < 2 && result.ms > limit; again++) {
      input = build(i);
      o.beacon?.enter(i);
      result = await once(input);
    }
    if (result.ms > limit) {
      o.onFinding(
        finding(
          o,
          i,
          'hang',
          { message: `took ${result.ms.toFixed(0)} ms (limit ${limit.toFixed(0)})`, stack: null },
          input,
          result.ms,
        ),
      );
    }
    o.beacon?.leave();
    if (!result.threw && input.check !== undefined) {
      try {
        input.check();
      } catch (error) {
        result = { ...result, error, threw: true };
      }
    }
    if (result.threw) {
      const breach = contractBreach(result.error);
      if (breach !== null)
        o.onFinding(finding(o, i, breach.kind, describeError(breach.error), input, result.ms));
    }
    done++;
    o.onProgress?.(done);
  }
  return done;
}

function finding(
  o: RangeOptions,
  index: number,
  kind: Finding['kind'],
  error: { message: string; stack: string | null },
  input: FuzzInput | null,
  ms: number | null,
): Finding {
  let bytes: Uint8Array | null = null;
  try {
    bytes = input?.bytes ?? null;
  } catch {
    bytes = null;
  }
  return {
    target: o.target.name,
    kind,
    index,
    seed: o.ctx.seed,
    message: error.message,
    stack: error.stack,
    input: bytes,
    ms,
  };
}
