import type { CryptoBackend } from '../../src/crypto/backend.js';
import { nodeBackend } from '../../src/crypto/backend.node.js';
import {
  type NoiseSuite,
  type NoiseTransportCiphers,
  xxTransportCiphers as pair,
} from '../../src/crypto/noise/index.js';

/** An in-memory `XXpsk2` handshake's two transport ciphers (see `src/crypto/noise/loopback.ts`), on Node's backend. */
export function xxTransportCiphers(
  suite: NoiseSuite,
  backend: CryptoBackend = nodeBackend,
): [initiator: NoiseTransportCiphers, responder: NoiseTransportCiphers] {
  return pair(suite, backend);
}
