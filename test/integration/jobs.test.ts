/**
 * Jobs on the hub (issue 15, docs/PROTOCOL.md "Files and jobs"), over real sockets with a hub from compose.ts: each
 * built-in kind on a real input — `speak` with espeak-ng, `transcribe` with pocketsphinx on that WAV, `image` with
 * sharp on a PNG made here, `archive` as zip and tar.gz — with progress events in order and the outputs fetched back;
 * cancel of a running job; a hub restart that re-queues one kind and fails the other, the owner reattaching.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { createHiveClient, type HiveClient } from '../../src/client/index.js';
import type { JobHandle, JobInfo } from '../../src/client/jobs.js';
import { isHiveLinkError } from '../../src/errors.js';
import type { ComposedHub } from '../../src/hub/compose.js';
import { composeTestHub, SdkDevice } from './house-harness.js';
import { failOnUnhandledRejection } from './hub-harness.js';

failOnUnhandledRejection();

const FIXTURES = new URL('../fixtures/jobs/', import.meta.url);

/** Every progress report of `handle` until it ends. */
function reports(handle: JobHandle): JobInfo[] {
  const seen: JobInfo[] = [];
  handle.on('progress', (j) => seen.push(j));
  return seen;
}

function assertInOrder(seen: readonly JobInfo[]): void {
  const progress = seen.map((j) => j.progress);
  assert.deepEqual(
    progress,
    [...progress].sort((a, b) => a - b),
    `progress in order: ${progress.join(', ')}`,
  );
  const states = seen.map((j) => j.state);
  const rank = { queued: 0, running: 1, done: 2, failed: 2, cancelled: 2 } as const;
  assert.deepEqual(
    states.map((s) => rank[s]),
    states.map((s) => rank[s]).sort((a, b) => a - b),
    `states in order: ${states.join(', ')}`,
  );
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    assert.ok(isHiveLinkError(err), String(err));
    return err.code;
  }
  return 'no error';
}

