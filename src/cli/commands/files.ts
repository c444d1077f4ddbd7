/**
 * `hivelink files list [--json]`, `files get ID [--out PATH]`, `files rm ID`: this client's files on the hub (and
 * those sent to it). Connection flags as `hivelink ask`.
 *
 * @module
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { type ClientCommandOptions, withClientOptions } from '../client-options.js';
import { type ComputeIo, progressDisplay, withComputeClient } from '../compute-session.js';

interface FilesOptions extends ClientCommandOptions {
  json?: boolean;
  out?: string;
}

export function registerFilesCommands(
  program: Command,
  io: ComputeIo = { out: process.stdout, err: process.stderr },
): Command {
  const files = program.command('files').description("this client's files on the hub");
  withClientOptions(files.command('list').description('list the files'))
    .option('--json', 'print them as JSON')
    .action(async (opts: FilesOptions) =>
      withComputeClient(opts, io, async (client) => {
        const list = await client.files.list();
        if (opts.json === true) io.out.write(`${JSON.stringify(list)}\n`);
        else {
          for (const f of list)
            io.out.write(`${f.file_id}  ${f.name}  ${f.size} bytes  ${f.state}  ${f.origin}\n`);
        }
      }),
    );
  withClientOptions(
    files.command('get').description('fetch a file (checked by its SHA-256)').argument('<id>'),
  )
    .option('--out <path>', 'where to save it (default: its name, in the current directory)')
    .action(async (id: string, opts: FilesOptions) =>
      withComputeClient(opts, io, async (client) => {
        const meta = (await client.files.list()).find((f) => f.file_id === id);
        const path = opts.out ?? join(process.cwd(), String(meta?.name ?? id));
        const progress = progressDisplay(io.err, 'fetching');
        const got = await client.downloadFile(id, {
          to: path,
          onProgress: (p) => progress.bytes(p.done, p.total),
        });
        progress.end();
        io.out.write(`${path}  ${got.size} bytes  sha256:${got.sha256}\n`);
      }),
    );
  withClientOptions(files.command('rm').description('remove a file from the hub').argument('<id>')).action(
    async (id: string, opts: FilesOptions) =>
      withComputeClient(opts, io, async (client) => {
        await client.files.remove(id);
        io.out.write(`removed ${id}\n`);
      }),
  );
  return files;
}
