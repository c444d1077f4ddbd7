/**
 * Every in-process fuzz target, by name.
 *
 * @module
 */
import type { DecoderTarget } from './target.js';
import { CRYPTO_TARGETS } from './targets-crypto.js';
import { PROTOCOL_TARGETS } from './targets-protocol.js';
import { SESSION_TARGETS } from './targets-session.js';

export const DECODER_TARGETS: readonly DecoderTarget[] = [
  ...PROTOCOL_TARGETS,
  ...CRYPTO_TARGETS,
  ...SESSION_TARGETS,
];

export function decoderTarget(name: string): DecoderTarget | undefined {
  return DECODER_TARGETS.find((t) => t.name === name);
}
