/**
 * The Noise patterns and cipher suites HiveMind v3 uses (docs/PROTOCOL.md §3.5), written as token lists the way the
 * Noise Protocol Framework (rev 34, §7 and §9) defines them.
 *
 * - `XXpsk2`: `-> e` / `<- e, ee, s, es, psk` / `-> s, se` (trust on first use, then pin).
 * - `KKpsk0`: pre-messages `-> s` and `<- s`, then `-> psk, e, es, ss` / `<- e, ee, se` (both keys pinned).
 *
 * @module
 */
import type { AeadAlgorithm } from '../backend.js';

/** The Noise patterns hivelink speaks, in order of preference when nothing is pinned. */
export const NOISE_PATTERNS = ['XXpsk2', 'KKpsk0'] as const;
export type NoisePattern = (typeof NOISE_PATTERNS)[number];

/** The Noise suites hivelink speaks, in the client's order of preference (§3.5: ChaChaPoly first). */
export const NOISE_SUITES = ['25519_ChaChaPoly_SHA256', '25519_AESGCM_SHA256'] as const;
export type NoiseSuite = (typeof NOISE_SUITES)[number];

/** A handshake token of the Noise pattern language. */
export type NoiseToken = 'e' | 's' | 'ee' | 'es' | 'se' | 'ss' | 'psk';

/** One pattern as data: which static keys are known in advance, and the tokens of each message in turn. */
export interface NoisePatternDef {
  /** True when the initiator's static key is a pre-message (`-> s`). */
  readonly initiatorStaticPremessage: boolean;
  /** True when the responder's static key is a pre-message (`<- s`). */
  readonly responderStaticPremessage: boolean;
  /** Message `i` (0-based) is sent by the initiator when `i` is even, by the responder when odd. */
  readonly messages: readonly (readonly NoiseToken[])[];
}

export const NOISE_PATTERN_DEFS: { readonly [P in NoisePattern]: NoisePatternDef } = {
  XXpsk2: {
    initiatorStaticPremessage: false,
    responderStaticPremessage: false,
    messages: [['e'], ['e', 'ee', 's', 'es', 'psk'], ['s', 'se']],
  },
  KKpsk0: {
    initiatorStaticPremessage: true,
    responderStaticPremessage: true,
    messages: [
      ['psk', 'e', 'es', 'ss'],
      ['e', 'ee', 'se'],
    ],
  },
};

/** The AEAD algorithm and nonce byte order of each suite (Noise §12.3, §12.4). */
export const NOISE_SUITE_AEAD: {
  readonly [S in NoiseSuite]: { readonly alg: AeadAlgorithm; readonly nonceLittleEndian: boolean };
} = {
  '25519_ChaChaPoly_SHA256': { alg: 'chacha20-poly1305', nonceLittleEndian: true },
  '25519_AESGCM_SHA256': { alg: 'aes-256-gcm', nonceLittleEndian: false },
};

/** Noise's DHLEN for 25519 and HASHLEN for SHA256. */
export const NOISE_DH_BYTES = 32;
export const NOISE_HASH_BYTES = 32;
/** Noise §3: no message, handshake or transport, may be longer than this. */
export const NOISE_MAX_MESSAGE_BYTES = 65535;

/** True when `value` names a pattern hivelink implements. */
export function isNoisePattern(value: unknown): value is NoisePattern {
  return typeof value === 'string' && (NOISE_PATTERNS as readonly string[]).includes(value);
}

/** True when `value` names a suite hivelink implements. */
export function isNoiseSuite(value: unknown): value is NoiseSuite {
  return typeof value === 'string' && (NOISE_SUITES as readonly string[]).includes(value);
}

/** The full protocol name, e.g. `Noise_XXpsk2_25519_ChaChaPoly_SHA256`. */
export function noiseProtocolName(pattern: NoisePattern, suite: NoiseSuite): string {
  return `Noise_${pattern}_${suite}`;
}
