/**
 * `hivelink clients token ID [--revoke TOKEN]` with real processes: a token printed once asks a real `hivelink hub`
 * over `POST /v1/ask` and gets a joke; revoked, it gets 401; revoking it again (or a token of another client) exits
 * 1 with one line.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { addClient, buildOnce, childEnv, type HubProcess, run, startHub } from './cli-process.js';
import { errorCode, postAsk } from './rest-harness.js';

describe('hivelink clients token', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hivelink-token-'));
  const env = childEnv({ XDG_CONFIG_HOME: join(dataDir, 'config') });
  let hub: HubProcess;
  let base = '';

  before(async () => {
    buildOnce();
    hub = await startHub(dataDir, env);
    base = `http://127.0.0.1:${hub.port}`;
  });
  after(async () => {
    await hub?.proc.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('issues a token that asks as the client, and revokes it', async () => {
    const alice = await addClient(dataDir, env, 'alice');
    const issued = await run(['clients', 'token', String(alice.id), '--data-dir', dataDir], env);
    assert.equal(issued.code, 0, issued.stderr);
    const token = /^(hlt_\S+)$/m.exec(issued.stdout)?.[1];
    assert.ok(token !== undefined, issued.stdout);
    assert.match(issued.stdout, /shown once/);

    const ok = await postAsk(base, token, { utterance: 'tell me a joke', lang: 'en-us' });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal((ok.body as { handled: boolean }).handled, true);
    assert.equal((ok.body as { answers: string[] }).answers.length, 1);

    const revoked = await run(
      ['clients', 'token', alice.accessKey, '--revoke', token, '--data-dir', dataDir],
      env,
    );
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, /Revoked the token of client/);

    const refused = await postAsk(base, token, { utterance: 'tell me a joke' });
    assert.equal(refused.status, 401);
    assert.equal(errorCode(refused), 'HL_ERR_TOKEN_INVALID');

    const again = await run(
      ['clients', 'token', String(alice.id), '--revoke', token, '--data-dir', dataDir],
      env,
    );
    assert.equal(again.code, 1);
    assert.match(again.stderr, /has no such token/);
  });

  it("refuses to revoke another client's token, and prints JSON with --json", async () => {
    const bob = await addClient(dataDir, env, 'bob');
    const carol = await addClient(dataDir, env, 'carol');
    const issued = await run(['clients', 'token', String(bob.id), '--json', '--data-dir', dataDir], env);
    assert.equal(issued.code, 0, issued.stderr);
    const { client_id, token } = JSON.parse(issued.stdout) as { client_id: number; token: string };
    assert.equal(client_id, bob.id);
    const wrong = await run(
      ['clients', 'token', String(carol.id), '--revoke', token, '--data-dir', dataDir],
      env,
    );
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /client \d+ has no such token/);
    const still = await postAsk(base, token, { utterance: 'tell me a joke' });
    assert.equal(still.status, 200, 'the token still works');
  });
});
