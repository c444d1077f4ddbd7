/**
 * Jobs by voice over real sockets (issue 15): a hub from compose.ts with the embedded assistant and the job service
 * on one agent bus, SDK clients asking it. "transcribe the file I just sent" runs pocketsphinx on the WAV the client
 * sent (made with espeak-ng here) and says its words; "how is my job doing" and "cancel my job" answer from the job
 * records of the client that asks, never another client's.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { HiveClient } from '../../src/client/index.js';
import type { ComposedHub } from '../../src/hub/compose.js';
import { composeTestHub, SdkDevice } from './house-harness.js';
import { failOnUnhandledRejection } from './hub-harness.js';

failOnUnhandledRejection();

const FIXTURES = new URL('../fixtures/jobs/', import.meta.url);
/** A turn that runs a transcription may take a while with both cores busy. */
const ASK = { timeoutMs: 30_000 };

describe('jobs by voice through the hub', () => {
  let dataDir: string;
  let composed: ComposedHub;
  let url: string;
  let alice: HiveClient;
  let bob: HiveClient;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'hl-jobs-voice-'));
    const hub = await composeTestHub(dataDir, {}, { jobKinds: [new URL('slow.ts', FIXTURES)] });
    composed = hub.composed;
    url = hub.url;
    alice = (await SdkDevice.add(composed, 'alice-sat')).client(url);
    bob = (await SdkDevice.add(composed, 'bob-sat')).client(url);
    await Promise.all([alice.connect(), bob.connect()]);
  });

  after(async () => {
    alice.close();
    bob.close();
    await composed.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('says there is nothing to transcribe, no job and nothing to cancel before anything was sent', async () => {
    assert.deepEqual((await alice.ask('transcribe the file I just sent', ASK)).answers, [
      'You have not sent me a recording yet. Send a WAV file first.',
    ]);
    assert.deepEqual((await alice.ask('how is my job doing', ASK)).answers, ['You have no jobs.']);
    assert.deepEqual((await alice.ask('cancel my job', ASK)).answers, [
      'You have no job waiting or running to cancel.',
    ]);
  });

  it('transcribes the WAV the client just sent with pocketsphinx', async () => {
    const wavPath = join(dataDir, 'lights.wav');
    execFileSync('espeak-ng', ['-w', wavPath, 'turn on the kitchen lights']);
    await alice.sendFile(new Uint8Array(readFileSync(wavPath)), { name: 'lights.wav' });
    // A file that is no recording, sent after it, is not the one transcribed.
    await alice.sendFile(new TextEncoder().encode('not audio\n'), { name: 'notes.txt' });
    const { answers } = await alice.ask('transcribe the file I just sent', ASK);
    assert.equal(answers.length, 1, answers.join(' | '));
    const jobs = await alice.jobs.list();
    assert.deepEqual(
      jobs.map((j) => j.kind),
      ['transcribe'],
    );
    let said = answers[0]!;
    if (said.startsWith('I am transcribing lights.wav.')) {
      // Not done within the skill's wait (a busy machine): it ends anyway, and the status says its words.
      await (await alice.jobs.attach(jobs[0]!.id)).result();
      const status = (await alice.ask('how is my job doing', ASK)).answers[0]!;
      assert.match(status, /^Your transcription job is done\. It says: /);
      said = `lights.wav says: ${status.replace(/^.*It says: /, '')}`;
    }
    assert.match(said, /^lights\.wav says: [a-z' ]+$/, said);
    assert.ok(said.split(' ').length >= 4, `some words: ${said}`);
    assert.equal(jobs[0]!.inputs.length, 1);
  });

  it("says how the asker's own job is doing and cancels it, never another client's", async () => {
    const handle = await bob.submitJob('slow', { steps: 2000, stepMs: 20 });
    await new Promise<void>((resolve) => {
      handle.on('progress', (j) => {
        if (j.state === 'running' && j.progress > 0) resolve();
      });
    });
    const [status] = (await bob.ask('what is my job doing', ASK)).answers;
    assert.match(status!, /^Your slow job is \d+ percent done: step \d+\.$/, status);
    // Alice's newest job is her transcription, done; she has nothing to cancel.
    assert.match(
      (await alice.ask('how is my job doing', ASK)).answers[0]!,
      /^Your transcription job is done\./,
    );
    assert.deepEqual((await alice.ask('cancel my job', ASK)).answers, [
      'You have no job waiting or running to cancel.',
    ]);
    assert.equal(handle.job.state, 'running');
    assert.deepEqual((await bob.ask('cancel my job', ASK)).answers, ['I have cancelled your slow job.']);
    const ended = await handle.ended();
    assert.equal(ended.state, 'cancelled');
    assert.deepEqual((await bob.ask('how is my job doing', ASK)).answers, ['Your slow job was cancelled.']);
  });
});
