/**
 * The hub process's logger: pino JSON lines by default (what log collectors read), readable lines when stderr is a
 * terminal (pino-pretty), or JSON appended to a file with `--log-file`. Nothing secret is logged at any level.
 *
 * @module
 */
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { HubConfig } from '../hub/config.js';

export interface LogTarget {
  /** Append JSON lines to this file instead of writing to stderr. */
  readonly file: string | null;
  /** stderr is a terminal: pretty lines (ignored with a file). */
  readonly tty: boolean;
}

/** A logger for `level` writing to `target` (see the module comment). */
export function processLogger(level: HubConfig['logLevel'], target: LogTarget): Logger {
  if (target.file !== null) {
    return pino({ level }, pino.destination({ dest: target.file, append: true, mkdir: true, sync: false }));
  }
  if (target.tty) {
    return pino(
      { level },
      pretty({ destination: 2, sync: true, colorize: true, translateTime: 'SYS:HH:MM:ss.l' }),
    );
  }
  return pino({ level }, pino.destination(2));
}
