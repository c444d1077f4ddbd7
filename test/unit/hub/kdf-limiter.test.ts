import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nodeBackend } from '../../../src/crypto/backend.node.js';
import { KdfLimiter } from '../../../src/hub/kdf-limiter.js';

/** A derivation the test finishes by hand. */
function gate() {
  let open!: () => void;
  const done = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { done, open };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('KdfLimiter', () => {
  it('runs at most `concurrency` derivations, the others in arrival order, and never more during a hand-over', async () => {
    const limiter = new KdfLimiter({ concurrency: 2, maxWaitMs: 60_000 });
    const gates = [gate(), gate(), gate(), gate()];
    const started: number[] = [];
    let peak = 0;
    let live = 0;
    const runs = gates.map((g, i) =>
      limiter.run(async () => {
        started.push(i);
        live += 1;
        peak = Math.max(peak, live);
        await g.done;
        live -= 1;
        return i;
      }),
    );
    await tick();
    assert.deepEqual(started, [0, 1]);
    assert.equal(limiter.waiting, 2);
    gates[1]!.open();
    await tick();
    // A newcomer while the slot is handed over waits behind the queue.
    const late = limiter.run(async () => {
      started.push(9);
      return 9;
    });
    await tick();
    assert.deepEqual(started, [0, 1, 2]);
    for (const g of gates) g.open();
    assert.deepEqual(await Promise.all([...runs, late]), [0, 1, 2, 3, 9]);
    assert.deepEqual(started, [0, 1, 2, 3, 9]);
    assert.equal(peak, 2);
    assert.equal(limiter.running, 0);
  });

  it('refuses at once with HL_ERR_HUB_BUSY (1013) a derivation that could not start within maxWaitMs', async () => {
    let clock = 0;
    const limiter = new KdfLimiter({ concurrency: 1, maxWaitMs: 300, now: () => clock });
    // One derivation of 200 ms: the estimate moves from 100 to 120 ms.
    await limiter.run(async () => {
      clock += 200;
    });
    const first = gate();
    const running = limiter.run(() => first.done);
    const queued = [limiter.run(async () => 1), limiter.run(async () => 2)]; // expected waits 120 and 240 ms
    await assert.rejects(
      limiter.run(async () => 3),
      (err: Error & { code?: string; closeCode?: number }) => {
        assert.equal(err.code, 'HL_ERR_HUB_BUSY');
        assert.equal(err.closeCode, 1013);
        return true;
      },
    );
    first.open();
    await running;
    assert.deepEqual(await Promise.all(queued), [1, 2]);
  });

  it('puts the PBKDF2 of a backend through the limiter, with the same result', async () => {
    const limiter = new KdfLimiter({ concurrency: 1, maxWaitMs: 60_000 });
    const backend = limiter.wrap(nodeBackend);
    const pw = new TextEncoder().encode('pw');
    const salt = new Uint8Array(8);
    const a = backend.pbkdf2Sha256(pw, salt, 1000, 32);
    const b = backend.pbkdf2Sha256(pw, salt, 1000, 32);
    assert.equal(limiter.running, 1);
    assert.equal(limiter.waiting, 1);
    const expected = await nodeBackend.pbkdf2Sha256(pw, salt, 1000, 32);
    assert.deepEqual(await a, expected);
    assert.deepEqual(await b, expected);
    assert.equal(backend.sha256, nodeBackend.sha256);
  });
});
