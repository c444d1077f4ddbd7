/**
 * The logger the bus layer writes to. Any pino logger fits; the default writes JSON lines to stderr at the level
 * in `HIVELINK_LOG_LEVEL` (default `info`). Message bodies are never logged above `debug`.
 *
 * @module
 */
import { pino } from 'pino';

/** The part of a pino logger the bus uses. */
export interface BusLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** A new stderr logger named `name`; an unknown `HIVELINK_LOG_LEVEL` falls back to `info`. */
export function createDefaultBusLogger(name: string): BusLogger {
  const wanted = process.env.HIVELINK_LOG_LEVEL ?? 'info';
  const level = wanted in pino.levels.values || wanted === 'silent' ? wanted : 'info';
  return pino({ name, level }, pino.destination({ dest: 2, sync: true }));
}

/** A logger that forwards to `given`, or to a default logger created on the first call. */
export function lazyLogger(name: string, given: BusLogger | undefined): BusLogger {
  if (given !== undefined) return given;
  let logger: BusLogger | undefined;
  const get = () => {
    logger ??= createDefaultBusLogger(name);
    return logger;
  };
  return {
    debug: (obj, msg) => get().debug(obj, msg),
    info: (obj, msg) => get().info(obj, msg),
    warn: (obj, msg) => get().warn(obj, msg),
    error: (obj, msg) => get().error(obj, msg),
  };
}
