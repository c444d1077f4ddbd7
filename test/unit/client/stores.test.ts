import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FileIdentityStore } from '../../../src/client/identity-store.node.js';
import { FilePinStore } from '../../../src/client/pin-store.node.js';
import { MemoryIdentityStore, MemoryPinStore } from '../../../src/client/stores.js';
import { WebStorageStore } from '../../../src/client/web-storage-store.js';

const dir = await mkdtemp(join(tmpdir(), 'hivelink-client-'));
after(() => rm(dir, { recursive: true, force: true }));

const KEY_A = new Uint8Array(32).fill(0xaa);
const KEY_B = new Uint8Array(32).fill(0xbb);

describe('MemoryPinStore / MemoryIdentityStore', () => {
  it('keep copies, so a caller changing its array changes nothing stored', async () => {
    const pins = new MemoryPinStore();
    const key = KEY_A.slice();
    await pins.set('h:1', key);
    key.fill(0);
    assert.deepEqual(await pins.get('h:1'), KEY_A);
    await pins.delete('h:1');
    assert.equal(await pins.get('h:1'), null);
    const id = new MemoryIdentityStore();
    assert.equal(await id.getNoisePrivateKey(), null);
    await id.setNoisePrivateKey(KEY_B);
    assert.deepEqual(await id.getNoisePrivateKey(), KEY_B);
  });
});

describe('FilePinStore', () => {
  it('pins per host:port in a 0600 JSON file that a new instance reads back', async () => {
    const path = join(dir, 'nested', 'pins.json');
    const pins = new FilePinStore(path);
    assert.equal(await pins.get('hub:5678'), null);
    await Promise.all([pins.set('hub:5678', KEY_A), pins.set('other:1', KEY_B)]);
    assert.deepEqual(await new FilePinStore(path).get('hub:5678'), KEY_A);
    assert.deepEqual(await new FilePinStore(path).get('other:1'), KEY_B);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    await pins.delete('hub:5678');
    assert.equal(await pins.get('hub:5678'), null);
    assert.deepEqual(JSON.parse(await readFile(path, 'utf8')), {
      pinned_noise_keys: { 'other:1': 'bb'.repeat(32) },
    });
  });

  it('fails with HL_ERR_KEY_FILE on a corrupt file or a malformed key', async () => {
    const corrupt = join(dir, 'corrupt.json');
    await writeFile(corrupt, '{oops');
    await assert.rejects(new FilePinStore(corrupt).get('h:1'), { code: 'HL_ERR_KEY_FILE' });
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ pinned_noise_keys: { 'h:1': 'zz' } }));
    await assert.rejects(new FilePinStore(bad).get('h:1'), { code: 'HL_ERR_KEY_FILE', message: /h:1/ });
  });
});

describe('FileIdentityStore', () => {
  it('keeps the Noise key and the pins in one file without losing either', async () => {
    const path = join(dir, 'identity.json');
    const identity = new FileIdentityStore(path);
    await Promise.all([identity.setNoisePrivateKey(KEY_A), identity.set('hub:5678', KEY_B)]);
    const again = new FileIdentityStore(path);
    assert.deepEqual(await again.getNoisePrivateKey(), KEY_A);
    assert.deepEqual(await again.get('hub:5678'), KEY_B);
  });

  it('keeps v3 PSKs by hub (the last four), and forgets them all on request', async () => {
    const path = join(dir, 'identity-psk.json');
    const identity = new FileIdentityStore(path);
    assert.equal(await identity.getPsk('hub-a'), null);
    for (const hub of ['hub-a', 'hub-b', 'hub-c', 'hub-d', 'hub-e']) await identity.setPsk(hub, KEY_A);
    const again = new FileIdentityStore(path);
    assert.equal(await again.getPsk('hub-a'), null, 'the oldest of five is dropped');
    assert.deepEqual(await again.getPsk('hub-e'), KEY_A);
    const file = JSON.parse(await readFile(path, 'utf8')) as { psk_cache: Record<string, string> };
    assert.equal(Object.keys(file.psk_cache).length, 4);
    assert.ok(
      Object.keys(file.psk_cache).every((slot) => /^[0-9a-f]{64}$/.test(slot)),
      'slots are hashes of the node ids',
    );
    await again.clearPsks();
    assert.equal(await identity.getPsk('hub-e'), null);
  });
});

describe('WebStorageStore', () => {
  it('keeps the Noise key and pins as hex items under its prefix', async () => {
    const items = new Map<string, string>();
    const storage = {
      getItem: (k: string) => items.get(k) ?? null,
      setItem: (k: string, v: string) => void items.set(k, v),
      removeItem: (k: string) => void items.delete(k),
    };
    const store = new WebStorageStore(storage, 'app:');
    await store.setNoisePrivateKey(KEY_A);
    await store.set('hub:5678', KEY_B);
    assert.deepEqual(Object.fromEntries(items), {
      'app:noise_key': 'aa'.repeat(32),
      'app:pin:hub:5678': 'bb'.repeat(32),
    });
    const again = new WebStorageStore(storage, 'app:');
    assert.deepEqual(await again.getNoisePrivateKey(), KEY_A);
    assert.deepEqual(await again.get('hub:5678'), KEY_B);
    await again.delete('hub:5678');
    assert.equal(await store.get('hub:5678'), null);
    items.set('app:noise_key', 'nope');
    await assert.rejects(store.getNoisePrivateKey(), { code: 'HL_ERR_KEY_FILE' });
  });
});
