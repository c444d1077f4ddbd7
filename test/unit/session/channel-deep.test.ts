import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nodeBackend } from '../../../src/crypto/backend.node.js';
import { LegacyChannel } from '../../../src/session/channel.js';

describe('LegacyChannel and deep text frames', () => {
  it('refuses an 8 MiB text of brackets for its depth, before JSON.parse builds the tree', () => {
    const channel = new LegacyChannel(nodeBackend, {
      key: new Uint8Array(32),
      cipher: 'AES-GCM',
      encoding: 'JSON-HEX',
      binarize: false,
      maxJsonDepth: 64,
    });
    assert.throws(() => channel.open({ kind: 'text', text: '['.repeat(8 * 1024 * 1024) }), {
      code: 'HL_ERR_INVALID_MESSAGE',
      message: /nested deeper than 64 levels/,
    });
  });
});
