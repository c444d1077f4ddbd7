/**
 * The satellite topology of the original design, all real processes on 127.0.0.1:
 *
 * ```
 *  listener (this test) ─▶ local bus (hivelink bus) ◀─▶ local assistant (only a kitchen-light skill)
 *                                  ▲
 *                                  └──▶ hivelink satellite ──ws──▶ hivelink hub --bus-port 0 (embedded assistant: jokes)
 * ```
 *
 * "turn on the kitchen light" is answered locally and never reaches the hub (asserted from the hub's agent bus);
 * "tell me a joke" fails locally (`complete_intent_failure`), goes to the hub, and its answer is spoken on the local
 * bus for the local session. Both are read from the bus traffic; the fallback latency (local failure → hub answer
 * on the local bus) is printed, not asserted. A broadcast from an admin client reaches the local bus too.
 *
 * The local assistant is the embedded Assistant without the built-in skills (they know jokes, too), run as its own
 * process; `hivelink assistant` is used instead once it can leave the built-ins out (`--no-builtin-skills`).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { en as jokes } from '../../src/assistant/skills/joke/locale/en.js';
import { createMessage } from '../../src/bus/message.js';
import type { MessageData } from '../../src/bus/types.js';
import { BusClient } from '../../src/bus/ws-client.js';
import { createHiveClient } from '../../src/client/index.js';
import { SATELLITE_MARK } from '../../src/client/satellite.js';
import {
  addBroadcaster,
  addClient,
  broadcastSpeak,
  buildOnce,
  buildRoot,
  childEnv,
  freePort,
  type HubProcess,
  type Running,
  run,
  secretFile,
  start,
  startBus,
  startHub,
} from './cli-process.js';

const root = mkdtempSync(join(tmpdir(), 'hl-satellite-'));
const JOKES = new Set(jokes.dialogs!.joke);

const KITCHEN_SKILL = `export default {
  id: 'kitchen-light.example',
  locale: {
    en: {
      intents: { 'light_on.intent': ['turn on the kitchen light', 'switch on the kitchen light', 'kitchen light on'] },
      dialogs: { on: ['The kitchen light is on.'] },
    },
  },
  intents: [{ name: 'light_on.intent', handler: (ctx) => ctx.speakDialog('on') }],
};
`;

/** The embedded assistant with the given skills dir only, on a bus (what a small device would run). */
function localAssistantScript(): string {
  const dist = (p: string) => pathToFileURL(join(buildRoot(), 'dist', p)).href;
  return `import { Assistant } from ${JSON.stringify(dist('assistant/index.js'))};
import { BusClient } from ${JSON.stringify(dist('bus/index.js'))};
const [url, skillsDir] = process.argv.slice(2);
const bus = new BusClient({ url });
await bus.connect();
const assistant = new Assistant({ bus, skills: [], skillsDir });
await assistant.start();
process.stdout.write('local assistant attached to ' + url + ' (' + assistant.skills().length + ' skills)\\n');
process.once('SIGTERM', () => { assistant.stop(); void bus.close(); });
`;
}

/** Every message a bus client sees, with the time it arrived. */
class Recorder {
  readonly seen: { at: number; message: MessageData }[] = [];
  readonly #waiters = new Set<() => void>();

  constructor(bus: BusClient) {
    bus.on('*', (message) => {
      this.seen.push({ at: performance.now(), message });
      for (const w of [...this.#waiters]) w();
    });
  }

  /** The first recorded message (from index `from`) that `match` accepts, as soon as it arrives. */
  next(
    match: (m: MessageData) => boolean,
    from = 0,
  ): Promise<{ at: number; message: MessageData; index: number }> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const index = this.seen.findIndex((s, i) => i >= from && match(s.message));
        if (index < 0) return;
        done();
        resolve({ ...this.seen[index]!, index });
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`not seen on the bus: ${this.seen.map((s) => s.message.type).join(', ')}`));
      }, 30_000);
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      check();
    });
  }
}

