/**
 * `hivelink discover [--timeout MS] [--interface ADDR] [--json]`: lists the hubs that announce themselves on the LAN
 * over mDNS, ours and HiveMind's (docs/PROTOCOL.md §16).
 *
 * @module
 */
import type { Command } from 'commander';
import { discoverHubs } from '../../hub/discovery.js';
import { type CliWriter, parsePositiveInt, STDOUT, table, writeJson } from '../admin.js';

export interface DiscoverOptions {
  timeout: number;
  interface?: string;
  json?: boolean;
}

/** Browses for `opts.timeout` ms and prints what answered. */
export async function discover(out: CliWriter, opts: DiscoverOptions): Promise<void> {
  const hubs = await discoverHubs({
    timeoutMs: opts.timeout,
    ...(opts.interface === undefined ? {} : { interface: opts.interface }),
  });
  if (opts.json === true) {
    writeJson(out, hubs);
    return;
  }
  if (hubs.length === 0) {
    out.write(`No hubs answered within ${opts.timeout} ms.\n`);
    return;
  }
  out.write(
    table(
      ['NAME', 'URL', 'KIND', 'SITE'],
      hubs.map((h) => [h.name, h.url, h.node, h.site ?? '']),
    ),
  );
}

/** Registers `hivelink discover` on `program`. */
export function registerDiscoverCommand(program: Command, out: CliWriter = STDOUT): void {
  program
    .command('discover')
    .description('list the hubs on the LAN (mDNS: hivelink and HiveMind hubs)')
    .option('--timeout <ms>', 'how long to listen for answers', parsePositiveInt, 2000)
    .option(
      '--interface <address>',
      'browse on the interface with this address (127.0.0.1: this machine only)',
    )
    .option('--json', 'print JSON')
    .action((opts: DiscoverOptions) => discover(out, opts));
}
