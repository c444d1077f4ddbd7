/**
 * What `hivelink send-file`, `files` and `jobs` share: a connected client from the flags of `ask` (it reconnects,
 * so a transfer or a wait survives a dropped connection), failures in one line, and a progress display — a bar with
 * bytes, rate and ETA on a terminal, plain lines otherwise.
 *
 * @module
 */
import type { HiveClient } from '../client/index.js';
import { HiveLinkError } from '../errors.js';
import type { CliWriter } from './admin.js';
import { clientFailure, type FailureContext, seconds } from './client-errors.js';
import { type ClientCommandOptions, openClient } from './client-options.js';
import type { Env } from './identity-file.js';

/** How long the commands wait for the first connection. */
export const COMPUTE_CONNECT_TIMEOUT_MS = 10_000;

export interface ComputeIo {
  out: CliWriter;
  err?: CliWriter & { isTTY?: boolean };
  env?: Env;
}

/** Connects with `opts`, runs `body`, closes; every failure becomes one line (the hub's code kept). */
export async function withComputeClient<T>(
  opts: ClientCommandOptions,
  io: ComputeIo,
  body: (client: HiveClient) => Promise<T>,
): Promise<T> {
  const { client, failure } = await openClient(
    opts,
    { enabled: true, initialDelayMs: 200, maxDelayMs: 5000 },
    io.env,
  );
  const ctx: FailureContext = { ...failure, timeoutMs: COMPUTE_CONNECT_TIMEOUT_MS };
  try {
    try {
      await client.connect({ timeoutMs: COMPUTE_CONNECT_TIMEOUT_MS });
    } catch (err) {
      if (err instanceof HiveLinkError && err.code === 'HL_ERR_NOT_CONNECTED') {
        throw new HiveLinkError(
          'HL_ERR_CONNECT_FAILED',
          `no connection to the hub at ${ctx.url} within ${seconds(COMPUTE_CONNECT_TIMEOUT_MS)}`,
        );
      }
      throw clientFailure(err, ctx);
    }
    return await body(client);
  } finally {
    client.close();
  }
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** A progress display on `err`: a redrawn bar on a terminal, a line per 10 % otherwise. */
export function progressDisplay(
  err: ComputeIo['err'],
  label: string,
): {
  bytes(done: number, total: number): void;
  percent(percent: number, message: string): void;
  end(): void;
} {
  const tty = err?.isTTY === true;
  const started = Date.now();
  let lastStep = -1;
  let drawn = false;
  const line = (text: string) => {
    if (err === undefined) return;
    if (tty) {
      err.write(`\r\u001b[2K${text}`);
      drawn = true;
    } else err.write(`${text}\n`);
  };
  const bar = (fraction: number) => {
    const width = 24;
    const full = Math.round(fraction * width);
    return `[${'#'.repeat(full)}${'.'.repeat(width - full)}]`;
  };
  const step = (percent: number) => {
    const s = Math.floor(percent / 10);
    if (!tty && s === lastStep) return false;
    lastStep = s;
    return true;
  };
  return {
    bytes(done, total) {
      const fraction = total === 0 ? 1 : done / total;
      if (!step(fraction * 100)) return;
      const elapsed = (Date.now() - started) / 1000;
      const rate = elapsed > 0 ? done / elapsed : 0;
      const eta = rate > 0 ? Math.ceil((total - done) / rate) : 0;
      line(
        `${label} ${bar(fraction)} ${Math.round(fraction * 100)}% ${size(done)} of ${size(total)}, ${size(rate)}/s, ETA ${eta} s`,
      );
    },
    percent(percent, message) {
      if (!step(percent)) return;
      line(`${label} ${bar(percent / 100)} ${percent}% ${message}`);
    },
    end() {
      if (tty && drawn) err?.write('\n');
    },
  };
}
