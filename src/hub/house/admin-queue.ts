/**
 * The hub's side of the admin command queue (docs/PROTOCOL.md §12.5): admin commands that act on live connections
 * (`hivelink announce`; later `rooms set`, consent, subscriptions) are rows the CLI adds to the store; the hub reads
 * the pending ones when it starts and whenever another process changed the store (`store.watch`, every
 * `policyRefreshMs`), runs each with the handler registered for its kind, and writes the result:
 *
 * ```
 *  CLI: enqueue (≤ adminQueueMaxPending waiting) ──▶ pending ──hub: handler ok──▶ done   {ok: true, …}
 *                                                       │     └─handler throws──▶ failed {ok: false, code, error}
 *                                                       ├─ older than adminCommandTtlMs ──▶ expired (never run late)
 *                                                       └─ CLI gave up waiting (withdrawn) ──▶ expired
 * ```
 * Finished rows are deleted `adminCommandTtlMs` after they finished. Handlers run one at a time, in order.
 *
 * @module
 */
import type { Logger } from 'pino';
import { type ErrorCode, HiveLinkError, isHiveLinkError } from '../../errors.js';
import type { AdminCommand, HouseStore } from '../../store/house.js';
import { SingleFlight } from './single-flight.js';

/** Runs one command's arguments; resolves with what the CLI is told, or throws a HiveLinkError (its code is kept). */
export type AdminCommandHandler = (
  args: Readonly<Record<string, unknown>>,
) => Promise<Record<string, unknown>>;

/** Commands read per store query. */
const BATCH = 32;

export interface AdminQueueInit {
  store: HouseStore;
  /** `adminCommandTtlMs`. */
  ttlMs: number;
  now: () => number;
  logger: Logger;
}

/** The result of a failed command: `{ok: false, code, error}`. */
export function failure(code: ErrorCode, error: string): Record<string, unknown> {
  return { ok: false, code, error };
}

export class AdminQueue {
  readonly #init: AdminQueueInit;
  readonly #handlers = new Map<string, AdminCommandHandler>();
  readonly #draining = new SingleFlight(
    () => this.#run(),
    (err) => this.#init.logger.warn({ err }, 'admin command queue failed'),
    () => void this.drain(),
  );
  #stopped = false;
  /** In a cluster: true when this node runs the command (the one that takes its lease). */
  #claim: ((key: string) => Promise<boolean>) | null = null;
  /** Commands another node of the cluster took: left for it. */
  readonly #others = new Set<number>();

  constructor(init: AdminQueueInit) {
    this.#init = init;
  }

  /** Registers the handler of `kind` (`announce`, `rooms.set`, …); a later registration replaces it. */
  register(kind: string, handler: AdminCommandHandler): void {
    this.#handlers.set(kind, handler);
  }

  /**
   * Several hubs on one store (a cluster): each pending command runs on the one node whose `claim(key)` resolves
   * true (`cluster.ts`: a lease in the cluster's key-value store); the others leave it pending for that node.
   */
  setClaim(claim: ((key: string) => Promise<boolean>) | null): void {
    this.#claim = claim;
  }

  /** Reads and runs the pending commands (after a run in progress). Never rejects. */
  drain(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    return this.#draining.run();
  }

  async #run(): Promise<void> {
    const { store } = this.#init;
    for (;;) {
      const batch = await store.pendingAdminCommands(BATCH);
      let ran = 0;
      for (const command of batch) {
        if (this.#stopped) return;
        if (this.#others.has(command.id)) continue;
        if (this.#claim !== null && !(await this.#claim(`admin.${command.id}`))) {
          this.#others.add(command.id);
          continue;
        }
        ran += 1;
        await this.#one(command);
      }
      if (batch.length < BATCH || ran === 0) break;
    }
    await store.pruneAdminCommands(this.#init.now() - this.#init.ttlMs);
  }

  async #one(command: AdminCommand): Promise<void> {
    const { store, now, ttlMs, logger } = this.#init;
    /** Finishes the command unrun, as `state`, with the failure `code` and `why`. */
    const notRun = (state: 'expired' | 'failed', code: ErrorCode, why: string) =>
      store.finishAdminCommand(command.id, state, failure(code, why), now());
    const age = now() - command.createdAt;
    if (age > ttlMs) {
      await notRun(
        'expired',
        'HL_ERR_ADMIN_COMMAND_EXPIRED',
        `queued ${Math.round(age / 1000)} s ago, longer than adminCommandTtlMs (${ttlMs} ms): not run late`,
      );
      return;
    }
    const handler = this.#handlers.get(command.kind);
    if (handler === undefined) {
      await notRun(
        'failed',
        'HL_ERR_ADMIN_COMMAND_UNKNOWN',
        `this hub has no admin command "${command.kind}"`,
      );
      return;
    }
    let state: 'done' | 'failed' = 'done';
    let result: Record<string, unknown>;
    try {
      result = { ok: true, ...(await handler(command.args)) };
    } catch (err) {
      state = 'failed';
      if (isHiveLinkError(err)) {
        result = failure(err.code, err.message);
      } else {
        logger.error({ err, kind: command.kind }, 'admin command failed');
        result = failure('HL_ERR_INTERNAL', 'internal error');
      }
    }
    const finished = await store.finishAdminCommand(command.id, state, result, now());
    if (!finished)
      logger.info({ id: command.id, kind: command.kind }, 'admin command was withdrawn while it ran');
  }

  /** No more runs; waits for the one in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#draining.running;
  }
}

/** `HL_ERR_INVALID_ARGUMENT` for a command argument that is not what the handler needs. */
export function badArgument(message: string): HiveLinkError {
  return new HiveLinkError('HL_ERR_INVALID_ARGUMENT', message);
}
