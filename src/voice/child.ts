/**
 * One engine run as a child process with bounds: its stdin written once, stdout collected up to `maxOutputBytes`
 * (more kills it: `HL_ERR_VOICE_OUTPUT_TOO_LARGE`), stderr kept to its last 4 KiB for the error message, and a
 * wall-clock limit (`HL_ERR_VOICE_ENGINE_TIMEOUT`, SIGKILL). An abort signal kills it too. No shell is involved:
 * arguments go to the program as they are.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { HiveLinkError } from '../errors.js';

export interface ChildRun {
  /** The program (looked up on PATH) and its arguments. */
  readonly command: string;
  readonly args: readonly string[];
  /** Written to stdin, which is then closed. @default nothing (stdin closed at once) */
  readonly input?: Uint8Array | string;
  /** Killed after this many ms. */
  readonly timeoutMs: number;
  /** Most stdout bytes kept; more kills the process. */
  readonly maxOutputBytes: number;
  readonly signal?: AbortSignal;
}

const STDERR_TAIL = 4096;

/**
 * Runs the program and resolves with its stdout once it exits 0.
 *
 * @throws HiveLinkError `HL_ERR_VOICE_ENGINE` (not found, non-zero exit, killed by a signal or aborted, with the end
 *   of its stderr), `HL_ERR_VOICE_ENGINE_TIMEOUT`, `HL_ERR_VOICE_OUTPUT_TOO_LARGE`.
 */
export function runChild(run: ChildRun): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    if (run.signal?.aborted === true) {
      reject(new HiveLinkError('HL_ERR_VOICE_ENGINE', `${run.command}: aborted`));
      return;
    }
    const child = spawn(run.command, run.args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    let failure: HiveLinkError | null = null;
    const kill = (error: HiveLinkError) => {
      failure ??= error;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(
      () =>
        kill(
          new HiveLinkError(
            'HL_ERR_VOICE_ENGINE_TIMEOUT',
            `${run.command} did not finish within ${run.timeoutMs} ms`,
          ),
        ),
      run.timeoutMs,
    );
    const onAbort = () => kill(new HiveLinkError('HL_ERR_VOICE_ENGINE', `${run.command}: aborted`));
    run.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > run.maxOutputBytes) {
        kill(
          new HiveLinkError(
            'HL_ERR_VOICE_OUTPUT_TOO_LARGE',
            `${run.command} wrote more than ${run.maxOutputBytes} bytes`,
          ),
        );
        return;
      }
      chunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
    // A child that exits before reading all its input makes the write fail with EPIPE: its exit status says why.
    child.stdin.on('error', () => undefined);
    child.on('error', (err) =>
      kill(new HiveLinkError('HL_ERR_VOICE_ENGINE', `${run.command}: ${err.message}`, { cause: err })),
    );
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      run.signal?.removeEventListener('abort', onAbort);
      if (failure !== null) return reject(failure);
      if (code !== 0) {
        const tail = stderr.trim().split('\n').slice(-3).join(' | ');
        return reject(
          new HiveLinkError(
            'HL_ERR_VOICE_ENGINE',
            `${run.command} exited with ${code === null ? `signal ${signal}` : `code ${code}`}${tail === '' ? '' : `: ${tail}`}`,
          ),
        );
      }
      resolve(new Uint8Array(Buffer.concat(chunks)));
    });
    if (run.input === undefined) child.stdin.end();
    else child.stdin.end(run.input);
  });
}