describe('jobs on the hub', () => {
  let dataDir: string;
  let composed: ComposedHub;
  let url: string;
  let device: SdkDevice;
  let client: HiveClient;

  async function startHub(): Promise<void> {
    const hub = await composeTestHub(
      dataDir,
      { agent: 'echo' },
      { jobKinds: [new URL('slow.ts', FIXTURES), new URL('slow-fail.ts', FIXTURES)] },
    );
    composed = hub.composed;
    url = hub.url;
  }

  function connect(): HiveClient {
    return createHiveClient({
      url,
      accessKey: device.accessKey,
      password: device.password,
      identityStore: device.identityStore,
      pinStore: device.pinStore,
      reconnect: { enabled: false },
    });
  }

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'hl-jobs-'));
    await startHub();
    device = await SdkDevice.add(composed, 'worker-client');
    client = connect();
    await client.connect();
  });

  after(async () => {
    client.close();
    await composed.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  let speechFileId = '';

  it('speak: espeak-ng writes a WAV, with progress in order', async () => {
    const handle = await client.submitJob('speak', { text: 'turn on the kitchen lights' });
    const seen = reports(handle);
    const job = await handle.result();
    assertInOrder(seen);
    assert.ok(
      seen.some((j) => j.state === 'running' && j.progress > 0 && j.progress < 100),
      'progress while running',
    );
    assert.equal(seen.at(-1)?.state, 'done');
    assert.equal(job.outputs.length, 1);
    const [wav] = await handle.saveOutputs();
    assert.equal(wav!.name, 'speech.wav');
    assert.equal(Buffer.from(wav!.bytes!.subarray(0, 4)).toString('ascii'), 'RIFF');
    const result = job.result as { bytes: number; duration_ms: number };
    assert.equal(result.bytes, wav!.bytes!.byteLength);
    assert.ok(result.duration_ms > 500, `speech of ${result.duration_ms} ms`);
    speechFileId = job.outputs[0]!.file_id;
  });

  it('transcribe: pocketsphinx hears the WAV espeak-ng made', async () => {
    assert.notEqual(speechFileId, '');
    const handle = await client.submitJob('transcribe', {}, { files: [{ fileId: speechFileId }] });
    const seen = reports(handle);
    const job = await handle.result();
    assertInOrder(seen);
    const { text } = job.result as { text: string };
    assert.match(text, /^[a-z' ]+$/, `recognised words: ${JSON.stringify(text)}`);
    assert.ok(text.split(' ').length >= 2, `some words: ${text}`);
  });

  it('image: sharp resizes, converts and thumbnails a PNG made here', async () => {
    const png = await sharp({
      create: { width: 320, height: 200, channels: 3, background: { r: 200, g: 40, b: 90 } },
    })
      .png()
      .toBuffer();
    const handle = await client.submitJob(
      'image',
      { op: 'resize', width: 64, format: 'jpeg' },
      { files: [new Uint8Array(png)] },
    );
    const seen = reports(handle);
    const job = await handle.result();
    assertInOrder(seen);
    assert.deepEqual(job.result, { width: 64, height: 40, format: 'jpeg', bytes: job.outputs[0]!.size });
    const [out] = await handle.saveOutputs();
    const meta = await sharp(Buffer.from(out!.bytes!)).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 64, 40]);
    const thumb = await client.submitJob(
      'image',
      { op: 'thumbnail', width: 32 },
      { files: [{ fileId: job.inputs[0]! }] },
    );
    const t = await thumb.result();
    assert.deepEqual([t.outputs[0]!.name, (t.result as { width: number }).width], ['file-thumb.png', 32]);
    assert.equal(
      await codeOf(client.submitJob('image', { op: 'resize' }, { files: [{ fileId: job.inputs[0]! }] })),
      'HL_ERR_JOB_BAD_PARAMS',
    );
  });

  it('archive: several files as a zip and a tar.gz', async () => {
    const a = await client.sendFile(new TextEncoder().encode('first file\n'), { name: 'notes.txt' });
    const b = await client.sendFile(randomBytes(70_000), { name: 'data.bin' });
    for (const format of ['zip', 'tar.gz'] as const) {
      const handle = await client.submitJob(
        'archive',
        { format, name: 'bundle' },
        { files: [{ fileId: a.fileId }, { fileId: b.fileId }, { fileId: a.fileId }] },
      );
      const seen = reports(handle);
      const job = await handle.result();
      assertInOrder(seen);
      assert.deepEqual((job.result as { entries: number }).entries, 3);
      const [out] = await handle.saveOutputs();
      const bytes = Buffer.from(out!.bytes!);
      if (format === 'zip') {
        assert.equal(out!.name, 'bundle.zip');
        assert.equal(bytes.subarray(0, 2).toString('ascii'), 'PK');
        for (const name of ['notes.txt', 'data.bin', 'notes (2).txt']) assert.ok(bytes.includes(name), name);
      } else {
        assert.equal(out!.name, 'bundle.tar.gz');
        assert.deepEqual([...bytes.subarray(0, 2)], [0x1f, 0x8b]);
      }
    }
  });

  it('refuses an unknown kind and a file that is not the client’s', async () => {
    assert.equal(await codeOf(client.submitJob('dream', {})), 'HL_ERR_JOB_UNKNOWN_KIND');
    assert.equal(
      await codeOf(client.submitJob('transcribe', {}, { files: [{ fileId: 'not-a-file' }] })),
      'HL_ERR_FILE_UNKNOWN',
    );
  });

  it('cancels a running job', async () => {
    const handle = await client.submitJob('slow', { steps: 1000, stepMs: 20 });
    const running = new Promise<void>((resolve) => {
      handle.on('progress', (j) => {
        if (j.state === 'running' && j.progress > 0) resolve();
      });
    });
    await running;
    await handle.cancel();
    assert.equal(await codeOf(handle.result()), 'HL_ERR_JOB_CANCELLED');
    assert.equal(handle.job.state, 'cancelled');
    assert.equal(await codeOf(handle.cancel()), 'HL_ERR_JOB_FINISHED');
  });

  it('REST: POST /v1/jobs, GET /v1/jobs/ID and its server-sent events', async () => {
    const token = await composed.data.store.issueToken(device.id);
    const base = url.replace('ws://', 'http://');
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const posted = await fetch(`${base}/v1/jobs`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ kind: 'slow', params: { steps: 5, stepMs: 20 } }),
    });
    assert.equal(posted.status, 201);
    const { job } = (await posted.json()) as { job: JobInfo };
    const events = await fetch(`${base}/v1/jobs/${job.id}/events`, { headers });
    assert.equal(events.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    const text = await events.text(); // the stream ends after `done`
    const names = [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    assert.equal(names.at(-1), 'done');
    assert.ok(names.filter((n) => n === 'progress').length >= 2, text);
    const progress = [...text.matchAll(/^data: (.*)$/gm)].map((m) => (JSON.parse(m[1]!) as JobInfo).progress);
    assert.deepEqual(
      progress,
      [...progress].sort((a, b) => a - b),
    );
    const got = (await (await fetch(`${base}/v1/jobs/${job.id}`, { headers })).json()) as { job: JobInfo };
    assert.deepEqual([got.job.state, got.job.result], ['done', { steps: 5 }]);
    const missing = await fetch(`${base}/v1/jobs/nope`, { headers });
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'HL_ERR_JOB_NOT_FOUND');
    const bad = await fetch(`${base}/v1/jobs`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ kind: 'dream' }),
    });
    assert.equal(bad.status, 400);
  });

  it('survives a hub restart: a re-queued kind runs again, the other is failed by the restart', async () => {
    const again = await client.submitJob('slow', { steps: 40, stepMs: 25 });
    const lost = await client.submitJob('slow-fail', { steps: 1000, stepMs: 25 });
    const bothRunning = Promise.all(
      [again, lost].map(
        (h) => new Promise<void>((resolve) => h.on('progress', (j) => j.progress > 0 && resolve())),
      ),
    );
    await bothRunning;
    client.close();
    await composed.stop();
    await startHub();
    client = connect();
    await client.connect();
    const reattached = await client.jobs.attach(again.id);
    const done = await reattached.result();
    assert.deepEqual(done.result, { steps: 40 });
    const failed = await (await client.jobs.attach(lost.id)).ended();
    assert.deepEqual([failed.state, failed.error?.code], ['failed', 'HL_ERR_JOB_INTERRUPTED']);
    const listed = await client.jobs.list();
    assert.ok(listed.some((j) => j.id === again.id && j.state === 'done'));
  });
});
