import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryBus } from '../../../src/bus/memory-bus.js';
import { createMessage } from '../../../src/bus/message.js';
import type { MessageData } from '../../../src/bus/types.js';
import { echoAgent } from '../../../src/hub/agent-echo.js';

function utterance(text: string): MessageData {
  return createMessage(
    'recognizer_loop:utterance',
    { utterances: [text], lang: 'en-US' },
    { source: 'kitchen::1', destination: 'skills', session: { session_id: 's1' } },
  );
}

/** Collects `count` messages of the given types from `bus`. */
function collect(bus: MemoryBus, types: string[], count: number): Promise<MessageData[]> {
  const seen: MessageData[] = [];
  return new Promise((resolve) => {
    for (const type of types) {
      bus.on(type, (m) => {
        seen.push(m);
        if (seen.length === count) resolve(seen);
      });
    }
  });
}

describe('echo agent', () => {
  it('answers an utterance with speak (the same words) and ovos.utterance.handled, addressed to the asker', async () => {
    const bus = new MemoryBus();
    const agent = echoAgent(bus);
    await agent.start();
    const answers = collect(bus, ['speak', 'ovos.utterance.handled'], 2);
    bus.emit(utterance('hello there'));
    const [speak, handled] = await answers;
    assert.equal(speak!.type, 'speak');
    assert.equal(speak!.data.utterance, 'hello there');
    assert.equal(speak!.data.lang, 'en-US');
    assert.equal(speak!.context.destination, 'kitchen::1');
    assert.deepEqual(speak!.context.session, { session_id: 's1' });
    assert.equal(handled!.type, 'ovos.utterance.handled');
    assert.equal(handled!.context.destination, 'kitchen::1');
    await agent.stop();
  });

  it('is silent after stop()', async () => {
    const bus = new MemoryBus();
    const agent = echoAgent(bus);
    await agent.start();
    await agent.stop();
    const spoken: MessageData[] = [];
    bus.on('speak', (m) => spoken.push(m));
    // A marker emitted while the utterance is delivered (after the agent's handler would have run) arrives after
    // any answer the agent emitted.
    const marked = new Promise<void>((resolve) => bus.on('marker', () => resolve()));
    bus.on('recognizer_loop:utterance', () => bus.emit(createMessage('marker')));
    bus.emit(utterance('anyone?'));
    await marked;
    assert.deepEqual(spoken, []);
  });
});
