/**
 * A complete `XXpsk2` handshake between two in-memory parties, for benchmarks and tests of the v3 transport: both
 * sides' transport ciphers, without a socket or a hub.
 *
 * @module
 */
import type { CryptoBackend } from '../backend.js';
import { NoiseHandshake, type NoiseTransportCiphers } from './handshake.js';
import type { NoiseSuite } from './patterns.js';

/** Fresh static keys, an all-zero PSK and an empty prologue; returns the initiator's and the responder's ciphers. */
export function xxTransportCiphers(
  suite: NoiseSuite,
  backend: CryptoBackend,
): [initiator: NoiseTransportCiphers, responder: NoiseTransportCiphers] {
  const common = { pattern: 'XXpsk2' as const, suite, prologue: new Uint8Array(0), psk: new Uint8Array(32) };
  const i = new NoiseHandshake(backend, {
    ...common,
    role: 'initiator',
    staticKeyPair: backend.x25519KeyPair(),
  });
  const r = new NoiseHandshake(backend, {
    ...common,
    role: 'responder',
    staticKeyPair: backend.x25519KeyPair(),
  });
  r.readMessage(i.writeMessage(new Uint8Array(0)));
  i.readMessage(r.writeMessage(new Uint8Array(0)));
  r.readMessage(i.writeMessage(new Uint8Array(0)));
  return [i.split(), r.split()];
}
