/**
 * `hivelink bus [--host 127.0.0.1] [--port 8181] [--max-message-bytes N]`: a standalone OVOS-compatible
 * messagebus. Prints `hivelink bus listening on ws://HOST:PORT/core` (the real port when `--port 0`) and runs until
 * SIGINT or SIGTERM, then closes every connection and exits 0.
 *
 * @module
 */
import { type Command, InvalidArgumentError } from 'commander';
import { BUS_ROUTE, BusServer, DEFAULT_BUS_HOST, DEFAULT_BUS_PORT } from '../../bus/index.js';
import { LIMIT_DEFS } from '../../limits.js';
import { PROCESS_IO, parsePort, type ServeIo, serveUntilSignal } from './serve.js';

/** Parsed options of `hivelink bus`. */
export interface BusCommandOptions {
  host: string;
  port: number;
  maxMessageBytes?: number;
}

function parseMessageBytes(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  const min = LIMIT_DEFS.busMaxMessageBytes.min;
  if (!Number.isSafeInteger(n) || n < min)
    throw new InvalidArgumentError(`must be a whole number >= ${min}.`);
  return n;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** `ws://host:port/core`, with an IPv6 host in brackets. */
export function busUrl(host: string, port: number): string {
  return `ws://${host.includes(':') ? `[${host}]` : host}:${port}${BUS_ROUTE}`;
}

/**
 * Runs the bus until `until` resolves, then stops it. Resolves when the bus is closed.
 *
 * @throws HiveLinkError `HL_ERR_BUS_LISTEN_FAILED` when the address cannot be used.
 */
export async function runBus(opts: BusCommandOptions, io: ServeIo, until: Promise<unknown>): Promise<void> {
  const server = new BusServer({ host: opts.host, port: opts.port, maxMessageBytes: opts.maxMessageBytes });
  const { port } = await server.start();
  if (!isLoopback(opts.host)) {
    io.err.write(
      `hivelink: warning: the bus has no authentication; anyone who can reach ${opts.host}:${port} controls every assistant on it\n`,
    );
  }
  io.out.write(`hivelink bus listening on ${busUrl(opts.host, port)}\n`);
  try {
    await until;
  } finally {
    await server.stop();
  }
}

/** Adds `hivelink bus` to `program`. */
export function registerBusCommand(program: Command): void {
  program
    .command('bus')
    .description('run a standalone OVOS-compatible messagebus (ws://HOST:PORT/core) until SIGINT/SIGTERM')
    .option('--host <host>', 'address to listen on', DEFAULT_BUS_HOST)
    .option('--port <port>', 'port to listen on (0 picks a free one)', parsePort, DEFAULT_BUS_PORT)
    .option(
      '--max-message-bytes <n>',
      `largest message; bigger frames close the connection with 1009 (default ${LIMIT_DEFS.busMaxMessageBytes.default})`,
      parseMessageBytes,
    )
    .action((opts: BusCommandOptions) => serveUntilSignal((until) => runBus(opts, PROCESS_IO, until)));
}
