/**
 * The Noise Protocol Framework (rev 34) as HiveMind v3 uses it: patterns `XXpsk2` and `KKpsk0`, suites
 * `25519_ChaChaPoly_SHA256` and `25519_AESGCM_SHA256`, primitives injected through a `CryptoBackend`.
 *
 * @example
 * ```ts
 * const hs = new NoiseHandshake(backend, {
 *   pattern: 'XXpsk2', suite: '25519_ChaChaPoly_SHA256', role: 'initiator',
 *   prologue: buildNoisePrologue(hello, handshake, noiseProtocolName('XXpsk2', '25519_ChaChaPoly_SHA256')),
 *   psk, staticKeyPair,
 * });
 * const msg1 = hs.writeMessage(payload);
 * ```
 *
 * @module
 */
export { CipherState, type CipherStateOptions, noiseNonce } from './cipher-state.js';
export {
  MAX_HANDSHAKE_PAYLOAD_BYTES,
  NoiseHandshake,
  type NoiseHandshakeInit,
  type NoiseRole,
  type NoiseTransportCiphers,
} from './handshake.js';
export { xxTransportCiphers } from './loopback.js';
export {
  isNoisePattern,
  isNoiseSuite,
  NOISE_MAX_MESSAGE_BYTES,
  NOISE_PATTERNS,
  NOISE_SUITES,
  type NoisePattern,
  type NoiseSuite,
  noiseProtocolName,
} from './patterns.js';
export { buildNoisePrologue } from './prologue.js';
export { type NoiseOffer, type NoiseSelectOptions, selectNoiseOffer } from './select.js';
export { noiseHkdf, SymmetricState } from './symmetric-state.js';