const marked = (m: MessageData) => m.context[SATELLITE_MARK] === true;
const utteranceOf = (m: MessageData) => (m.data.utterances as unknown[] | undefined)?.[0];

describe('satellite topology (hivelink bus + local assistant + hivelink satellite → hivelink hub)', () => {
  const env = childEnv({ HIVELINK_CONFIG_DIR: join(root, 'config') });
  const hubDir = join(root, 'hub');
  const skillsDir = join(root, 'skills');
  const procs: Running[] = [];
  let hub: HubProcess;
  let localBus: string;
  let satellite: Running;
  let local: BusClient;
  let hubSide: BusClient;
  let localTraffic: Recorder;
  let hubTraffic: Recorder;

  before(async () => {
    buildOnce();
    mkdirSync(skillsDir);
    writeFileSync(join(skillsDir, 'kitchen-light.mjs'), KITCHEN_SKILL);
    const script = join(root, 'local-assistant.mjs');
    writeFileSync(script, localAssistantScript());

    hub = await startHub(hubDir, env, ['--bus-port', '0']);
    procs.push(hub.proc);
    hubSide = new BusClient({ url: hub.busUrl!, reconnect: false });
    hubTraffic = new Recorder(hubSide);
    await hubSide.connect();
    const client = await addClient(hubDir, env, 'satellite');

    const bus = await startBus(env);
    procs.push(bus.proc);
    localBus = bus.url;

    const help = await run(['assistant', '--help'], env);
    const assistant = help.stdout.includes('--no-builtin-skills')
      ? start(['assistant', '--bus', localBus, '--skills-dir', skillsDir, '--no-builtin-skills'], env)
      : start([script, localBus, skillsDir], env, { command: process.execPath });
    procs.push(assistant);
    await assistant.wait(/attached to .* \(1 skill/);

    satellite = start(
      [
        'satellite',
        '--bus',
        localBus,
        '--url',
        hub.url,
        '--key',
        client.accessKey,
        '--password',
        client.password,
      ],
      env,
    );
    procs.push(satellite);
    await satellite.wait(/hivelink satellite attached to ws:/);
    await satellite.wait(/hivelink satellite connected to hub ws:/);

    local = new BusClient({ url: localBus, reconnect: false });
    localTraffic = new Recorder(local);
    await local.connect();
  });

  after(async () => {
    await local?.close();
    await hubSide?.close();
    for (const p of procs.reverse()) await p.stop('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  });

  /** What a listener emits for one spoken utterance (the default session, like ovos-dinkum-listener). */
  function say(text: string): void {
    local.emit(
      createMessage(
        'recognizer_loop:utterance',
        { utterances: [text], lang: 'en-US' },
        { client_name: 'test_listener', source: 'audio', destination: ['skills'] },
      ),
    );
  }

  it('answers "turn on the kitchen light" locally; the satellite logs it and asks the hub nothing', async () => {
    const from = localTraffic.seen.length;
    say('turn on the kitchen light');
    const handled = await localTraffic.next((m) => m.type === 'ovos.utterance.handled', from);
    const turn = localTraffic.seen.slice(from, handled.index + 1).map((s) => s.message);
    const speak = turn.find((m) => m.type === 'speak');
    assert.equal(speak?.data.utterance, 'The kitchen light is on.');
    assert.equal(speak?.context.skill_id, 'kitchen-light.example');
    assert.ok(turn.some((m) => m.type === 'kitchen-light.example:light_on.intent'));
    assert.equal(turn.filter(marked).length, 0, 'the satellite said nothing');
    await satellite.wait(
      /handled locally: "turn on the kitchen light" \(kitchen-light\.example:light_on\.intent, \d+ ms\)/,
      'stderr',
    );
  });

  it('asks the hub for "tell me a joke" after the local complete_intent_failure and speaks the answer locally', async (t) => {
    const from = localTraffic.seen.length;
    const hubFrom = hubTraffic.seen.length;
    say('tell me a joke');
    const failure = await localTraffic.next((m) => m.type === 'complete_intent_failure', from);
    const speak = await localTraffic.next((m) => m.type === 'speak' && marked(m), from);
    const end = await localTraffic.next((m) => m.type === 'ovos.utterance.handled' && marked(m), from);

    assert.ok(
      JOKES.has(String(speak.message.data.utterance)),
      `a joke of the hub: ${speak.message.data.utterance}`,
    );
    assert.ok(failure.index < speak.index && speak.index < end.index);
    assert.equal(speak.message.context.destination, 'audio', 'a reply of the utterance: back to its source');
    assert.deepEqual(speak.message.context.source, ['skills']);
    assert.equal(speak.message.context.client_name, 'test_listener');
    assert.equal(
      (speak.message.context.session as { session_id?: string } | undefined)?.session_id,
      'default',
      'the local session, so the device speaks it',
    );
    assert.equal(speak.message.data.lang, 'en-US');

    const hubUtterance = await hubTraffic.next((m) => m.type === 'recognizer_loop:utterance', hubFrom);
    assert.equal(utteranceOf(hubUtterance.message), 'tell me a joke');

    const latencyMs = speak.at - failure.at;
    const logged = await satellite.wait(
      /asked hub: "tell me a joke" after complete_intent_failure → 1 answer, first answer (\d+) ms after the local decision/,
      'stderr',
    );
    t.diagnostic(
      `fallback latency seen on the local bus: ${latencyMs.toFixed(1)} ms after complete_intent_failure`,
    );
    t.diagnostic(`fallback latency logged by the satellite: ${logged[1]} ms`);
  });

  it('the hub never saw the kitchen light: the only utterance on its agent bus is the joke', () => {
    const utterances = hubTraffic.seen
      .filter((s) => s.message.type === 'recognizer_loop:utterance')
      .map((s) => utteranceOf(s.message));
    assert.deepEqual(utterances, ['tell me a joke']);
  });

  it('a broadcast from an admin client reaches the local bus', async () => {
    const admin = await addBroadcaster(hubDir, env);
    const boss = createHiveClient({ url: hub.url, accessKey: admin.accessKey, password: admin.password });
    await boss.connect();
    try {
      const from = localTraffic.seen.length;
      boss.emit(broadcastSpeak('dinner is ready'));
      const got = await localTraffic.next(
        (m) => m.type === 'speak' && m.data.utterance === 'dinner is ready',
        from,
      );
      assert.ok(marked(got.message));
    } finally {
      boss.close();
    }
  });
});

describe('hivelink satellite failures', () => {
  const env = childEnv({ HIVELINK_CONFIG_DIR: join(root, 'config-failures') });

  it('exits 1 with one line when the local bus cannot be reached', async () => {
    const port = await freePort();
    const r = await run(
      ['satellite', '--bus', `ws://127.0.0.1:${port}/core`, '--key', 'k', '--password-file', secretFile('p')],
      env,
    );
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `hivelink: cannot connect to the local bus at ws://127.0.0.1:${port}/core\n`);
  });

  it('exits 1 with "wrong password" when the hub refuses the login', async () => {
    const hubDir = join(root, 'hub-failures');
    const hub = await startHub(hubDir, env);
    const bus = await startBus(env);
    try {
      const busUrl = bus.url;
      const client = await addClient(hubDir, env, 'satellite');
      const r = await run(
        ['satellite', '--bus', busUrl, '--url', hub.url, '--key', client.accessKey, '--password', 'wrong'],
        env,
      );
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stdout, /hivelink satellite attached to ws:/, r.stderr);
      assert.match(r.stderr, /(^|\n)hivelink: wrong password\n$/);
    } finally {
      await bus.proc.stop('SIGKILL');
      await hub.proc.stop('SIGKILL');
    }
  });
});
