/**
 * `files`: MiB/s of files sent through the hub with the real SDK (`client.sendFile`, chunked, flow-controlled, the
 * hub hashing and storing every byte): one transfer alone, then ten at once (ten clients of a local hub; the one
 * client of a remote hub, which its `maxParallelTransfers` may refuse). Also the job load the `throughput`
 * scenario's `--jobs N` runs beside its echo loop: N clients each keeping one heavy `archive` job (tar.gz of a
 * random file) running on the hub.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHiveClient, type HiveClient, MemoryIdentityStore, MemoryPinStore } from '../client/index.js';
import type { JobHandle } from '../client/jobs.js';
import { isHiveLinkError } from '../errors.js';
import { nowMs } from './connection.js';
import type { BenchContext } from './context.js';
import type { BenchCredentials } from './types.js';

const MiB = 1024 * 1024;
/** The parallel transfers of the second run. */
export const PARALLEL_TRANSFERS = 10;

/**
 * An SDK client of `creds` on `url` (no reconnect), connected; with the local hub's `psk` it skips deriving the v3
 * PSK (an argon2id each).
 */
export async function benchClient(
  url: string,
  creds: BenchCredentials,
  psk: Uint8Array | null = null,
): Promise<HiveClient> {
  const client = createHiveClient({
    url,
    accessKey: creds.accessKey,
    password: creds.password,
    ...(psk === null ? {} : { psk }),
    limits: { handshakeTimeoutMs: 60_000 },
    identityStore: new MemoryIdentityStore(new Uint8Array(Buffer.from(creds.noisePrivateKey, 'hex'))),
    pinStore: new MemoryPinStore(),
    reconnect: { enabled: false },
  });
  await client.connect();
  return client;
}

/** A temp file of `bytes` random bytes (written in 1 MiB blocks); returns its path and the remover. */
export function randomFile(bytes: number, name: string): { path: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'hivelink-bench-files-'));
  const path = join(dir, name);
  const fd = openSync(path, 'w');
  try {
    for (let left = bytes; left > 0; left -= MiB) writeSync(fd, randomBytes(Math.min(MiB, left)));
  } finally {
    closeSync(fd);
  }
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function why(err: unknown): string {
  return isHiveLinkError(err) ? `${err.code}: ${err.message}` : String(err);
}

/** `files`: one transfer, then {@link PARALLEL_TRANSFERS} at once, of `--file-mib` MiB each. */
export async function runFiles(ctx: BenchContext): Promise<void> {
  const { options } = ctx;
  const bytes = Math.max(1, Math.round(options.fileMiB * MiB));
  const file = randomFile(bytes, 'bench.bin');
  const agent = ctx.agents.includes('echo') ? 'echo' : (ctx.agents[0] ?? 'echo');
  try {
    await ctx.withHub(agent, async (hub) => {
      for (const transfers of [1, PARALLEL_TRANSFERS]) {
        ctx.reporter.note(`files: ${transfers} transfer(s) of ${options.fileMiB} MiB through the hub…`);
        const creds = Array.from({ length: transfers }, (_, i) => ctx.credentialsAt(i));
        const clients: HiveClient[] = [];
        for (const c of creds) clients.push(await benchClient(hub.url, c, ctx.setup?.psk ?? null));
        try {
          const started = nowMs();
          const ends = await Promise.all(
            clients.map(async (client, i) => {
              try {
                const sent = await client.sendFile(file.path, { name: `bench-${i}.bin` });
                return { ok: true as const, ms: nowMs() - started, fileId: sent.fileId };
              } catch (err) {
                return { ok: false as const, ms: nowMs() - started, error: why(err) };
              }
            }),
          );
          const seconds = (nowMs() - started) / 1000;
          const done = ends.filter((e) => e.ok);
          const failed = ends.length - done.length;
          const totalMiB = (done.length * bytes) / MiB;
          const slowest = Math.max(...done.map((e) => e.ms), 0) / 1000;
          ctx.reporter.add({
            scenario: 'files',
            transfers,
            file_mib: Math.round((bytes / MiB) * 100) / 100,
            total_mib: Math.round(totalMiB * 100) / 100,
            seconds: Math.round(seconds * 1000) / 1000,
            mib_per_s: seconds > 0 ? Math.round((totalMiB / seconds) * 10) / 10 : null,
            per_transfer_mib_per_s:
              done.length > 0 && slowest > 0 ? Math.round((bytes / MiB / slowest) * 10) / 10 : null,
            failed,
          });
          const error = ends.find((e) => !e.ok);
          if (error !== undefined && !error.ok) ctx.reporter.note(`  errors: ${error.error}`);
          // Keep the clients' quota free for the next run.
          await Promise.all(
            ends.map((e, i) =>
              e.ok ? clients[i]!.files.remove(e.fileId).catch(() => undefined) : undefined,
            ),
          );
        } finally {
          for (const client of clients) client.close();
        }
      }
    });
  } finally {
    file.remove();
  }
}

