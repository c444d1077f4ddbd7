/**
 * `hivelink satellite --assistant`: a satellite that is its room's full assistant (docs/PROTOCOL.md §12.3), all real
 * processes on 127.0.0.1:
 *
 * ```
 *  office (SDK client, default allowed types) ──ws──▶ hivelink hub ──relay──▶ hivelink satellite --assistant (garage)
 *                                                                                  │ local bus (hivelink bus)
 *                                                                                  ▼
 *                                                      hivelink assistant --no-builtin-skills (a garage clock skill)
 * ```
 *
 * "ask the garage what time it is" from the office is answered by the garage's own local assistant (`by: client`),
 * never by the hub's: the answer is the garage skill's, the question ran in the relay's session on the local bus, and
 * the satellite did not pass the relayed question back to the hub as a fallback.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { MessageData } from '../../src/bus/types.js';
import { BusClient } from '../../src/bus/ws-client.js';
import { createHiveClient, type HiveClient, type RoomMember } from '../../src/client/index.js';
import { RELAY_KEY } from '../../src/client/satellite.js';
import { isHiveLinkError } from '../../src/errors.js';
import {
  addClient,
  buildOnce,
  childEnv,
  type HubProcess,
  type Running,
  run,
  start,
  startBus,
  startHub,
} from './cli-process.js';
import { until } from './house-harness.js';

const root = mkdtempSync(join(tmpdir(), 'hl-satellite-assistant-'));

const GARAGE_CLOCK = `export default {
  id: 'garage-clock.example',
  locale: {
    en: {
      intents: { 'time.intent': ['what time is it', 'what is the time'] },
      dialogs: { time: ['The garage clock says half past nine.'] },
    },
  },
  intents: [{ name: 'time.intent', handler: (ctx) => ctx.speakDialog('time') }],
};
`;

describe('hivelink satellite --assistant answers the questions relayed to its room', () => {
  const env = childEnv({ HIVELINK_CONFIG_DIR: join(root, 'config') });
  const hubDir = join(root, 'hub');
  const skillsDir = join(root, 'skills');
  const procs: Running[] = [];
  let hub: HubProcess;
  let satellite: Running;
  let local: BusClient;
  const localTraffic: MessageData[] = [];
  let office: HiveClient;

  before(async () => {
    buildOnce();
    mkdirSync(skillsDir);
    writeFileSync(join(skillsDir, 'garage-clock.mjs'), GARAGE_CLOCK);
    hub = await startHub(hubDir, env);
    procs.push(hub.proc);
    const garage = await addClient(hubDir, env, 'garage-pi', ['--site', 'garage']);
    const officeClient = await addClient(hubDir, env, 'office-pc', ['--site', 'office']);
    // The garage takes questions from anyone in the house without being asked first (consent, §12.8).
    const consent = await run(
      ['clients', 'set', String(garage.id), '--consent', 'allow', '--data-dir', hubDir],
      env,
    );
    assert.equal(consent.code, 0, consent.stderr);

    const bus = await startBus(env);
    procs.push(bus.proc);
    const assistant = start(
      ['assistant', '--bus', bus.url, '--skills-dir', skillsDir, '--no-builtin-skills'],
      env,
    );
    procs.push(assistant);
    await assistant.wait(/attached to .* \(1 skill/);

    local = new BusClient({ url: bus.url, reconnect: false });
    local.on('*', (m) => void localTraffic.push(m));
    await local.connect();

    satellite = start(
      [
        'satellite',
        '--assistant',
        '--bus',
        bus.url,
        '--url',
        hub.url,
        '--key',
        garage.accessKey,
        '--password',
        garage.password,
      ],
      env,
    );
    procs.push(satellite);
    await satellite.wait(/hivelink satellite connected to hub ws:/);

    office = createHiveClient({
      url: hub.url,
      accessKey: officeClient.accessKey,
      password: officeClient.password,
      reconnect: { enabled: false },
    });
    await office.connect();
  });

  after(async () => {
    office?.close();
    await local?.close();
    for (const p of procs.reverse()) await p.stop('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  });

  it('lists the garage with its satellite online as a full assistant', async () => {
    // The hub has the satellite's HELLO (and so its flag) once the rooms say it is online.
    let garage: RoomMember | undefined;
    await until(async () => {
      const { rooms } = await office.rooms();
      garage = rooms.find((r) => r.name === 'garage')?.clients.find((c) => c.name === 'garage-pi');
      return garage?.online === true;
    });
    assert.deepEqual(garage, { name: 'garage-pi', online: true, assistant: true });
  });

  it('"ask the garage what time it is" is answered by the garage\'s own assistant (by: client)', async () => {
    const from = localTraffic.length;
    const answer = await office.askRoom('garage', 'what time is it');
    assert.deepEqual(answer, {
      room: 'garage',
      answers: ['The garage clock says half past nine.'],
      by: 'client',
      responder: 'garage-pi',
      expectsResponse: false,
    });
    // On the garage's bus: the question in the relay's session, answered there by the garage skill.
    const question = localTraffic
      .slice(from)
      .find((m) => m.type === 'recognizer_loop:utterance' && typeof m.context[RELAY_KEY] === 'string');
    assert.ok(question, 'the relayed question was asked on the local bus');
    const session = (question.context.session as { session_id?: string; site_id?: string }) ?? {};
    assert.match(String(session.session_id), /^hivelink\.house:/);
    assert.equal(session.site_id, 'garage');
    assert.ok(
      localTraffic.slice(from).some((m) => m.type === 'garage-clock.example:time.intent'),
      'the garage skill matched',
    );
    await satellite.wait(/answered a relayed question: "what time is it" → 1 answer/, 'stderr');
  });

  it('says when the garage does not understand, instead of asking the hub for it', async () => {
    await assert.rejects(office.askRoom('garage', 'sing me a sea shanty about turnips'), (err) => {
      assert.ok(isHiveLinkError(err, 'HL_ERR_NOT_UNDERSTOOD'), String(err));
      return true;
    });
    assert.doesNotMatch(satellite.stderr(), /asked hub: "sing me a sea shanty/);
  });
});
