/**
 * Child-process helpers for the terminal-client tests (`hivelink ask`, `chat`, `satellite`): run the real binary
 * with an environment of its own (a temp config dir, no HIVELINK_* credentials from the caller), wait for lines on
 * its output, and start a hub on port 0 with a temp data dir.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before } from 'node:test';
import { createHiveMessage, type HiveMessage } from '../../src/protocol/message.js';
import { HiveMessageType } from '../../src/protocol/message-types.js';
import { REPO_ROOT } from '../helpers/vectors.js';
import type { FakePeer } from './hub-harness.js';

/** Longest wait for an expected line before the test fails with the output so far (never hang a run). */
const WAIT_LIMIT_MS = 30_000;

/** True when every `src/**\/*.ts` has a `dist` output at least as new (so a build would change nothing). */
function distIsCurrent(): boolean {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
    );
  const src = join(REPO_ROOT, 'src');
  return walk(src).every((file) => {
    const out = join(REPO_ROOT, 'dist', relative(src, file)).replace(/\.ts$/, '.js');
    return existsSync(out) && statSync(out).mtimeMs >= statSync(file).mtimeMs;
  });
}

/**
 * Checks that the built package the children run (bin/ → dist/) exists and is current. The test runner
 * (`scripts/run-tests.mjs`) builds once before any test starts; tests never build, so no test rewrites dist/ while
 * another test's child process is starting. Call it in `before()`.
 */
export function buildOnce(): void {
  assert.ok(
    existsSync(join(REPO_ROOT, 'dist/cli/main.js')) && distIsCurrent(),
    'dist/ is missing or older than src/: run the tests with `node scripts/run-tests.mjs` (it builds) or `npm run build`',
  );
}

/** The package root the children run from. */
export function buildRoot(): string {
  return REPO_ROOT;
}

/** The `hivelink` script. */
export function hivelinkBin(): string {
  return join(buildRoot(), 'bin/hivelink.js');
}

