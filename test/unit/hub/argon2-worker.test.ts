import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nodeBackend } from '../../../src/crypto/backend.node.js';
import { derivePskArgon2id } from '../../../src/crypto/psk.js';
import { isHiveLinkError } from '../../../src/errors.js';
import { argon2idOffThread, withOffThreadArgon2id } from '../../../src/hub/argon2-worker.js';
import { hex, loadVectors } from '../../helpers/vectors.js';

interface Argon2Vector {
  password: string;
  node_id: string;
  expected_psk_hex: string;
}

describe('argon2id in a worker thread', () => {
  it('derives the known-answer v3 PSK', async () => {
    const v = loadVectors<{ argon2id_psk: Argon2Vector }>('noise-v3.json').argon2id_psk;
    const psk = await derivePskArgon2id(withOffThreadArgon2id(nodeBackend), v.password, v.node_id);
    assert.equal(hex(psk), v.expected_psk_hex);
  });

  it('rejects impossible parameters with a HiveLinkError', async () => {
    await assert.rejects(
      argon2idOffThread(new Uint8Array(1), new Uint8Array(2), {
        timeCost: 1,
        memoryKiB: 8,
        parallelism: 1,
        hashLength: 32,
      }),
      (e: unknown) => isHiveLinkError(e),
    );
  });
});
