/**
 * Pairing without typing secrets (issue 17, docs/PROTOCOL.md §17), as people run it: a real `hivelink hub` child
 * process, `hivelink pair` on its data dir, `hivelink join CODE` on a "satellite" (its own config dir), then
 * `hivelink ask` there with no flags. The code works once, an expired one is refused, wrong codes burn it after
 * pairingMaxAttempts tries, and a recording of every byte of the join exchange holds none of the new credentials.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PairOutput } from '../../src/cli/commands/pair.js';
import { authorizationToken } from '../../src/client/url.js';
import { LIMIT_DEFS } from '../../src/limits.js';
import { PAIRING_USERAGENT, parsePairingCode } from '../../src/session/pairing-code.js';
import { dataDirPaths } from '../../src/store/data-dir.js';
import { buildOnce, childEnv, type HubProcess, run, startHub } from './cli-process.js';

const root = mkdtempSync(join(tmpdir(), 'hl-pair-'));
const dataDir = join(root, 'hub');
const hubEnv = childEnv({ HIVELINK_CONFIG_DIR: join(root, 'config-hub') });
let hub: HubProcess;
let satellites = 0;
const Database = createRequire(import.meta.url)('better-sqlite3') as new (
  file: string,
) => { prepare(sql: string): { run(...params: unknown[]): unknown }; close(): void };

before(async () => {
  buildOnce();
  hub = await startHub(dataDir, hubEnv, ['--no-mdns']);
});
after(async () => {
  await hub?.proc.stop();
  rmSync(root, { recursive: true, force: true });
});

/** `hivelink pair --json` on the hub's data dir. */
async function pair(extra: readonly string[] = []): Promise<PairOutput> {
  const r = await run(['pair', '--data-dir', dataDir, '--json', ...extra], hubEnv);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as PairOutput;
}

/** A satellite's environment: a config dir of its own. */
function satellite(): { env: NodeJS.ProcessEnv; config: string } {
  satellites += 1;
  const config = join(root, `satellite-${satellites}`);
  return { env: childEnv({ HIVELINK_CONFIG_DIR: config }), config };
}

function joinWith(code: string, env: NodeJS.ProcessEnv, url = hub.url) {
  return run(['join', code, '--url', url], env);
}

/** The code with one secret character changed. */
function wrongCode(code: string): string {
  const last = code.at(-1)!;
  return `${code.slice(0, -1)}${last === '0' ? '1' : '0'}`;
}

const savedIdentity = (config: string) =>
  JSON.parse(readFileSync(join(config, 'identity.json'), 'utf8')) as Record<string, unknown>;

