/**
 * Client-side choice of the Noise pattern and suite from the server's offer (docs/PROTOCOL.md §3.5).
 *
 * @module
 */
import { isNoiseSuite, NOISE_SUITES, type NoisePattern, type NoiseSuite } from './patterns.js';

/** The `noise` object of a server HANDSHAKE request. Read from the wire, so its fields are checked. */
export interface NoiseOffer {
  readonly patterns: readonly string[];
  readonly suites: readonly string[];
}

/** What the client can do. */
export interface NoiseSelectOptions {
  /**
   * The suites this client accepts, in its order of preference.
   * @default NOISE_SUITES (ChaChaPoly, then AESGCM)
   */
  readonly suites?: readonly NoiseSuite[];
  /**
   * The hub's Noise static key pinned for this `host:port`, if any; `KKpsk0` is chosen only with one.
   * @default null
   */
  readonly pinnedServerKey?: Uint8Array | null;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * Picks `{ pattern, suite }`: the first suite in the client's own order that the server offers; `KKpsk0` when the
 * client holds a pinned server key and the server offers it, otherwise `XXpsk2`. Returns null when nothing fits
 * (no offer, no common suite, or only `KKpsk0` offered without a pin).
 */
export function selectNoiseOffer(
  serverOffer: NoiseOffer | undefined,
  options: NoiseSelectOptions = {},
): { pattern: NoisePattern; suite: NoiseSuite } | null {
  if (typeof serverOffer !== 'object' || serverOffer === null) return null;
  const offeredPatterns = stringList(serverOffer.patterns);
  const offeredSuites = stringList(serverOffer.suites);
  const mine = (options.suites ?? NOISE_SUITES).filter(isNoiseSuite);
  const suite = mine.find((s) => offeredSuites.includes(s));
  if (suite === undefined) return null;
  const pinned = options.pinnedServerKey instanceof Uint8Array && options.pinnedServerKey.length === 32;
  if (pinned && offeredPatterns.includes('KKpsk0')) return { pattern: 'KKpsk0', suite };
  if (offeredPatterns.includes('XXpsk2')) return { pattern: 'XXpsk2', suite };
  return null;
}
