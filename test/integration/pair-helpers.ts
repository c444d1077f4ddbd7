/**
 * What the pairing process tests share (`cli-pair*.test.ts`): a real `hivelink hub` child process on a temp data dir
 * for the file, `hivelink pair --json` on it, satellites with config dirs of their own, `hivelink join` as typed, and
 * the SDK's `joinWithCode` for tries that need no process of their own.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { WebSocket } from 'ws';
import type { PairOutput } from '../../src/cli/commands/pair.js';
import { joinWithCode } from '../../src/client/pairing.js';
import type { WebSocketConstructor } from '../../src/client/types.js';
import { nodeBackend } from '../../src/crypto/backend.node.js';
import { isHiveLinkError } from '../../src/errors.js';
import type { PairingCode } from '../../src/session/pairing-code.js';
import { buildOnce, childEnv, type Exit, type HubProcess, run, startHub } from './cli-process.js';

export interface PairingSuite {
  readonly dataDir: string;
  /** The running hub (set before the first test). */
  readonly hub: HubProcess;
  /** `hivelink pair --json …` on the hub's data dir. */
  pair(extra?: readonly string[]): Promise<PairOutput>;
  /** `hivelink pair …` (not JSON) on the hub's data dir. */
  pairRaw(args: readonly string[]): Promise<Exit>;
  /** A satellite: a config dir of its own and the environment naming it. */
  satellite(): { env: NodeJS.ProcessEnv; config: string };
  /** `hivelink join CODE --url U` (the hub's URL unless given). */
  joinWith(code: string, env: NodeJS.ProcessEnv, url?: string): Promise<Exit>;
  /** Joins in-process with the SDK: 'paired', or the error code. */
  sdkJoin(code: PairingCode): Promise<string>;
  /** A satellite's saved identity file. */
  savedIdentity(config: string): Record<string, unknown>;
}

/** For the file it is called in: the hub started before its tests and stopped (with the temp dirs) after them. */
export function pairingSuite(prefix: string): PairingSuite {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const dataDir = join(root, 'hub');
  const hubEnv = childEnv({ HIVELINK_CONFIG_DIR: join(root, 'config-hub') });
  let hub: HubProcess | null = null;
  let satellites = 0;
  before(async () => {
    buildOnce();
    hub = await startHub(dataDir, hubEnv, ['--no-mdns']);
  });
  after(async () => {
    await hub?.proc.stop();
    rmSync(root, { recursive: true, force: true });
  });
  const running = (): HubProcess => {
    assert.ok(hub !== null, 'the hub runs');
    return hub;
  };
  const pairRaw = (args: readonly string[]) => run(['pair', ...args, '--data-dir', dataDir], hubEnv);
  return {
    dataDir,
    get hub() {
      return running();
    },
    async pair(extra = []) {
      const r = await pairRaw(['--json', ...extra]);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as PairOutput;
    },
    pairRaw,
    satellite() {
      satellites += 1;
      const config = join(root, `satellite-${satellites}`);
      return { env: childEnv({ HIVELINK_CONFIG_DIR: config }), config };
    },
    joinWith: (code, env, url) => run(['join', code, '--url', url ?? running().url], env),
    sdkJoin: (code) => joinAt(running().url, code),
    savedIdentity: (config) =>
      JSON.parse(readFileSync(join(config, 'identity.json'), 'utf8')) as Record<string, unknown>,
  };
}

/** Joins the hub at `url` in-process with the SDK's joinWithCode: 'paired', or the error code. */
export async function joinAt(url: string, code: PairingCode): Promise<string> {
  try {
    await joinWithCode({
      url,
      code,
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      backend: nodeBackend,
      staticKeyPair: nodeBackend.x25519KeyPair(),
    });
    return 'paired';
  } catch (err) {
    return isHiveLinkError(err) ? err.code : String(err);
  }
}

/** The code with its last (secret) character changed. */
export function wrongCode(code: string): string {
  const last = code.at(-1)!;
  return `${code.slice(0, -1)}${last === '0' ? '1' : '0'}`;
}
