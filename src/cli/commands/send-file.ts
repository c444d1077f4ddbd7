/**
 * `hivelink send-file PATH [--to hub|CLIENT|ROOM] [--name N] [--mime M] [--json]`: sends a file to the hub (or
 * through it), in chunks it resumes after a dropped connection; a progress bar on a terminal, plain lines otherwise;
 * prints the file's id. Connection flags as `hivelink ask`.
 *
 * @module
 */
import type { Command } from 'commander';
import type { ClientCommandOptions } from '../client-options.js';
import { withClientOptions } from '../client-options.js';
import { type ComputeIo, progressDisplay, withComputeClient } from '../compute-session.js';

export interface SendFileOptions extends ClientCommandOptions {
  to?: string;
  name?: string;
  mime?: string;
  json?: boolean;
}

export async function runSendFile(path: string, opts: SendFileOptions, io: ComputeIo): Promise<void> {
  await withComputeClient(opts, io, async (client) => {
    const progress = progressDisplay(io.err, 'sending');
    const sent = await client.sendFile(path, {
      ...(opts.to === undefined ? {} : { to: opts.to }),
      ...(opts.name === undefined ? {} : { name: opts.name }),
      ...(opts.mime === undefined ? {} : { mime: opts.mime }),
      onProgress: (p) => progress.bytes(p.done, p.total),
    });
    progress.end();
    io.out.write(
      opts.json === true
        ? `${JSON.stringify(sent)}\n`
        : `${sent.fileId}  ${sent.name}  ${sent.size} bytes  sha256:${sent.sha256}\n`,
    );
  });
}

/** Adds `hivelink send-file`. */
export function registerSendFileCommand(
  program: Command,
  io: ComputeIo = { out: process.stdout, err: process.stderr },
): Command {
  return withClientOptions(
    program
      .command('send-file')
      .description('send a file to the hub (or through it to a client or room), resumable')
      .argument('<path>', 'the file'),
  )
    .option('--to <target>', 'hub (default), a client id or name, or a room')
    .option('--name <name>', 'the name it gets (default: the base name of the path)')
    .option('--mime <type>', 'its media type')
    .option('--json', 'print {fileId, name, size, sha256}')
    .action(async (path: string, opts: SendFileOptions) => runSendFile(path, opts, io));
}
