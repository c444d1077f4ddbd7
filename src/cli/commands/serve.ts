/**
 * What the commands that serve until stopped (`hivelink hub`, `hivelink bus`, `hivelink satellite`,
 * `hivelink assistant`) share: where they write, the `--port` parser, waiting for the first bus connection, and
 * running until the first SIGINT or SIGTERM.
 *
 * @module
 */
import { InvalidArgumentError } from 'commander';
import type { BusClient } from '../../bus/index.js';
import { HiveLinkError } from '../../errors.js';
import type { CliWriter } from '../admin.js';
import { untilSignal } from '../signals.js';

/** Where a serving command writes: its lines to `out`, warnings and failures to `err`. */
export interface ServeIo {
  out: CliWriter;
  err: CliWriter;
}

/** The process's own stdout and stderr. */
export const PROCESS_IO: ServeIo = { out: process.stdout, err: process.stderr };

/** `--port`: a whole number 0..65535 (0 picks a free port). */
export function parsePort(value: string): number {
  const port = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(port) || port > 65535)
    throw new InvalidArgumentError('must be a port number 0..65535.');
  return port;
}

/**
 * Runs `serve` with a promise that resolves on the first SIGINT or SIGTERM (the signal to stop), and removes the
 * signal listeners once it has finished.
 */
export async function serveUntilSignal(serve: (until: Promise<unknown>) => Promise<void>): Promise<void> {
  const { signalled, dispose } = untilSignal();
  try {
    await serve(signalled);
  } finally {
    dispose();
  }
}

/**
 * Resolves when `bus` first opens; rejects when that first attempt fails (`HL_ERR_BUS_CONNECT_FAILED`, saying it
 * could not connect to `name` at `url`), so a command fails at start instead of retrying a bus that is not there.
 */
export function firstConnection(bus: BusClient, url: string, name: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const off = bus.onState((event) => {
      if (event.type === 'open') {
        off();
        resolve();
      } else if (event.type === 'reconnecting') {
        off();
        reject(new HiveLinkError('HL_ERR_BUS_CONNECT_FAILED', `cannot connect to ${name} at ${url}`));
      }
    });
    bus.connect().catch((err: unknown) => {
      off();
      reject(err);
    });
  });
}
