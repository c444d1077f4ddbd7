/**
 * `hivelink jobs submit KIND [--file F]… [--param k=v]… [--wait] [--json] [--out DIR]`, `jobs list`, `jobs show ID`,
 * `jobs cancel [ID]`, `jobs logs ID`: jobs on the hub. `submit` sends the files first; with `--wait` it shows the
 * progress (a bar on a terminal, lines otherwise), prints the result (JSON with `--json`) and saves the output files
 * in `--out` (default the current directory); a failed or cancelled job exits 1 with its code. `--param` values are
 * read as JSON when they parse (`width=64`, `flag=true`), else as text. Connection flags as `hivelink ask`.
 *
 * @module
 */
import { join } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import type { JobInfo } from '../../client/jobs.js';
import { type ClientCommandOptions, withClientOptions } from '../client-options.js';
import { type ComputeIo, progressDisplay, withComputeClient } from '../compute-session.js';

interface JobsOptions extends ClientCommandOptions {
  file?: string[];
  param?: Record<string, unknown>;
  wait?: boolean;
  json?: boolean;
  out?: string;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function param(value: string, previous: Record<string, unknown> = {}): Record<string, unknown> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError('expected key=value.');
  const raw = value.slice(eq + 1);
  let parsed: unknown = raw;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = raw;
  }
  return { ...previous, [value.slice(0, eq)]: parsed };
}

function line(job: JobInfo): string {
  const end = job.error === null ? '' : `  ${job.error.code}: ${job.error.message}`;
  return `${job.id}  ${job.kind}  ${job.state}  ${job.progress}%  ${job.message}${end}`;
}

export function registerJobsCommands(
  program: Command,
  io: ComputeIo = { out: process.stdout, err: process.stderr },
): Command {
  const jobs = program.command('jobs').description('jobs on the hub (speak, transcribe, image, archive, …)');
  withClientOptions(jobs.command('submit').description('submit a job').argument('<kind>'))
    .option('--file <path>', 'an input file (repeat for more)', collect)
    .option('--param <key=value>', 'a parameter (repeat; JSON values are parsed)', param)
    .option('--wait', 'wait for the end, show progress, save the outputs')
    .option('--json', 'print the job as JSON')
    .option('--out <dir>', 'where --wait saves the output files (default: the current directory)')
    .action(async (kind: string, opts: JobsOptions) =>
      withComputeClient(opts, io, async (client) => {
        const handle = await client.submitJob(kind, opts.param ?? {}, { files: opts.file ?? [] });
        if (opts.wait !== true) {
          io.out.write(opts.json === true ? `${JSON.stringify(handle.job)}\n` : `${line(handle.job)}\n`);
          return;
        }
        const progress = progressDisplay(io.err, kind);
        handle.on('progress', (j) => progress.percent(j.progress, j.message));
        const job = await handle.ended();
        progress.end();
        if (job.state === 'done') {
          const dir = opts.out ?? process.cwd();
          const saved = await handle.saveOutputs((name) => join(dir, name));
          if (opts.json === true) io.out.write(`${JSON.stringify(job)}\n`);
          else {
            io.out.write(`${JSON.stringify(job.result)}\n`);
            for (const s of saved) io.out.write(`saved ${s.path}\n`);
          }
        }
        await handle.result(); // a failed or cancelled job ends the command with its code
      }),
    );
  withClientOptions(jobs.command('list').description("this client's jobs, newest first"))
    .option('--json', 'print them as JSON')
    .action(async (opts: JobsOptions) =>
      withComputeClient(opts, io, async (client) => {
        const list = await client.jobs.list();
        io.out.write(
          opts.json === true ? `${JSON.stringify(list)}\n` : list.map((j) => `${line(j)}\n`).join(''),
        );
      }),
    );
  withClientOptions(jobs.command('show').description('one job').argument('<id>'))
    .option('--json', 'print it as JSON')
    .action(async (id: string, opts: JobsOptions) =>
      withComputeClient(opts, io, async (client) => {
        const { job } = await client.jobs.attach(id);
        io.out.write(opts.json === true ? `${JSON.stringify(job)}\n` : `${line(job)}\n`);
      }),
    );
  withClientOptions(
    jobs
      .command('cancel')
      .description('cancel a job (default: the newest queued or running)')
      .argument('[id]'),
  ).action(async (id: string | undefined, opts: JobsOptions) =>
    withComputeClient(opts, io, async (client) => {
      const d = await client.request('hive.job.cancel', id === undefined ? {} : { id });
      io.out.write(`${line(d.job as JobInfo)}\n`);
    }),
  );
  withClientOptions(jobs.command('logs').description("a job's log lines").argument('<id>')).action(
    async (id: string, opts: JobsOptions) =>
      withComputeClient(opts, io, async (client) => {
        const lines = await (await client.jobs.attach(id)).logs();
        io.out.write(lines.map((l) => `${l}\n`).join(''));
      }),
  );
  return jobs;
}
