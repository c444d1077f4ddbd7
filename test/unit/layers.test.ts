/**
 * The layer rule of ARCHITECTURE.md: imports flow downward only, and the browser-safe layers import no `node:`
 * module except from a `*.node.ts` backend file.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../helpers/vectors.js';

/** Lower index = lower layer. A file may import its own layer and any lower one. */
const LAYERS = [
  'protocol',
  'crypto',
  'session',
  'store',
  'bus',
  'assistant',
  'voice',
  'hub',
  'skills',
  'client',
  'http',
  'bench',
  'cli',
];
/** What each layer may import besides its own folder (ARCHITECTURE.md + STYLE.md §2). */
const ALLOWED: Record<string, string[]> = {
  protocol: [],
  crypto: ['protocol'],
  session: ['protocol', 'crypto'],
  store: ['protocol', 'crypto'],
  bus: ['protocol'],
  assistant: ['bus', 'protocol'],
  // The speech engines (src/voice): the recognizer's grammar is built from the assistant's intents.
  voice: ['protocol', 'bus', 'assistant'],
  // voice: the speech engines (src/voice), which the hub's transcribe job runs.
  hub: ['protocol', 'crypto', 'session', 'store', 'bus', 'voice'],
  // Installed skill bundles: the assistant's skills, served by the hub (docs/PROTOCOL.md §15).
  skills: ['protocol', 'crypto', 'session', 'store', 'bus', 'assistant', 'hub'],
  client: ['protocol', 'crypto', 'session', 'bus'],
  http: ['protocol', 'crypto', 'session', 'store', 'bus', 'assistant', 'hub', 'client'],
  bench: ['protocol', 'crypto', 'session', 'store', 'bus', 'assistant', 'hub', 'client', 'http'],
  cli: LAYERS,
};
/**
 * Single files allowed more layers: the bench's process entry runs the CLI (`hivelink hub` as the local hub's
 * child process, `npm run bench` from source); the hub's composition root builds the HTTP server and the embedded
 * assistant around the hub, and the embedded agent adapter wraps the assistant.
 */
const EXTRA: Record<string, string[]> = {
  'bench/cli-process.ts': ['cli'],
  'hub/compose.ts': ['assistant', 'http', 'skills'],
  'hub/agent-embedded.ts': ['assistant'],
  // The voice path hands what it heard to the embedded assistant and speaks its answers.
  'hub/handlers/audio.ts': ['assistant'],
  // A parent link of the mesh is an ordinary client of its parent hub, on the SDK (docs/PROTOCOL.md §14).
  'hub/mesh/parent-link.ts': ['client'],
};
const BROWSER_SAFE = new Set(['protocol', 'crypto', 'session', 'client']);
const SRC = join(REPO_ROOT, 'src');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

function importsOf(text: string): string[] {
  const specs: string[] = [];
  const re = /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of text.matchAll(re)) specs.push((m[1] ?? m[2])!);
  return specs;
}

describe('layering', () => {
  const files = sourceFiles(SRC);

  it('has source files to check', () => assert.ok(files.length > 0));

  it('only src/bench and src/cli import src/bench (the bench stays out of the hub, client and library)', () => {
    const offenders: string[] = [];
    for (const file of files) {
      const rel = relative(SRC, file);
      if (rel.startsWith('bench/') || rel.startsWith('cli/')) continue;
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        if (spec.startsWith('.') && relative(SRC, join(file, '..', spec)).startsWith('bench/')) {
          offenders.push(`${rel} imports ${spec}`);
        }
      }
    }
    assert.deepEqual(offenders, []);
  });

  for (const file of files) {
    const rel = relative(SRC, file);
    const layer = rel.includes('/') ? rel.split('/')[0]! : null;
    if (layer === null || !LAYERS.includes(layer)) continue;
    it(`${rel} imports only what its layer may`, () => {
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        if (spec.startsWith('.')) {
          const target = relative(SRC, join(file, '..', spec));
          const targetLayer = target.includes('/') ? target.split('/')[0]! : null;
          if (targetLayer === null || targetLayer === layer) continue; // errors.ts, limits.ts, own layer
          assert.ok(
            ALLOWED[layer]!.includes(targetLayer) || (EXTRA[rel] ?? []).includes(targetLayer),
            `${rel} imports ${spec} (layer ${targetLayer})`,
          );
        } else if (spec.startsWith('node:') && BROWSER_SAFE.has(layer)) {
          assert.ok(rel.endsWith('.node.ts'), `${rel} is browser-safe but imports ${spec}`);
        }
      }
    });
  }
});
