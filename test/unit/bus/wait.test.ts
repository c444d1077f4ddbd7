import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryBus } from '../../../src/bus/memory-bus.js';
import { createMessage, response } from '../../../src/bus/message.js';
import type { MessageBus, MessageData, MessageHandler } from '../../../src/bus/types.js';
import { waitForMessage, waitForResponse } from '../../../src/bus/wait.js';
import { HiveLinkError } from '../../../src/errors.js';

describe('waitForMessage', () => {
  it('resolves with the next message of the type and unsubscribes', async () => {
    const bus = new MemoryBus();
    const waiting = waitForMessage(bus, 'speak');
    bus.emit(createMessage('other'));
    bus.emit(createMessage('speak', { utterance: 'one' }));
    const m = await waiting;
    assert.equal(m?.data.utterance, 'one');
    assert.equal(bus.listenerCount('speak'), 0);
  });

  it('skips messages the filter rejects', async () => {
    const bus = new MemoryBus();
    const waiting = bus.waitForMessage('speak', 3000, (m) => m.data.n === 2);
    bus.emit(createMessage('speak', { n: 1 }));
    bus.emit(createMessage('speak', { n: 2 }));
    assert.equal((await waiting)?.data.n, 2);
  });

  it('resolves undefined on timeout and leaves no handler behind', async () => {
    const bus = new MemoryBus();
    assert.equal(await waitForMessage(bus, 'never', 0), undefined);
    assert.equal(bus.listenerCount(), 0);
  });

  it('rejects a negative timeout', () => {
    assert.throws(
      () => waitForMessage(new MemoryBus(), 'x', -1),
      (err: unknown) => err instanceof HiveLinkError && err.code === 'HL_ERR_INVALID_ARGUMENT',
    );
  });
});

describe('waitForResponse', () => {
  it('listens before emitting and resolves with <type>.response by default', async () => {
    const bus = new MemoryBus();
    bus.on('mycroft.intents.is_ready', (m) => bus.emit(response(m, { status: true })));
    const answer = await waitForResponse(bus, createMessage('mycroft.intents.is_ready'));
    assert.deepEqual(answer?.data, { status: true });
  });

  it('accepts a list of reply types and returns the first that arrives', async () => {
    const bus = new MemoryBus();
    bus.on('q', (m) => bus.emit(createMessage('q.failure', { why: m.type })));
    const answer = await bus.waitForResponse(createMessage('q'), ['q.success', 'q.failure']);
    assert.equal(answer?.type, 'q.failure');
  });

  it('catches a reply emitted synchronously by the bus inside emit()', async () => {
    const handlers = new Map<string, MessageHandler[]>();
    const syncBus: MessageBus = {
      emit(message: MessageData) {
        for (const h of handlers.get(message.type) ?? []) h(message);
        if (message.type === 'q') for (const h of handlers.get('q.response') ?? []) h(response(message));
      },
      on(type, handler) {
        handlers.set(type, [...(handlers.get(type) ?? []), handler]);
        return () => this.off(type, handler);
      },
      once(type, handler) {
        return this.on(type, handler);
      },
      off(type, handler) {
        handlers.set(
          type,
          (handlers.get(type) ?? []).filter((h) => h !== handler),
        );
      },
    };
    const answer = await waitForResponse(syncBus, createMessage('q'), undefined, 0);
    assert.equal(answer?.type, 'q.response');
  });

  it('rejects with what emit() throws, and cleans up', async () => {
    const bus = new MemoryBus({ maxPending: 1 });
    bus.emit(createMessage('filler'));
    await assert.rejects(
      waitForResponse(bus, createMessage('q')),
      (err: unknown) => err instanceof HiveLinkError && err.code === 'HL_ERR_BUS_QUEUE_FULL',
    );
    assert.equal(bus.listenerCount(), 0);
  });

  it('resolves undefined when nobody answers in time', async () => {
    assert.equal(await waitForResponse(new MemoryBus(), createMessage('q'), undefined, 0), undefined);
  });
});
