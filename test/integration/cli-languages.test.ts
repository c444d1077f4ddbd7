/**
 * Languages (issue 17) end to end: `hivelink ask --lang` as people run it (the real binary against a `hivelink hub`
 * child process) gets the hub's assistant answering in that language, a language no skill speaks gets "language not
 * supported" rather than "did not understand", and REST `POST /v1/ask` with `lang` does the same.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildOnce, hubSuite, run, secretFile } from './cli-process.js';
import { clientWithToken, postAsk, type RestHub, startRestHub } from './rest-harness.js';

const root = mkdtempSync(join(tmpdir(), 'hl-cli-lang-'));
before(buildOnce);
after(() => rmSync(root, { recursive: true, force: true }));

describe('hivelink ask --lang (child processes against a real hub)', () => {
  const s = hubSuite(root, 'hub', 'sala');
  let creds: string[];
  before(() => {
    creds = [
      '--url',
      s.hub.url,
      '--key',
      s.client.accessKey,
      '--password-file',
      secretFile(s.client.password),
    ];
  });

  it('answers "quanto é doze vezes sete" in Portuguese with --lang pt-BR', async () => {
    const r = await run(['ask', ...creds, '--lang', 'pt-BR', 'quanto é doze vezes sete'], s.env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout.trim(), /^12 vezes 7 (?:dá|é igual a) 84\.$/);
  });

  it('answers "¿qué hora es?" in Spanish with --lang es-ES', async () => {
    const r = await run(['ask', ...creds, '--lang', 'es-ES', '¿qué hora es?'], s.env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout.trim(), /^(?:Son|Ahora son) las \d{1,2}:\d{2}\.$/);
  });

  it('answers "language not supported" to --lang fi, not "did not understand"', async () => {
    const r = await run(['ask', ...creds, '--lang', 'fi', 'paljonko on kaksitoista kertaa seitsemän'], s.env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /language not supported: fi\b/);
    assert.doesNotMatch(r.stderr, /did not understand/);
  });
});

describe('REST POST /v1/ask with lang', () => {
  let h: RestHub;
  let token = '';
  before(async () => {
    h = await startRestHub({
      prepare: async (store) => {
        token = (await clientWithToken(store, 'rest-lang')).token;
      },
    });
  });
  after(() => h.close());

  it('answers in the language asked, and says which languages it has for another', async () => {
    const pt = await postAsk(h.base, token, { utterance: 'quanto é 12 vezes 7?', lang: 'pt-PT' });
    assert.equal(pt.status, 200, JSON.stringify(pt.body));
    assert.match((pt.body as { answers: string[] }).answers.join(' '), /^12 vezes 7 (?:dá|é igual a) 84\.$/);
    const es = await postAsk(h.base, token, { utterance: 'cuánto es 12 por 7', lang: 'es-MX' });
    assert.match((es.body as { answers: string[] }).answers.join(' '), /^12 por 7 (?:son|es igual a) 84\.$/);
    const fi = await postAsk(h.base, token, { utterance: 'hei', lang: 'fi' });
    const body = fi.body as { answers: string[]; handled: boolean };
    assert.equal(body.handled, true);
    assert.match(body.answers[0] ?? '', /^Sorry, language not supported: fi\./);
  });
});