/** What a {@link JobLoad} did. */
export interface JobLoadReport {
  /** Jobs that ended done while the load ran. */
  readonly done: number;
  readonly failed: number;
  readonly error: string | null;
}

/**
 * `count` clients each keeping one `archive` job (a tar.gz of a `fileMiB` random file, the input sent once) running
 * on the hub at `url` until {@link stop}: the heavy jobs of `throughput --jobs N`.
 */
export class JobLoad {
  readonly #clients: HiveClient[] = [];
  readonly #loops: Promise<void>[] = [];
  readonly #current = new Set<JobHandle>();
  #stopped = false;
  #done = 0;
  #failed = 0;
  #error: string | null = null;
  /** Resolves once every client has a job running. */
  readonly running: Promise<void>;
  #markRunning: () => void = () => undefined;
  #runningCount = 0;

  private constructor(readonly count: number) {
    this.running = new Promise((resolve) => {
      this.#markRunning = resolve;
    });
  }

  static async start(
    url: string,
    creds: readonly BenchCredentials[],
    fileMiB: number,
    psk: Uint8Array | null = null,
  ): Promise<JobLoad> {
    const load = new JobLoad(creds.length);
    const file = randomFile(Math.max(1, Math.round(fileMiB * MiB)), 'job-input.bin');
    try {
      for (const c of creds) load.#clients.push(await benchClient(url, c, psk));
      const inputs = await Promise.all(load.#clients.map((client) => client.sendFile(file.path)));
      for (const [i, client] of load.#clients.entries()) {
        load.#loops.push(load.#loop(client, inputs[i]!.fileId));
      }
    } catch (err) {
      await load.stop();
      throw err;
    } finally {
      file.remove();
    }
    if (creds.length === 0) load.#markRunning();
    return load;
  }

  async #loop(client: HiveClient, input: string): Promise<void> {
    let first = true;
    while (!this.#stopped) {
      try {
        const handle = await client.submitJob(
          'archive',
          { format: 'tar.gz' },
          { files: [{ fileId: input }] },
        );
        this.#current.add(handle);
        if (this.#stopped) {
          await handle.cancel().catch(() => undefined);
          return;
        }
        if (first) {
          first = false;
          await new Promise<void>((resolve) => {
            const off = handle.on('progress', (j) => {
              if (j.state !== 'queued') {
                off();
                resolve();
              }
            });
            void handle.ended().then(() => resolve());
          });
          if (++this.#runningCount === this.count) this.#markRunning();
        }
        const job = await handle.ended();
        this.#current.delete(handle);
        if (job.state === 'done') {
          this.#done++;
          for (const out of job.outputs) await client.files.remove(out.file_id).catch(() => undefined);
        } else if (!this.#stopped) {
          this.#failed++;
          this.#error ??= job.error?.message ?? job.state;
        }
      } catch (err) {
        if (this.#stopped) return;
        this.#failed++;
        this.#error ??= why(err);
        if (first && ++this.#runningCount === this.count) this.#markRunning();
        first = false;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  /** Stops submitting, cancels what runs, closes the clients. */
  async stop(): Promise<JobLoadReport> {
    this.#stopped = true;
    this.#markRunning();
    await Promise.allSettled([...this.#current].map((handle) => handle.cancel()));
    await Promise.allSettled(this.#loops);
    for (const client of this.#clients) client.close();
    return { done: this.#done, failed: this.#failed, error: this.#error };
  }
}
