import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryBus } from '../../../src/bus/memory-bus.js';
import { createMessage } from '../../../src/bus/message.js';
import type { MessageData } from '../../../src/bus/types.js';
import { HiveLinkError } from '../../../src/errors.js';

/** Resolves once `bus` has delivered everything queued so far (a marker message goes through last). */
function settled(bus: MemoryBus): Promise<void> {
  return new Promise((resolve) => {
    const off = bus.on('test.settled', () => {
      off();
      resolve();
    });
    bus.emit(createMessage('test.settled'));
  });
}

describe('MemoryBus', () => {
  it('delivers to every handler of the type, the emitter’s included, and to "*" handlers', async () => {
    const bus = new MemoryBus();
    const seen: string[] = [];
    bus.on('speak', (m) => seen.push(`a:${m.data.utterance}`));
    bus.on('*', (m) => seen.push(`wild:${m.type}`));
    bus.on('speak', (m) => seen.push(`b:${m.data.utterance}`));
    bus.on('other', () => seen.push('other'));
    bus.emit(createMessage('speak', { utterance: 'hi' }));
    await settled(bus);
    assert.deepEqual(seen, ['a:hi', 'wild:speak', 'b:hi', 'wild:test.settled']);
  });

  it('delivers asynchronously, never inside emit()', async () => {
    const bus = new MemoryBus();
    let called = false;
    bus.on('x', () => {
      called = true;
    });
    bus.emit(createMessage('x'));
    assert.equal(called, false);
    await settled(bus);
    assert.equal(called, true);
  });

  it('keeps emit order; a message emitted by a handler waits until the current one reached everyone', async () => {
    const bus = new MemoryBus();
    const log: string[] = [];
    bus.on('first', () => {
      log.push('h1:first');
      bus.emit(createMessage('nested'));
    });
    bus.on('first', () => log.push('h2:first'));
    bus.on('second', () => log.push('h1:second'));
    bus.on('nested', () => log.push('h1:nested'));
    bus.emit(createMessage('first'));
    bus.emit(createMessage('second'));
    await settled(bus);
    assert.deepEqual(log, ['h1:first', 'h2:first', 'h1:second', 'h1:nested']);
  });

  it('gives each handler its own copy, and snapshots the message at emit time', async () => {
    const bus = new MemoryBus();
    const seen: unknown[] = [];
    bus.on('x', (m) => {
      (m.data.list as number[]).push(99);
      m.context.skill_id = 'mutated';
    });
    bus.on('x', (m) => seen.push(structuredClone(m)));
    const msg = createMessage('x', { list: [1] });
    bus.emit(msg);
    (msg.data.list as number[]).push(2);
    await settled(bus);
    assert.deepEqual(seen, [{ type: 'x', data: { list: [1] }, context: {} }]);
  });

  it('hands a shared (read-only) handler the queued message itself; the others still get their own copies', async () => {
    const bus = new MemoryBus();
    const got: MessageData[] = [];
    bus.on('x', (m) => got.push(m), { shared: true });
    bus.on('x', (m) => {
      got.push(m);
      m.context.skill_id = 'mutated';
    });
    bus.on('x', (m) => got.push(m), { shared: true });
    bus.on('x', (m) => got.push(m));
    bus.emit(createMessage('x', { n: 1 }));
    await settled(bus);
    const [firstShared, copy, secondShared, last] = got;
    assert.equal(firstShared, secondShared, 'both shared handlers saw one object');
    assert.equal(firstShared, last, 'the last handler gets the queued message, as always');
    assert.notEqual(copy, firstShared);
    assert.equal(firstShared!.context.skill_id, undefined, "a copy's change is not seen by the others");
  });

  it('reports a throwing or rejecting handler to onError and still calls the others', async () => {
    const errors: [string, string][] = [];
    const bus = new MemoryBus({
      onError: (err, m) => errors.push([(err as Error).message, m.type]),
    });
    const calls: string[] = [];
    bus.on('x', () => {
      throw new Error('boom');
    });
    bus.on('x', async () => {
      throw new Error('async boom');
    });
    bus.on('x', () => calls.push('third'));
    bus.emit(createMessage('x'));
    await settled(bus);
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.deepEqual(calls, ['third']);
    assert.deepEqual(errors, [
      ['boom', 'x'],
      ['async boom', 'x'],
    ]);
  });

  it('once() fires a single time; off() and the returned function unsubscribe', async () => {
    const bus = new MemoryBus();
    const log: string[] = [];
    bus.once('x', () => log.push('once'));
    const h = () => log.push('off');
    bus.on('x', h);
    const unsubscribe = bus.on('x', () => log.push('unsub'));
    bus.off('x', h);
    unsubscribe();
    bus.emit(createMessage('x'));
    bus.emit(createMessage('x'));
    await settled(bus);
    assert.deepEqual(log, ['once']);
    assert.equal(bus.listenerCount('x'), 0);
  });

  it('a handler removed while a message is being delivered is not called for it', async () => {
    const bus = new MemoryBus();
    const log: string[] = [];
    const second = () => log.push('second');
    bus.on('x', () => {
      log.push('first');
      bus.off('x', second);
    });
    bus.on('x', second);
    bus.emit(createMessage('x'));
    await settled(bus);
    assert.deepEqual(log, ['first']);
  });

  it('refuses to queue more than maxPendingMessages, with HL_ERR_BUS_QUEUE_FULL', async () => {
    const bus = new MemoryBus({ maxPending: 2 });
    bus.emit(createMessage('a'));
    bus.emit(createMessage('b'));
    assert.throws(
      () => bus.emit(createMessage('c')),
      (err: unknown) => err instanceof HiveLinkError && err.code === 'HL_ERR_BUS_QUEUE_FULL',
    );
    await new Promise<void>((resolve) => queueMicrotask(resolve));
    assert.equal(bus.pending, 0);
    bus.emit(createMessage('d'));
  });

  it('refuses a message without a string type', () => {
    const bus = new MemoryBus();
    assert.throws(
      () => bus.emit({ data: {}, context: {} } as unknown as MessageData),
      (err: unknown) => err instanceof HiveLinkError && err.code === 'HL_ERR_INVALID_MESSAGE',
    );
  });

  it('keeps I/O alive while two handlers answer each other forever', { timeout: 5000 }, async () => {
    const bus = new MemoryBus();
    let pings = 0;
    bus.on('ping', () => {
      pings++;
      bus.emit(createMessage('pong'));
    });
    bus.on('pong', () => bus.emit(createMessage('ping')));
    bus.emit(createMessage('ping'));
    await new Promise<void>((resolve) => setImmediate(resolve));
    bus.removeAllListeners();
    assert.ok(pings > 0);
  });
});
