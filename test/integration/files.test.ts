/**
 * Files on the hub (issue 15, docs/PROTOCOL.md "Files and jobs"), over real sockets on 127.0.0.1 with a hub from
 * compose.ts: a chunked upload checked by hash and stored in the data dir, each refusal with its code (and its
 * partial data removed), a file sent to another client and fetched back with a resume, a HiveMind BINARY FILE both
 * ways (a stock client's FILE in, a small file out as one FILE with its name), list and remove.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bytesSource, type ReceivedFile } from '../../src/client/files.js';
import { createHiveClient, type HiveClient } from '../../src/client/index.js';
import { HiveLinkError, isHiveLinkError } from '../../src/errors.js';
import type { ComposedHub } from '../../src/hub/compose.js';
import { FILE_CHUNK_BYTES, FileMsg } from '../../src/protocol/files.js';
import { createHiveMessage, type HiveMessage } from '../../src/protocol/message.js';
import { BinaryType, HiveMessageType } from '../../src/protocol/message-types.js';
import { composeTestHub, SdkDevice } from './house-harness.js';
import { failOnUnhandledRejection } from './hub-harness.js';

failOnUnhandledRejection();

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    assert.ok(isHiveLinkError(err), String(err));
    return err.code;
  }
  assert.fail('expected a refusal');
}

/** The next message `client` gets of `msgType` matching `test`. */
function next(client: HiveClient, msgType: string, test: (m: HiveMessage) => boolean): Promise<HiveMessage> {
  return new Promise((resolve) => {
    const off = client.on(msgType, (m) => {
      if (!test(m)) return;
      off();
      resolve(m);
    });
  });
}

