/**
 * The relay-mode admin commands as users run them (issue 12, docs/PROTOCOL.md §13): `hivelink clients show` with
 * the end-to-end key fingerprint beside the INTERCOM pin, `clients set --accept-anonymous`, `clients
 * reset-relay-keys` (the command the hub's HL_ERR_RELAY_KEY_MISMATCH text names) and `hivelink relay audit`, each a
 * child process on a data dir in a temp folder whose relay rows a store opened here wrote, as a hub would.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ShownClient } from '../../src/cli/commands/clients.js';
import type { RelayAuditRow } from '../../src/cli/commands/relay.js';
import { e2eFingerprint, e2eIdentity } from '../../src/crypto/sealed.js';
import { ERROR_CODES } from '../../src/errors.js';
import { openDataDir } from '../../src/store/data-dir.js';
import { type AddedClient, addClient, buildOnce, childEnv, run } from './cli-process.js';

const root = mkdtempSync(join(tmpdir(), 'hl-cli-relay-'));
after(() => rmSync(root, { recursive: true, force: true }));
const D = join(root, 'data');
const dd = ['--data-dir', D];
const env = childEnv();

async function ok(args: readonly string[]): Promise<string> {
  const r = await run(args, env);
  assert.equal(r.code, 0, `hivelink ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

async function json<T>(args: readonly string[]): Promise<T> {
  return JSON.parse(await ok([...args, '--json'])) as T;
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

describe('relay-mode admin commands', () => {
  let alice: AddedClient;
  let bob: AddedClient;
  const keys = e2eIdentity();
  const fingerprint = e2eFingerprint(keys.x25519.publicKey, keys.ed25519.publicKey);

  before(async () => {
    buildOnce();
    alice = await addClient(D, env, 'alice');
    bob = await addClient(D, env, 'bob');
    const data = openDataDir(D);
    try {
      assert.equal(
        await data.store.relay.pinKeys(alice.id, b64(keys.x25519.publicKey), b64(keys.ed25519.publicKey)),
        'pinned',
      );
      const row = { bytes: 180, messageId: 'ab'.repeat(16) };
      await data.store.relay.audit(
        { ...row, senderId: alice.id, recipientId: bob.id, mode: 'signed', outcome: 'delivered' },
        100,
      );
      await data.store.relay.audit(
        {
          ...row,
          senderId: bob.id,
          recipientId: alice.id,
          mode: 'anonymous',
          outcome: 'HL_ERR_SEALED_ANONYMOUS_REFUSED',
        },
        100,
      );
    } finally {
      await data.close();
    }
  });

  it('clients show prints the e2e key fingerprint next to the INTERCOM pin, and the accept-anonymous setting', async () => {
    const text = await ok(['clients', 'show', String(alice.id), ...dd]);
    assert.match(
      text,
      /\nintercom pin {5}\(none\)\ne2e keys {9}(sha256:[0-9a-f]{16}) \(sha256:[0-9a-f]{64}\)\n/,
    );
    assert.ok(text.includes(`e2e keys         ${fingerprint} (`), text);
    assert.match(text, /\naccept anonymous yes\n/);
    const shown = await json<ShownClient>(['clients', 'show', alice.accessKey, ...dd]);
    assert.deepEqual(shown.relay, {
      e2eKeys: {
        fingerprint,
        fingerprintFull: e2eFingerprint(keys.x25519.publicKey, keys.ed25519.publicKey, true),
        x25519: b64(keys.x25519.publicKey),
        ed25519: b64(keys.ed25519.publicKey),
        publishedAt: shown.relay.e2eKeys!.publishedAt,
      },
      acceptAnonymous: true,
    });
    assert.match(await ok(['clients', 'show', String(bob.id), ...dd]), /\ne2e keys {9}\(none\)\n/);
  });

  it('clients set --accept-anonymous no|yes changes the setting, alone or with other fields', async () => {
    const set = await ok(['clients', 'set', String(bob.id), '--accept-anonymous', 'no', ...dd]);
    assert.match(set, /^Updated client \d+\.\n[\s\S]*\naccept anonymous no\n/);
    const data = openDataDir(D);
    try {
      assert.equal(await data.store.relay.acceptsAnonymous(bob.id), false);
    } finally {
      await data.close();
    }
    const both = await json<ShownClient>([
      'clients',
      'set',
      String(bob.id),
      '--accept-anonymous',
      'yes',
      '--description',
      'hall speaker',
      ...dd,
    ]);
    assert.deepEqual([both.relay.acceptAnonymous, both.description], [true, 'hall speaker']);
    const bad = await run(['clients', 'set', String(bob.id), '--accept-anonymous', 'perhaps', ...dd], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /expected true or false/);
  });

  it('relay audit lists who wrote to whom, newest first, per client and bounded, never contents', async () => {
    const text = await ok(['relay', 'audit', ...dd]);
    const lines = text.trimEnd().split('\n');
    assert.match(lines[0]!, /^TIME\s+FROM\s+TO\s+MODE\s+BYTES\s+OUTCOME\s+MESSAGE ID$/);
    assert.match(
      lines[1]!,
      new RegExp(
        `^\\S+Z\\s+${bob.id} bob\\s+${alice.id} alice\\s+anonymous\\s+180\\s+HL_ERR_SEALED_ANONYMOUS_REFUSED\\s+(ab){16}$`,
      ),
    );
    assert.match(
      lines[2]!,
      new RegExp(`\\s+${alice.id} alice\\s+${bob.id} bob\\s+signed\\s+180\\s+delivered\\s+`),
    );
    assert.equal(lines.length, 3);
    const one = await json<RelayAuditRow[]>(['relay', 'audit', '--limit', '1', ...dd]);
    assert.deepEqual(
      one.map((r) => [r.senderId, r.senderName, r.recipientId, r.recipientName, r.mode]),
      [[bob.id, 'bob', alice.id, 'alice', 'anonymous']],
    );
    const third = await addClient(D, env, 'carol');
    assert.deepEqual(await json(['relay', 'audit', '--client', String(third.id), ...dd]), []);
    assert.equal(
      await ok(['relay', 'audit', '--client', third.accessKey, ...dd]),
      `No relayed sealed messages to or from client ${third.id}.\n`,
    );
    const unknown = await run(['relay', 'audit', '--client', '99', ...dd], env);
    assert.deepEqual([unknown.code, unknown.stderr], [1, 'hivelink: no client with id 99\n']);
    const badLimit = await run(['relay', 'audit', '--limit', '0', ...dd], env);
    assert.equal(badLimit.code, 2);
  });

  it('clients reset-relay-keys — the command the key-mismatch refusal names — forgets the pinned keys', async () => {
    assert.match(ERROR_CODES.HL_ERR_RELAY_KEY_MISMATCH.summary, /hivelink clients reset-relay-keys ID/);
    const out = await ok(['clients', 'reset-relay-keys', alice.accessKey, ...dd]);
    assert.equal(
      out,
      `Cleared the end-to-end keys pinned to client ${alice.id}; the next keys it publishes are pinned.\n`,
    );
    assert.equal((await json<ShownClient>(['clients', 'show', String(alice.id), ...dd])).relay.e2eKeys, null);
    const data = openDataDir(D);
    try {
      const other = e2eIdentity();
      const pin = await data.store.relay.pinKeys(
        alice.id,
        b64(other.x25519.publicKey),
        b64(other.ed25519.publicKey),
      );
      assert.equal(pin, 'pinned', 'new keys are pinned after the reset');
    } finally {
      await data.close();
    }
    const missing = await run(['clients', 'reset-relay-keys', '42', ...dd], env);
    assert.deepEqual([missing.code, missing.stderr], [1, 'hivelink: no client with id 42\n']);
  });

  it('HL_ERR_SEALED_ANONYMOUS_REFUSED names the flag that sets it', () => {
    assert.match(ERROR_CODES.HL_ERR_SEALED_ANONYMOUS_REFUSED.summary, /clients set ID --accept-anonymous no/);
  });
});