/** The caller's environment without any hivelink settings, plus `extra`. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HIVELINK_')) env[k] = v;
  return { ...env, ...extra };
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A running child with its output collected. */
export interface Running {
  readonly child: ChildProcess;
  readonly exit: Promise<Exit>;
  /** The first line of stdout, without its newline ('' if the process exits before writing one). */
  readonly line: Promise<string>;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stdout (or stderr) at or after character `from`. */
  wait(pattern: RegExp, stream?: 'stdout' | 'stderr', from?: number): Promise<RegExpMatchArray>;
  /** Sends `signal` (default SIGTERM) unless it has exited, and resolves with the exit. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

/** Starts `command args` (default: the hivelink binary) with its output collected. */
export function start(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  options: { command?: string; prefix?: readonly string[]; stdin?: 'pipe' | 'ignore' } = {},
): Running {
  const command = options.command ?? process.execPath;
  const argv =
    options.command === undefined ? [hivelinkBin(), ...args] : [...(options.prefix ?? []), ...args];
  const child = spawn(command, argv, {
    cwd: REPO_ROOT,
    env,
    stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  const waiters = new Set<() => void>();
  const poke = () => {
    for (const w of [...waiters]) w();
  };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out.stdout += d;
    poke();
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    out.stderr += d;
    poke();
  });
  let exited = false;
  const exit = new Promise<Exit>((resolve) =>
    child.on('close', (code, signal) => {
      exited = true;
      resolve({ code, signal, ...out });
      poke();
    }),
  );
  let gotLine: (line: string) => void = () => {};
  const line = new Promise<string>((resolve) => {
    gotLine = resolve;
  });
  const lineWatch = () => {
    const nl = out.stdout.indexOf('\n');
    if (nl >= 0) gotLine(out.stdout.slice(0, nl));
    else if (exited) gotLine('');
  };
  waiters.add(lineWatch);
  return {
    child,
    exit,
    line,
    stdout: () => out.stdout,
    stderr: () => out.stderr,
    wait(pattern, stream = 'stdout', from = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = out[stream].slice(from).match(pattern);
          if (m !== null) {
            done();
            resolve(m);
          } else if (exited) {
            done();
            reject(new Error(`exited before ${pattern}:\nstdout: ${out.stdout}\nstderr: ${out.stderr}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${pattern} on ${stream}:\nstdout: ${out.stdout}\nstderr: ${out.stderr}`));
        }, WAIT_LIMIT_MS);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async stop(signal = 'SIGTERM') {
      if (!exited) child.kill(signal);
      return exit;
    },
  };
}

/** Runs the binary to completion. */
export function run(args: readonly string[], env: NodeJS.ProcessEnv, stdin?: string): Promise<Exit> {
  const r = start(args, env, { stdin: stdin === undefined ? 'ignore' : 'pipe' });
  if (stdin !== undefined) r.child.stdin!.end(stdin);
  return r.exit;
}

let secretDir: string | null = null;
let secretCount = 0;

/**
 * A file (mode 0600) holding `secret`, for `--password-file`: `--password` on a command line is in the process
 * list, and the client warns about it on stderr.
 */
export function secretFile(secret: string): string {
  if (secretDir === null) {
    const dir = mkdtempSync(join(tmpdir(), 'hl-secret-'));
    secretDir = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  secretCount += 1;
  const file = join(secretDir, `secret-${secretCount}`);
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return file;
}

/** A port nothing listens on (bound and released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

export interface HubProcess {
  readonly proc: Running;
  readonly url: string;
  readonly port: number;
  /** The hub's agent bus (with `--bus-port 0`). */
  readonly busUrl: string | null;
}

/** Starts `hivelink hub` on 127.0.0.1 (port 0 unless given) with `dataDir`, and reads the real port. */
export async function startHub(
  dataDir: string,
  env: NodeJS.ProcessEnv,
  extra: readonly string[] = [],
  port = 0,
): Promise<HubProcess> {
  const proc = start(
    [
      'hub',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--data-dir',
      dataDir,
      '--log-level',
      'warn',
      ...extra,
    ],
    env,
  );
  const m = await proc.wait(/hivelink hub listening on (ws:\/\/127\.0\.0\.1:(\d+))\n/);
  const bus = extra.includes('--bus-port') ? await proc.wait(/agent bus served on (ws:\/\/\S+)\n/) : null;
  await proc.wait(/^agent: .*\n/m);
  return { proc, url: m[1]!, port: Number(m[2]), busUrl: bus === null ? null : bus[1]! };
}

/** A client added with `hivelink clients add --json` (extra flags, e.g. `--admin`). */
export interface AddedClient {
  id: number;
  accessKey: string;
  password: string;
}

export async function addClient(
  dataDir: string,
  env: NodeJS.ProcessEnv,
  name: string,
  extra: readonly string[] = [],
): Promise<AddedClient> {
  const r = await run(['clients', 'add', '--name', name, '--data-dir', dataDir, '--json', ...extra], env);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as AddedClient;
}

/** `hivelink bus --port 0`, once it listens, with its URL. */
export async function startBus(env: NodeJS.ProcessEnv): Promise<{ proc: Running; url: string }> {
  const proc = start(['bus', '--port', '0'], env);
  return { proc, url: (await proc.wait(/listening on (ws:\/\/\S+)\n/))[1]! };
}

/** An admin client that may broadcast (`clients add --admin`, then `clients set --can-broadcast true`). */
export async function addBroadcaster(dataDir: string, env: NodeJS.ProcessEnv): Promise<AddedClient> {
  const admin = await addClient(dataDir, env, 'admin', ['--admin']);
  const set = await run(
    ['clients', 'set', String(admin.id), '--can-broadcast', 'true', '--data-dir', dataDir],
    env,
  );
  assert.equal(set.code, 0, set.stderr);
  return admin;
}

/** The BROADCAST of a `speak` an admin client sends to every other client. */
export function broadcastSpeak(utterance: string): HiveMessage {
  return createHiveMessage(
    HiveMessageType.BROADCAST,
    createHiveMessage(HiveMessageType.BUS, { type: 'speak', data: { utterance }, context: {} }),
  );
}

/** What {@link hubSuite} starts for a describe(): the hub, its first client, and where the CLI children keep state. */
export interface HubSuite {
  /** The hub's data dir. */
  readonly dataDir: string;
  /** The config dir of the CLI children (`HIVELINK_CONFIG_DIR`). */
  readonly config: string;
  /** The children's environment. */
  readonly env: NodeJS.ProcessEnv;
  /** The running hub (set before the first test; a test that restarts it sets the new one). */
  hub: HubProcess;
  /** The client added before the first test. */
  client: AddedClient;
}

/**
 * For the describe() it is called in: a hub child process on `<root>/<name>` with one client `clientName`, started
 * before its tests and stopped after them, and a config dir `<root>/config-<name>` for the CLI children.
 */
export function hubSuite(root: string, name: string, clientName: string): HubSuite {
  const config = join(root, `config-${name}`);
  const suite = {
    dataDir: join(root, name),
    config,
    env: childEnv({ HIVELINK_CONFIG_DIR: config }),
  } as HubSuite;
  before(async () => {
    suite.hub = await startHub(suite.dataDir, suite.env);
    suite.client = await addClient(suite.dataDir, suite.env, clientName);
  });
  after(async () => {
    await suite.hub?.proc.stop();
  });
  return suite;
}

/** Asks the hub's assistant the time as `peer` and waits for its answer (a `speak`, or its failure to find an intent). */
export async function askTheTime(peer: FakePeer): Promise<void> {
  peer.sendBus('recognizer_loop:utterance', { utterances: ['what time is it'], lang: 'en-US' });
  const answer = await peer.waitFor(
    (m) =>
      m.msg_type === 'bus' &&
      ['speak', 'complete_intent_failure'].includes(String((m.payload as { type: unknown }).type)),
  );
  assert.equal((answer.payload as { context: { source: unknown } }).context.source, 'hive');
}
