/**
 * `npm run fuzz`: pushes mutated frames through every decoder in-process and through a live hub, and exits 1 on any
 * finding (see scripts/fuzz/run.ts for what counts).
 *
 *   npm run fuzz -- [--frames 1000000] [--live-frames N] [--seconds S] [--seed N] [--target a,b,…] [--out DIR]
 *                   [--workers N] [--hang-ms 100] [--lanes 1] [--hub auto|dist|src] [--json] [--list]
 *   npm run fuzz -- --target bitstring --seed 7 --replay 12345     (runs one input again, with its stack)
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { hexPreview } from './findings-log.js';
import type { HubEntry } from './hub-process.js';
import { LIVE_TARGETS } from './live.js';
import { allTargetNames, formatReport, runFuzz } from './run.js';
import { runRange } from './run-inputs.js';
import { buildContext } from './target.js';
import { DECODER_TARGETS, decoderTarget } from './targets.js';

const { values } = parseArgs({
  options: {
    frames: { type: 'string' },
    'live-frames': { type: 'string' },
    seconds: { type: 'string' },
    seed: { type: 'string' },
    target: { type: 'string', default: 'all' },
    out: { type: 'string' },
    workers: { type: 'string' },
    'hang-ms': { type: 'string', default: '100' },
    lanes: { type: 'string', default: '1' },
    hub: { type: 'string', default: 'auto' },
    replay: { type: 'string' },
    json: { type: 'boolean', default: false },
    list: { type: 'boolean', default: false },
  },
});

function num(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value.replaceAll('_', ''));
  if (!Number.isFinite(n) || n < 0) {
    console.error(`--${name} must be a number >= 0`);
    process.exit(2);
  }
  return n;
}

if (values.list) {
  for (const t of DECODER_TARGETS) console.log(`${t.name.padEnd(18)} ${t.summary}`);
  for (const t of LIVE_TARGETS) console.log(`${t.padEnd(18)} live hub (see scripts/fuzz/live.ts)`);
  process.exit(0);
}

// Ctrl-C or a kill: exit through process.exit, so that the hub child is killed with us ('exit' handlers run).
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

const seed = num('seed', values.seed) ?? Math.floor(Math.random() * 2 ** 31);
const targets = values.target
  .split(',')
  .map((s) => s.trim())
  .filter((s) => s.length > 0);

if (values.replay !== undefined) {
  const target = decoderTarget(targets[0] ?? '');
  if (target === undefined || targets.length !== 1) {
    console.error(`--replay needs one in-process --target: ${DECODER_TARGETS.map((t) => t.name).join(', ')}`);
    process.exit(2);
  }
  const index = num('replay', values.replay)!;
  let found = false;
  await runRange({
    ctx: buildContext(seed),
    target,
    start: index,
    end: index + 1,
    hangMs: num('hang-ms', values['hang-ms'])!,
    onFinding: (f) => {
      found = true;
      console.log(`FINDING ${f.kind}: ${f.message}\ninput: ${hexPreview(f.input)}\n${f.stack ?? ''}`);
    },
  });
  console.log(found ? 'replayed: finding' : 'replayed: the input keeps the contract');
  process.exit(found ? 1 : 0);
}

for (const t of targets) {
  if (!['all', 'decoders', 'live', ...allTargetNames()].includes(t)) {
    console.error(`unknown target ${t}; --list shows them`);
    process.exit(2);
  }
}
const seconds = num('seconds', values.seconds);
const frames = num('frames', values.frames) ?? (seconds !== undefined ? Number.POSITIVE_INFINITY : 1_000_000);
const hub = values.hub as HubEntry;
if (!['auto', 'dist', 'src'].includes(hub)) {
  console.error('--hub must be auto, dist or src');
  process.exit(2);
}
const liveFrames = num('live-frames', values['live-frames']);
const workers = num('workers', values.workers);
const report = await runFuzz({
  frames,
  ...(liveFrames === undefined ? {} : { liveFrames }),
  seconds: seconds ?? null,
  seed,
  targets,
  ...(values.out === undefined ? {} : { out: values.out }),
  ...(workers === undefined ? {} : { workers }),
  hangMs: num('hang-ms', values['hang-ms'])!,
  laneScale: num('lanes', values.lanes)!,
  hubEntry: hub,
});
if (values.json) {
  console.log(
    JSON.stringify(
      {
        ...report,
        groups: report.groups.map((g) => ({ count: g.count, ...g.first, input: null, files: g.files })),
      },
      null,
      2,
    ),
  );
} else {
  console.log(formatReport(report));
}
process.exit(report.findings === 0 ? 0 : 1);
