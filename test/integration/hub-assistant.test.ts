/**
 * Issue 4 through the hub: the embedded assistant behind a real hub, asked by real HiveClients.
 * - two satellites that both declare the same session id interleave a two-turn dialogue (a skill asks a question,
 *   each answers) and each gets its own answer;
 * - a skill blocked for one client never runs for that client and still runs for another.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Assistant } from '../../src/assistant/assistant.js';
import { en as jokes } from '../../src/assistant/skills/joke/locale/en.js';
import type { MessageData } from '../../src/bus/types.js';
import { createHiveClient, type HiveClient } from '../../src/client/index.js';
import { startHub, type TestHub } from './hub-harness.js';

const JOKES = new Set(jokes.dialogs!.joke);

let hub: TestHub;
let assistant: Assistant;
const clients: HiveClient[] = [];

async function connect(name: string, blockedSkills: string[] = []): Promise<HiveClient> {
  const { accessKey, password } = await hub.addClient({ name, blockedSkills });
  const client = createHiveClient({
    url: hub.url,
    accessKey,
    password,
    sessionId: 'shared-session', // both satellites claim the same session: the hub must keep them apart
    reconnect: { enabled: false },
  });
  clients.push(client);
  await client.connect();
  return client;
}

describe('embedded assistant behind the hub', () => {
  before(async () => {
    hub = await startHub();
    assistant = new Assistant({ bus: hub.bus });
    await assistant.start();
  });

  after(async () => {
    for (const c of clients) c.close();
    await assistant.stop();
    await hub.close();
  });

  it('two satellites with the same session id interleave a two-turn dialogue and each gets its own answer', async () => {
    const kitchen = await connect('kitchen');
    const garage = await connect('garage');

    const q1 = await kitchen.ask('ask me a question');
    const q2 = await garage.ask('ask me a question');
    assert.deepEqual(q1.answers, ['What is your favourite colour?']);
    assert.equal(q1.expectsResponse, true);
    assert.deepEqual(q2.answers, ['What is your favourite colour?']);

    const a2 = await garage.ask('green');
    const a1 = await kitchen.ask('blue');
    assert.deepEqual(a1.answers, ['I will remember that your favourite colour is blue.']);
    assert.deepEqual(a2.answers, ['I will remember that your favourite colour is green.']);

    assert.deepEqual((await kitchen.ask('what is my favourite colour')).answers, [
      'Your favourite colour is blue.',
    ]);
    assert.deepEqual((await garage.ask('what is my favourite colour')).answers, [
      'Your favourite colour is green.',
    ]);
  });

  it('a skill blocked for one client never runs for it and still runs for another', async () => {
    const blocked = await connect('no-jokes', ['hivelink-joke.hivelink']);
    const allowed = await connect('jokes');
    const ran: MessageData[] = [];
    const off = hub.bus.on('mycroft.skill.handler.start', (m) => {
      if (m.context.skill_id === 'hivelink-joke.hivelink') ran.push(m);
    });
    try {
      const refused = await blocked.ask('tell me a joke');
      assert.ok(
        !refused.answers.some((a) => JOKES.has(a)),
        `no joke for the blocked client: ${refused.answers}`,
      );
      assert.equal(ran.length, 0, 'the joke skill never started for the blocked client');

      const told = await allowed.ask('tell me a joke');
      assert.equal(told.handled, true);
      assert.ok(
        told.answers.some((a) => JOKES.has(a)),
        `a joke for the other client: ${told.answers}`,
      );
      assert.equal(ran.length, 1);
    } finally {
      off();
    }
  });
});
