/**
 * The pairing refusals (issue 17, docs/PROTOCOL.md §17.2) against a real `hivelink hub` child process: an expired
 * code, wrong codes (refused, and burning the code after pairingMaxAttempts tries), an unknown id. The tries that
 * need no process of their own go through the SDK's joinWithCode; what people see comes from `hivelink join`.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { LIMIT_DEFS } from '../../src/limits.js';
import { parsePairingCode } from '../../src/session/pairing-code.js';
import { dataDirPaths } from '../../src/store/data-dir.js';
import { pairingSuite, wrongCode } from './pair-helpers.js';

const s = pairingSuite('hl-pair-refusals-');
const Database = createRequire(import.meta.url)('better-sqlite3') as new (
  file: string,
) => { prepare(sql: string): { run(...params: unknown[]): unknown }; close(): void };

describe('hivelink join refusals (child processes)', () => {
  it('an expired code is refused', async () => {
    const p = await s.pair(['--name', 'attic']);
    // Expired as if its ten minutes had passed (written by another connection, as the clock would).
    const db = new Database(dataDirPaths(s.dataDir).database);
    try {
      db.prepare('UPDATE pairings SET expires_at = ? WHERE id = ?').run(Date.now() - 1, p.id);
    } finally {
      db.close();
    }
    const r = await s.joinWith(p.code, s.satellite().env);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /expired/);
  });

  it(`a wrong code is refused, and after ${LIMIT_DEFS.pairingMaxAttempts.default} tries the code is burnt`, async () => {
    const p = await s.pair(['--name', 'garage']);
    const code = parsePairingCode(p.code);
    const wrong = parsePairingCode(wrongCode(p.code));
    for (let i = 1; i < LIMIT_DEFS.pairingMaxAttempts.default; i++) {
      assert.equal(await s.sdkJoin(wrong), 'HL_ERR_PAIRING_WRONG_CODE');
    }
    const sat = s.satellite();
    const last = await s.joinWith(wrongCode(p.code), sat.env);
    assert.equal(last.code, 1);
    assert.match(last.stderr, /did not accept this code/);
    const right = await s.joinWith(p.code, sat.env);
    assert.equal(right.code, 1);
    assert.match(right.stderr, /too many attempts/);
    assert.equal(await s.sdkJoin({ ...code, id: 'ZZZZ' }), 'HL_ERR_PAIRING_UNKNOWN');
    const list = await s.pairRaw(['list', '--json']);
    const row = (JSON.parse(list.stdout) as { id: string; state: string }[]).find((x) => x.id === p.id)!;
    assert.equal(row.state, 'burnt');
  });
});
