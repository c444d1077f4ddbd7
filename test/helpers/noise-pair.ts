import type { CryptoBackend } from '../../src/crypto/backend.js';
import { nodeBackend } from '../../src/crypto/backend.node.js';
import { NoiseHandshake, type NoiseSuite, type NoiseTransportCiphers } from '../../src/crypto/noise/index.js';

/**
 * Runs a complete in-memory `XXpsk2` handshake (fresh static keys, an all-zero PSK, an empty prologue) and
 * returns the initiator's and the responder's transport ciphers, for tests and benchmarks of the v3 transport.
 */
export function xxTransportCiphers(
  suite: NoiseSuite,
  backend: CryptoBackend = nodeBackend,
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
