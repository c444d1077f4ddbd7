/**
 * Pairing without typing secrets (issue 17, docs/PROTOCOL.md §17), as people run it: a real `hivelink hub` child
 * process, `hivelink pair` on its data dir, `hivelink join CODE` on a "satellite" (its own config dir), then
 * `hivelink ask` there with no flags; the code works once; and a recording of every byte of the join exchange holds
 * none of the new credentials. The refusals (expired, wrong code, burnt) are in cli-pair-refusals.test.ts.
 */
import assert from 'node:assert/strict';
import { connect, createServer, type Server } from 'node:net';
import { describe, it } from 'node:test';
import { authorizationToken } from '../../src/client/url.js';
import { LIMIT_DEFS } from '../../src/limits.js';
import { PAIRING_USERAGENT, parsePairingCode } from '../../src/session/pairing-code.js';
import { run } from './cli-process.js';
import { pairingSuite } from './pair-helpers.js';

const s = pairingSuite('hl-pair-');

/** A TCP relay to the hub that keeps every byte both ways. */
async function recordingProxy(
  port: number,
): Promise<{ url: string; wire: () => Buffer; close(): Promise<void> }> {
  const captured: Buffer[] = [];
  const proxy: Server = createServer((down) => {
    const up = connect(port, '127.0.0.1');
    const relay = (from: typeof down, to: typeof down) => {
      from.on('data', (d: Buffer) => {
        captured.push(d);
        to.write(d);
      });
      from.on('close', () => to.destroy());
      from.on('error', () => to.destroy());
    };
    relay(down, up);
    relay(up, down);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: `ws://127.0.0.1:${(proxy.address() as { port: number }).port}`,
    wire: () => Buffer.concat(captured),
    close: () => new Promise<void>((resolve) => proxy.close(() => resolve())),
  };
}

describe('hivelink pair and join (child processes)', () => {
  it('pair --json prints the code, its expiry, the hub URL and the join link', async () => {
    const before = Date.now();
    const p = await s.pair(['--name', 'hall', '--room', 'hall']);
    assert.match(p.code, /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    assert.equal(p.id, p.code.slice(0, 4));
    assert.equal(p.name, 'hall');
    assert.equal(p.site_id, 'hall');
    assert.equal(p.url, s.hub.url, "the running hub's URL (hub.url)");
    assert.equal(p.link, `hivelink://join?code=${p.code}&url=${encodeURIComponent(s.hub.url)}`);
    const expires = Date.parse(p.expires_at);
    const lifetime = LIMIT_DEFS.pairingLifetimeMs.default;
    assert.ok(expires >= before + lifetime && expires <= Date.now() + lifetime, p.expires_at);
    const text = await s.pairRaw(['--name', 'porch']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /hivelink join [0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4} --url ws:\/\//);
    assert.match(text.stdout, /[▀▄█]/, 'a QR code drawn in the terminal');
  });

  it('pair, then join on the satellite: ask answers with no flags; the code works once', async () => {
    const p = await s.pair(['--name', 'kitchen', '--room', 'kitchen']);
    const sat = s.satellite();
    const joined = await s.joinWith(p.code.toLowerCase(), sat.env);
    assert.equal(joined.code, 0, joined.stderr);
    assert.match(joined.stdout, /as "kitchen" \(client \d+, room kitchen\)/);
    const saved = s.savedIdentity(sat.config);
    assert.equal(saved.url, s.hub.url);
    assert.equal(saved.site_id, 'kitchen');
    assert.match(String(saved.password), /^[0-9a-f]{32}$/, 'a strong random password, not the code');
    const pins = saved.pinned_noise_keys as Record<string, string>;
    assert.match(pins[`127.0.0.1:${s.hub.port}`] ?? '', /^[0-9a-f]{64}$/, "the hub's Noise key pinned");
    const ask = await run(['ask', 'what time is it'], sat.env);
    assert.equal(ask.code, 0, ask.stderr);
    assert.match(ask.stdout, /\d/);
    // Once: the same code again is refused.
    assert.equal(await s.sdkJoin(parsePairingCode(p.code)), 'HL_ERR_PAIRING_USED');
    const list = await s.pairRaw(['list', '--json']);
    const row = (JSON.parse(list.stdout) as { id: string; state: string; clientId: number }[]).find(
      (x) => x.id === p.id,
    )!;
    assert.equal(row.state, 'used');
    assert.ok(row.clientId > 0);
  });

  it('a recording of the whole join exchange holds neither the new password nor the code', async () => {
    const proxy = await recordingProxy(s.hub.port);
    try {
      const p = await s.pair(['--name', 'cellar']);
      const sat = s.satellite();
      const r = await s.joinWith(p.code, sat.env, proxy.url);
      assert.equal(r.code, 0, r.stderr);
      const saved = s.savedIdentity(sat.config);
      const wire = proxy.wire();
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
      await proxy.close();
    }
  });
});
