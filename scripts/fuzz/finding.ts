/**
 * A finding as it travels from a worker to the report: plain data (structured-clone safe).
 *
 * @module
 */
import type { FindingKind } from './target.js';

export interface Finding {
  readonly target: string;
  readonly kind: FindingKind;
  /** The input's index in its target (rebuild it with `--target T --seed S --replay I`); null for live findings. */
  readonly index: number | null;
  readonly seed: number;
  /** The error's name and message, or what was seen. */
  readonly message: string;
  readonly stack: string | null;
  /** The input (or, for live findings, the last frames sent), as bytes. */
  readonly input: Uint8Array | null;
  /** How long the input took, when that is the finding. */
  readonly ms: number | null;
}

/** The name, message and stack of anything thrown. */
export function describeError(err: unknown): { message: string; stack: string | null } {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? `\ncaused by: ${err.cause.stack ?? err.cause.message}` : '';
    return { message: `${err.name}: ${err.message}`, stack: (err.stack ?? null) && `${err.stack}${cause}` };
  }
  return { message: `non-Error thrown: ${typeof err} ${String(err)}`, stack: null };
}
