/**
 * The channels compress bitstrings with the zlib codec they are given: the backend's for legacy channels (node:zlib
 * in Node), the one passed in for v3 channels.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CryptoBackend } from '../../../src/crypto/backend.js';
import { nodeBackend } from '../../../src/crypto/backend.node.js';
import { createHiveMessage } from '../../../src/protocol/message.js';
import { HiveMessageType } from '../../../src/protocol/message-types.js';
import { pakoZlib, type ZlibCodec } from '../../../src/protocol/zlib.js';
import { LegacyChannel, V3Channel } from '../../../src/session/channel.js';
import { V3Transport } from '../../../src/session/v3-transport.js';
import { xxTransportCiphers } from '../../helpers/noise-pair.js';

function counting(codec: ZlibCodec): ZlibCodec & { calls: number } {
  const out = {
    calls: 0,
    deflate: (b: Uint8Array) => {
      out.calls++;
      return codec.deflate(b);
    },
    inflate: (b: Uint8Array, max: number) => {
      out.calls++;
      return codec.inflate(b, max);
    },
  };
  return out;
}

const message = createHiveMessage(HiveMessageType.BUS, {
  type: 'speak',
  data: { utterance: 'compressed' },
  context: {},
});

describe('bitstring compression in the channels', () => {
  it("legacy channels use their backend's zlib (node:zlib in Node)", () => {
    assert.notEqual(nodeBackend.zlib, pakoZlib);
    const zlib = counting(nodeBackend.zlib);
    const backend: CryptoBackend = { ...nodeBackend, zlib };
    const init = {
      key: new Uint8Array(32).fill(3),
      cipher: 'AES-GCM',
      encoding: 'JSON-HEX',
      binarize: true,
    } as const;
    const a = new LegacyChannel(backend, init);
    const b = new LegacyChannel(backend, init);
    const [frame] = a.seal(message);
    assert.equal(frame!.kind, 'binary');
    assert.equal(zlib.calls, 2);
    assert.deepEqual(b.open(frame!).payload, message.payload);
    assert.equal(zlib.calls, 4);
  });

  it('v3 channels use the codec they are given', () => {
    const suite = '25519_ChaChaPoly_SHA256' as const;
    const [i, r] = xxTransportCiphers(suite);
    const zlib = counting(nodeBackend.zlib);
    const a = new V3Channel({
      transport: new V3Transport(i),
      suite,
      binarize: true,
      zlib,
    });
    const b = new V3Channel({
      transport: new V3Transport(r),
      suite,
      binarize: true,
      zlib,
    });
    const frames = a.seal(message);
    assert.equal(zlib.calls, 2);
    assert.deepEqual(b.open(frames[0]!)?.payload, message.payload);
    assert.equal(zlib.calls, 4);
  });
});
