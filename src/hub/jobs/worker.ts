/**
 * The worker thread one job runs in (`service.ts` starts it with `resourceLimits` from `jobMaxMemoryBytes`): imports
 * the kind's module, checks the parameters again, runs `run(ctx)` and reports to the hub by messages —
 * `progress`, `log`, `output`, then `done` or `fail`. A `cancel` from the hub aborts `ctx.signal` (and kills the
 * job's child processes); the hub terminates the thread if the job does not end soon after.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { HiveLinkError, isHiveLinkError } from '../../errors.js';
import { fileNameProblem } from '../../protocol/files.js';
import type { ExecResult, JobContext, JobDefinition, JobInput } from './define.js';

/** What the hub hands the worker. */
export interface JobWorkerData {
  readonly moduleUrl: string;
  readonly jobId: string;
  readonly params: unknown;
  readonly inputs: readonly JobInput[];
  readonly workDir: string;
  readonly memoryBytes: number;
}

/** Worker → hub. */
export type JobWorkerMessage =
  | { t: 'progress'; percent: number; message: string }
  | { t: 'log'; line: string }
  | { t: 'output'; name: string; path: string; mime: string | null }
  | { t: 'done'; result: unknown }
  | { t: 'fail'; code: string; message: string };

/** Hub → worker. */
export type JobHubMessage = { t: 'cancel' };

/** Most bytes of a child's stdout or stderr kept. */
const MAX_CHILD_OUTPUT = 1024 * 1024;

function exec(
  command: string,
  args: readonly string[],
  options: { input?: string | Uint8Array },
  memoryBytes: number,
  signal: AbortSignal,
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    // The address-space limit is the shell's ulimit, applied to the child it then becomes (exec).
    const kib = Math.floor(memoryBytes / 1024);
    const child = spawn('/bin/sh', ['-c', `ulimit -v ${kib} && exec "$0" "$@"`, command, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      signal,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (stdout.length < MAX_CHILD_OUTPUT) stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < MAX_CHILD_OUTPUT) stderr += d;
    });
    child.on('error', (err) => {
      if (signal.aborted) reject(signal.reason);
      else reject(new HiveLinkError('HL_ERR_JOB_FAILED', `${command}: ${err.message}`));
    });
    child.on('close', (code, sig) => {
      if (signal.aborted) return reject(signal.reason);
      if (code === 0) return resolve({ stdout, stderr });
      const oom = /memory|bad_alloc|Cannot allocate/i.test(stderr);
      reject(
        new HiveLinkError(
          oom ? 'HL_ERR_JOB_MEMORY' : 'HL_ERR_JOB_FAILED',
          `${command} ${sig === null ? `exited with ${code}` : `was killed (${sig})`}: ${stderr.trim().slice(-300)}`,
        ),
      );
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) return;
  const data = workerData as JobWorkerData;
  const send = (m: JobWorkerMessage) => port.postMessage(m);
  const controller = new AbortController();
  port.on('message', (m: JobHubMessage) => {
    if (m.t === 'cancel') controller.abort(new HiveLinkError('HL_ERR_JOB_FAILED', 'the job was cancelled'));
  });
  try {
    const module = (await import(data.moduleUrl)) as { default?: JobDefinition };
    const definition = module.default;
    if (definition === undefined)
      throw new HiveLinkError('HL_ERR_JOB_UNKNOWN_KIND', 'the module defines no job');
    const params = definition.params.parse(data.params);
    const outputs = new Set<string>();
    const ctx: JobContext<unknown> = {
      jobId: data.jobId,
      params,
      inputs: data.inputs,
      workDir: data.workDir,
      signal: controller.signal,
      progress: (percent, message = '') =>
        send({ t: 'progress', percent: Math.max(0, Math.min(100, Math.round(percent))), message }),
      log: (line) => send({ t: 'log', line: String(line).slice(0, 1000) }),
      throwIfCancelled: () => controller.signal.throwIfAborted(),
      output: (name, mime) => {
        const problem = fileNameProblem(name);
        if (problem !== null || outputs.has(name)) {
          throw new HiveLinkError('HL_ERR_FILE_BAD_NAME', problem ?? `output ${name} twice`);
        }
        outputs.add(name);
        const path = join(data.workDir, `out-${outputs.size}-${name}`);
        send({ t: 'output', name, path, mime: mime ?? null });
        return path;
      },
      memoryBytes: data.memoryBytes,
      exec: (command, args, options = {}) =>
        exec(command, args, options, data.memoryBytes, controller.signal),
    };
    const result = await definition.run(ctx);
    controller.signal.throwIfAborted();
    send({ t: 'done', result: result ?? null });
  } catch (err) {
    const code = isHiveLinkError(err) ? err.code : 'HL_ERR_JOB_FAILED';
    send({ t: 'fail', code, message: err instanceof Error ? err.message : String(err) });
  }
}

void main();