describe('files on the hub', () => {
  let dataDir: string;
  let composed: ComposedHub;
  let url: string;
  const clients: HiveClient[] = [];

  async function device(name: string, extra: Parameters<typeof SdkDevice.add>[2] = {}) {
    const d = await SdkDevice.add(composed, name, extra);
    const client = d.client(url);
    clients.push(client);
    await client.connect();
    return { device: d, client };
  }

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'hl-files-'));
    const hub = await composeTestHub(dataDir, {
      agent: 'echo',
      limits: { maxFileBytes: 8 * 1024 * 1024, fileQuotaBytes: 12 * 1024 * 1024, maxParallelTransfers: 2 },
    });
    composed = hub.composed;
    url = hub.url;
  });

  after(async () => {
    for (const c of clients) c.close();
    await composed.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('takes a chunked file, checks its hash and keeps it in the data dir', async () => {
    const { client } = await device('uploader');
    const bytes = randomBytes(3 * FILE_CHUNK_BYTES + 12345);
    const progress: number[] = [];
    const sent = await client.sendFile(bytes, {
      name: 'photo.bin',
      mime: 'application/octet-stream',
      onProgress: (p) => progress.push(p.done),
    });
    assert.equal(sent.size, bytes.byteLength);
    assert.equal(sent.sha256, sha(bytes));
    assert.deepEqual(
      progress,
      [...progress].sort((a, b) => a - b),
      'progress only grows',
    );
    assert.equal(progress.at(-1), bytes.byteLength);
    const stored = readFileSync(join(dataDir, 'files', sent.fileId));
    assert.equal(sha(stored), sha(bytes));
    const list = await client.files.list();
    assert.deepEqual(
      list.map((f) => [f.name, f.size, f.state]),
      [['photo.bin', bytes.byteLength, 'complete']],
    );
    await client.files.remove(sent.fileId);
    assert.equal(existsSync(join(dataDir, 'files', sent.fileId)), false);
    assert.deepEqual(await client.files.list(), []);
  });

  it('refuses a file too large, a name with a path, too many transfers, the quota and a wrong hash, each with its code', async () => {
    const { client } = await device('refused');
    assert.equal(
      await refusal(client.sendFile(new Uint8Array(9 * 1024 * 1024), { name: 'big.bin' })),
      'HL_ERR_FILE_TOO_LARGE',
    );
    assert.equal(
      await refusal(client.sendFile(randomBytes(10), { name: '../etc/passwd' })),
      'HL_ERR_FILE_BAD_NAME',
    );
    assert.equal(await refusal(client.sendFile(randomBytes(10), { name: 'a\\b' })), 'HL_ERR_FILE_BAD_NAME');
    // Two offers left open (no chunk sent): a third is refused.
    const offer = (name: string, size: number) =>
      client.request(FileMsg.OFFER, { name, size, sha256: '0'.repeat(64) });
    const open1 = await offer('one.bin', 100);
    const open2 = await offer('two.bin', 100);
    assert.equal(await refusal(offer('three.bin', 100)), 'HL_ERR_FILE_TOO_MANY_TRANSFERS');
    for (const o of [open1, open2]) await client.request(FileMsg.CANCEL, { file_id: o.file_id });
    // 12 MiB quota: 7 MiB stored, 6 MiB more is refused.
    const kept = await client.sendFile(randomBytes(7 * 1024 * 1024), { name: 'kept.bin' });
    assert.equal(
      await refusal(client.sendFile(randomBytes(6 * 1024 * 1024), { name: 'more.bin' })),
      'HL_ERR_FILE_QUOTA',
    );
    await client.files.remove(kept.fileId);
    // A file whose bytes are not the ones its hash names: refused once whole, its data removed.
    const bytes = randomBytes(2 * FILE_CHUNK_BYTES + 7);
    const lying = { ...bytesSource(bytes, 'lie.bin'), sha256: async () => sha(randomBytes(8)) };
    assert.equal(await refusal(client.sendFile(lying)), 'HL_ERR_FILE_HASH_MISMATCH');
    assert.deepEqual(await client.files.list(), []);
    assert.deepEqual(
      readdirSync(join(dataDir, 'files')).filter((f) => f.endsWith('.part')),
      [],
      'no partial data left',
    );
  });

  it('sends a file to another client, which fetches it and resumes after a reconnect', async () => {
    const { client: alice } = await device('alice');
    const bob = await device('bob');
    const bytes = randomBytes(6 * FILE_CHUNK_BYTES + 99);
    const announced = new Promise<ReceivedFile>((resolve) => bob.client.on('file', resolve));
    await alice.sendFile(bytes, { to: 'bob', name: 'report.pdf', mime: 'application/pdf' });
    const file = await announced;
    assert.equal(file.bytes, null, 'a large file is announced, not inline');
    assert.deepEqual(
      [file.name, file.size, file.from, file.mime],
      ['report.pdf', bytes.byteLength, 'alice', 'application/pdf'],
    );
    // Fetch it, cutting bob's connection after the first chunks: the download goes on where it stopped.
    const fetcher = createHiveClient({
      url,
      accessKey: bob.device.accessKey,
      password: bob.device.password,
      identityStore: bob.device.identityStore,
      pinStore: bob.device.pinStore,
      reconnect: { enabled: true, initialDelayMs: 10, maxDelayMs: 50 },
    });
    clients.push(fetcher);
    await fetcher.connect();
    let cut = false;
    const got = await fetcher.downloadFile(file.fileId!, {
      onProgress: (p) => {
        if (!cut && p.done >= 2 * FILE_CHUNK_BYTES) {
          cut = true;
          for (const conn of composed.hub.ctx.peers.values()) {
            if (conn.record.id === bob.device.id) conn.close(new HiveLinkError('HL_ERR_INTERNAL', 'cut'));
          }
        }
      },
    });
    assert.ok(cut);
    assert.equal(sha(got.bytes!), sha(bytes));
    // A client it was not shared with cannot fetch it.
    const carol = await device('carol');
    assert.equal(await refusal(carol.client.downloadFile(file.fileId!)), 'HL_ERR_FILE_UNKNOWN');
  });

  it('takes a HiveMind BINARY FILE, and hands a small file out as one', async () => {
    const { client: stock } = await device('stock-satellite');
    const dave = await device('dave');
    const bytes = randomBytes(5000);
    const stored = next(
      stock,
      HiveMessageType.BUS,
      (m) => (m.payload as { type?: string }).type === FileMsg.COMPLETE,
    );
    stock.emit(
      createHiveMessage(HiveMessageType.BINARY, bytes, {
        bin_type: BinaryType.FILE,
        metadata: { file_name: '/home/pi/snapshot.jpg' },
      }),
    );
    const done = ((await stored).payload as { data: Record<string, unknown> }).data;
    assert.deepEqual([done.name, done.size, done.sha256], ['snapshot.jpg', 5000, sha(bytes)]);
    // To dave: a file this small goes out as HiveMind's BINARY FILE with its name.
    const inline = next(dave.client, HiveMessageType.BINARY, () => true);
    await stock.sendFile(bytes, { to: dave.device.id, name: 'snapshot.jpg' });
    const m = await inline;
    assert.equal(m.bin_type, BinaryType.FILE);
    assert.equal(m.metadata.file_name, 'snapshot.jpg');
    assert.equal(sha(m.payload as Uint8Array), sha(bytes));
  });
});
