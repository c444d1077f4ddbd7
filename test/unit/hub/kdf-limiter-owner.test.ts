/**
 * Issue 10, finding 3: the legacy key derivations one address or one access key may hold at once. The limiter's
 * queue is shared; without a share per owner, one address could fill it with replayed or guessed envelopes and make
 * every other client wait or be refused.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KdfLimiter } from '../../../src/hub/kdf-limiter.js';

function gate() {
  let open!: () => void;
  const done = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { done, open };
}

describe('KdfLimiter per owner', () => {
  it('refuses an address or key over its share with HL_ERR_HUB_BUSY while others still get through', async () => {
    const limiter = new KdfLimiter({ concurrency: 4, maxWaitMs: 60_000, perIp: 1, perKey: 2 });
    const first = gate();
    const second = gate();
    const a = limiter.run(() => first.done, { ip: '192.0.2.1', key: 'k' });
    await assert.rejects(
      limiter.run(async () => 0, { ip: '192.0.2.1', key: 'other' }),
      {
        code: 'HL_ERR_HUB_BUSY',
      },
    );
    const b = limiter.run(() => second.done, { ip: '192.0.2.2', key: 'k' });
    await assert.rejects(
      limiter.run(async () => 0, { ip: '192.0.2.3', key: 'k' }),
      { code: 'HL_ERR_HUB_BUSY' },
    );
    assert.deepEqual(limiter.ownedBy({ ip: '192.0.2.1', key: 'k' }), { ip: 1, key: 2 });
    first.open();
    second.open();
    await Promise.all([a, b]);
    assert.equal(await limiter.run(async () => 7, { ip: '192.0.2.1', key: 'k' }), 7);
    assert.deepEqual(limiter.ownedBy({ ip: '192.0.2.1', key: 'k' }), { ip: 0, key: 0 });
  });

  it('counts waiting derivations too, and has no cap without perIp/perKey', async () => {
    const limiter = new KdfLimiter({ concurrency: 1, maxWaitMs: 60_000, perIp: 2 });
    const g = gate();
    const running = limiter.run(() => g.done, { ip: '192.0.2.9', key: 'a' });
    const waiting = limiter.run(async () => 1, { ip: '192.0.2.9', key: 'b' });
    await assert.rejects(
      limiter.run(async () => 0, { ip: '192.0.2.9', key: 'c' }),
      { code: 'HL_ERR_HUB_BUSY' },
    );
    g.open();
    await Promise.all([running, waiting]);
    const free = new KdfLimiter({ concurrency: 1, maxWaitMs: 60_000 });
    const h = gate();
    const all = [0, 1, 2].map(() => free.run(() => h.done, { ip: '192.0.2.9', key: 'a' }));
    h.open();
    await Promise.all(all);
  });
});
