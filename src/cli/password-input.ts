/**
 * Ways to give a terminal client its password that keep it out of the process list. A `--password P` flag is in
 * every process's command line (`ps`, `/proc/<pid>/cmdline`), which any user of the machine can read; a file, a
 * prompt, `$HIVELINK_PASSWORD` (only the same user can read a process's environment) or the saved identity are not.
 *
 * @module
 */
import { HiveLinkError } from '../errors.js';
import { readNamedFile } from '../store/files.js';

/** Where a warning line goes. */
export interface LineWriter {
  write(text: string): unknown;
}

let warned = false;

/**
 * Warns once per process (on stderr) that `flag` (`--password`, `--psk`) put a secret in the process list, and
 * what to use instead.
 */
export function warnSecretFlag(flag: string, err: LineWriter = process.stderr): void {
  if (warned) return;
  warned = true;
  err.write(
    `hivelink: warning: ${flag} is visible to every user of this machine in the process list; ` +
      'use --password-file FILE, --password-prompt, $HIVELINK_PASSWORD or "hivelink identity set" instead\n',
  );
}

/**
 * The password in `file`: its first line, without the line break (so `echo pw > file` works).
 * @throws HiveLinkError `HL_ERR_INVALID_ARGUMENT` when the file cannot be read or its first line is empty
 */
export function readPasswordFile(file: string): string {
  const text = readNamedFile(file, 'password file');
  const line = text.split(/\r?\n/, 1)[0] ?? '';
  if (line.length === 0) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `the password file ${file} is empty`);
  }
  return line;
}

/** What {@link promptPassword} reads from and writes to. */
export interface PromptIo {
  input: NodeJS.ReadStream;
  output: LineWriter;
}

/**
 * Asks for the password on the terminal without echoing it (raw mode, one line; Ctrl-C or Ctrl-D gives up).
 * @throws HiveLinkError `HL_ERR_INVALID_ARGUMENT` when stdin is not a terminal, or nothing was typed
 */
export function promptPassword(
  label: string,
  io: PromptIo = { input: process.stdin, output: process.stderr },
): Promise<string> {
  const { input, output } = io;
  if (input.isTTY !== true || typeof input.setRawMode !== 'function') {
    return Promise.reject(
      new HiveLinkError(
        'HL_ERR_INVALID_ARGUMENT',
        '--password-prompt needs a terminal; use --password-file FILE or $HIVELINK_PASSWORD instead',
      ),
    );
  }
  output.write(label);
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (error: HiveLinkError | null) => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      output.write('\n');
      if (error !== null) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of String(chunk)) {
        if (ch === '\r' || ch === '\n') {
          done(typed.length > 0 ? null : new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'no password typed'));
          return;
        }
        if (ch === '\u0003' || ch === '\u0004') {
          done(new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'no password typed'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') typed = [...typed].slice(0, -1).join('');
        else typed += ch;
      }
    };
    input.setRawMode(true);
    input.setEncoding('utf8');
    input.on('data', onData);
    input.resume();
  });
}