describe('hivelink pair and join (child processes)', () => {
  it('pair --json prints the code, its expiry, the hub URL and the join link', async () => {
    const before = Date.now();
    const p = await pair(['--name', 'hall', '--room', 'hall']);
    assert.match(p.code, /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    assert.equal(p.id, p.code.slice(0, 4));
    assert.equal(p.name, 'hall');
    assert.equal(p.site_id, 'hall');
    assert.equal(p.url, hub.url, "the running hub's URL (hub.url)");
    assert.equal(p.link, `hivelink://join?code=${p.code}&url=${encodeURIComponent(hub.url)}`);
    const expires = Date.parse(p.expires_at);
    const lifetime = LIMIT_DEFS.pairingLifetimeMs.default;
    assert.ok(expires >= before + lifetime && expires <= Date.now() + lifetime, p.expires_at);
    const text = await run(['pair', '--data-dir', dataDir, '--name', 'porch'], hubEnv);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /hivelink join [0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4} --url ws:\/\//);
    assert.match(text.stdout, /[▀▄█]/, 'a QR code drawn in the terminal');
  });

  it('pair, then join on the satellite: ask answers with no flags; the code works once', async () => {
    const p = await pair(['--name', 'kitchen', '--room', 'kitchen']);
    const sat = satellite();
    const joined = await joinWith(p.code.toLowerCase(), sat.env);
    assert.equal(joined.code, 0, joined.stderr);
    assert.match(joined.stdout, /as "kitchen" \(client \d+, room kitchen\)/);
    const saved = savedIdentity(sat.config);
    assert.equal(saved.url, hub.url);
    assert.equal(saved.site_id, 'kitchen');
    assert.match(String(saved.password), /^[0-9a-f]{32}$/, 'a strong random password, not the code');
    assert.ok(
      typeof (saved.pinned_noise_keys as Record<string, string>)[`127.0.0.1:${hub.port}`] === 'string',
    );
    const ask = await run(['ask', 'what time is it'], sat.env);
    assert.equal(ask.code, 0, ask.stderr);
    assert.match(ask.stdout, /\d/);
    // Once: a second satellite with the same code is refused, and the first keeps working.
    const again = await joinWith(p.code, satellite().env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /used already/);
    const list = await run(['pair', 'list', '--json', '--data-dir', dataDir], hubEnv);
    const row = (JSON.parse(list.stdout) as { id: string; state: string; clientId: number }[]).find(
      (x) => x.id === p.id,
    )!;
    assert.equal(row.state, 'used');
    assert.ok(row.clientId > 0);
  });

  it('an expired code is refused', async () => {
    const p = await pair(['--name', 'attic']);
    const db = new Database(dataDirPaths(dataDir).database);
    try {
      db.prepare('UPDATE pairings SET expires_at = ? WHERE id = ?').run(Date.now() - 1, p.id);
    } finally {
      db.close();
    }
    const r = await joinWith(p.code, satellite().env);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /expired/);
  });

  it(`a wrong code is refused, and after ${LIMIT_DEFS.pairingMaxAttempts.default} tries the code is burnt`, async () => {
    const p = await pair(['--name', 'garage']);
    const sat = satellite();
    for (let i = 0; i < LIMIT_DEFS.pairingMaxAttempts.default; i++) {
      const r = await joinWith(wrongCode(p.code), sat.env);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /did not accept this code/);
    }
    const right = await joinWith(p.code, sat.env);
    assert.equal(right.code, 1);
    assert.match(right.stderr, /too many attempts/);
    const unknown = await joinWith(`ZZZZ${p.code.slice(4)}`, sat.env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no such pairing code/);
  });

  it('a recording of the whole join exchange holds neither the new password nor the code', async () => {
    const captured: Buffer[] = [];
    const proxy: Server = createServer((down) => {
      const up = connect(hub.port, '127.0.0.1');
      down.on('data', (d: Buffer) => {
        captured.push(d);
        up.write(d);
      });
      up.on('data', (d: Buffer) => {
        captured.push(d);
        down.write(d);
      });
      down.on('close', () => up.destroy());
      up.on('close', () => down.destroy());
      down.on('error', () => up.destroy());
      up.on('error', () => down.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const port = (proxy.address() as { port: number }).port;
    try {
      const p = await pair(['--name', 'cellar']);
      const sat = satellite();
      const r = await joinWith(p.code, sat.env, `ws://127.0.0.1:${port}`);
      assert.equal(r.code, 0, r.stderr);
      const saved = savedIdentity(sat.config);
      const wire = Buffer.concat(captured);
      const code = parsePairingCode(p.code);
      // The recording is the exchange: the upgrade naming the pairing, and the Noise handshake.
      assert.ok(wire.includes(authorizationToken(PAIRING_USERAGENT, `pair:${code.id}`)));
      assert.ok(wire.includes('"noise"'));
      for (const secret of [String(saved.password), String(saved.access_key), code.secret]) {
        for (const form of [
          secret,
          secret.toLowerCase(),
          Buffer.from(secret).toString('hex'),
          Buffer.from(secret).toString('base64'),
        ]) {
          assert.equal(wire.includes(form), false, `${form} is on the wire`);
        }
      }
    } finally {
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });
});
