/**
 * The admin CLI's side of the admin command queue (docs/PROTOCOL.md §12.5): commands that act on live connections
 * (`hivelink announce`, later `rooms set`, consent, subscriptions) reach the running hub with `--data-dir` alone. The
 * CLI checks that a hub runs on the data dir (the store's hub instance, and its process alive), queues the command
 * (at most `adminQueueMaxPending` waiting), and waits — woken by the store's change counter — until the hub wrote
 * the result, at most `adminCommandWaitMs` (`--wait`); then it withdraws the command so it never runs late.
 *
 * @module
 */
import { ERROR_CODES, type ErrorCode, HiveLinkError } from '../errors.js';
import { LIMIT_DEFS } from '../limits.js';
import type { AdminCommand, HubInstance } from '../store/house.js';
import type { ClientStore } from '../store/types.js';

/** How often the CLI looks at the store while it waits (the hub answers on its next check, `policyRefreshMs`). */
const POLL_MS = 20;

/** The file in the data dir where a running `hivelink hub` keeps the URL it listens on (removed when it stops). */
export const HUB_URL_FILE = 'hub.url';

/** True when a process with id `pid` exists on this machine (one of another user counts). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The hub running on this store, or null: the last hub that started, if it has not stopped and its process is alive
 * (a hub that crashed leaves a row whose process is gone).
 */
export async function runningHub(
  store: ClientStore,
  alive: (pid: number) => boolean = processAlive,
): Promise<HubInstance | null> {
  const instance = await store.house.hubInstance();
  if (instance === null || instance.stoppedAt !== null || !alive(instance.pid)) return null;
  return instance;
}

export interface SubmitOptions {
  /** @default `adminCommandWaitMs` */
  waitMs?: number;
  /** @default `adminQueueMaxPending` */
  maxPending?: number;
  /** @default process liveness ({@link processAlive}) */
  alive?: (pid: number) => boolean;
  /** @default Date.now */
  now?: () => number;
}

/**
 * Queues `kind` with `args` for the running hub and resolves with the finished command (`done`, `failed` or
 * `expired`; see {@link commandError}).
 * @throws HiveLinkError `HL_ERR_HUB_UNAVAILABLE` (no hub runs on this data dir), `HL_ERR_ADMIN_QUEUE_FULL`,
 *   `HL_ERR_ADMIN_COMMAND_TIMEOUT` (not carried out in time: withdrawn)
 */
export async function submitAdminCommand(
  store: ClientStore,
  kind: string,
  args: Record<string, unknown>,
  options: SubmitOptions = {},
): Promise<AdminCommand> {
  const waitMs = options.waitMs ?? LIMIT_DEFS.adminCommandWaitMs.default;
  const now = options.now ?? Date.now;
  if ((await runningHub(store, options.alive)) === null) {
    throw new HiveLinkError(
      'HL_ERR_HUB_UNAVAILABLE',
      'no hub is running on this data dir (start it with: hivelink hub --data-dir DIR)',
    );
  }
  const queued = await store.house.enqueueAdminCommand(kind, args, {
    maxPending: options.maxPending ?? LIMIT_DEFS.adminQueueMaxPending.default,
    now: now(),
  });
  const deadline = now() + waitMs;
  for (;;) {
    const current = await store.house.getAdminCommand(queued.id);
    if (current !== null && current.state !== 'pending') return current;
    if (now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, Math.max(1, deadline - now()))));
  }
  const withdrawn = await store.house.finishAdminCommand(
    queued.id,
    'expired',
    {
      ok: false,
      code: 'HL_ERR_ADMIN_COMMAND_TIMEOUT',
      error: 'withdrawn: the hub did not carry it out in time',
    },
    now(),
  );
  if (!withdrawn) {
    // The hub finished it just now.
    const finished = await store.house.getAdminCommand(queued.id);
    if (finished !== null && finished.state !== 'pending') return finished;
  }
  throw new HiveLinkError(
    'HL_ERR_ADMIN_COMMAND_TIMEOUT',
    `the hub did not carry out "${kind}" within ${waitMs} ms; it was withdrawn (is the hub busy or stuck?)`,
  );
}

/** The error a finished command reports (`failed`, `expired`), or null when it is done. */
export function commandError(command: AdminCommand): HiveLinkError | null {
  if (command.state === 'done') return null;
  const result = command.result ?? {};
  const code: ErrorCode =
    typeof result.code === 'string' && result.code in ERROR_CODES
      ? (result.code as ErrorCode)
      : 'HL_ERR_INTERNAL';
  const message = typeof result.error === 'string' ? result.error : `admin command ${command.state}`;
  return new HiveLinkError(code, message);
}
