/**
 * `hivelink relay audit`: the hub's relay audit log (docs/PROTOCOL.md §13) — who sent a sealed message to whom,
 * when, in which mode, how big and what became of it. The log holds nothing of what a message said, so neither does
 * this.
 *
 * @module
 */
import type { Command } from 'commander';
import type { RelayAuditEntry } from '../../store/relay.js';
import {
  type AdminContext,
  adminAction,
  type CliWriter,
  type DataDirOptions,
  formatTime,
  parsePositiveInt,
  requireClient,
  STDOUT,
  writeListing,
} from '../admin.js';

/** Options of `relay audit`. */
export interface RelayAuditOptions {
  /** Only the messages this client (id or access key) sent or received. */
  client?: string;
  /** @default 50 */
  limit?: number;
  /** @default false */
  json?: boolean;
}

/** The default `--limit` of `relay audit`. */
export const RELAY_AUDIT_DEFAULT_LIMIT = 50;

/** One row of `relay audit --json`: the stored entry and the names of its two clients (null once removed). */
export type RelayAuditRow = RelayAuditEntry & {
  readonly senderName: string | null;
  readonly recipientName: string | null;
};

/** `relay audit`: the newest entries first. */
export async function relayAudit({ store, out }: AdminContext, opts: RelayAuditOptions): Promise<void> {
  const client = opts.client === undefined ? null : await requireClient(store, opts.client);
  const entries = await store.relay.listAudit({
    limit: opts.limit ?? RELAY_AUDIT_DEFAULT_LIMIT,
    ...(client === null ? {} : { clientId: client.id }),
  });
  const names = new Map((await store.listClients()).map((c) => [c.id, c.name]));
  const rows: RelayAuditRow[] = entries.map((e) => ({
    ...e,
    senderName: names.get(e.senderId) ?? null,
    recipientName: names.get(e.recipientId) ?? null,
  }));
  const who = (id: number, name: string | null) => `${id} ${name ?? '(removed)'}`;
  writeListing(out, opts, rows, {
    empty: `No relayed sealed messages${client === null ? '' : ` to or from client ${client.id}`}.\n`,
    header: ['TIME', 'FROM', 'TO', 'MODE', 'BYTES', 'OUTCOME', 'MESSAGE ID'],
    row: (r) => [
      formatTime(r.at),
      who(r.senderId, r.senderName),
      who(r.recipientId, r.recipientName),
      r.mode,
      String(r.bytes),
      r.outcome,
      r.messageId,
    ],
  });
}

/**
 * Registers `hivelink relay …` on `program`.
 *
 * @param out - where command output goes. @default process stdout
 */
export function registerRelayCommands(program: Command, out: CliWriter = STDOUT): Command {
  const relay = program
    .command('relay')
    .description('relay mode (sealed end-to-end messages): the audit log of who wrote to whom');
  const audit = relay
    .command('audit')
    .description('who sent a sealed message to whom, when, its mode, size and outcome (never its contents)')
    .option('--client <id>', 'only messages this client (id or access key) sent or received')
    .option('--limit <n>', `how many, newest first (default ${RELAY_AUDIT_DEFAULT_LIMIT})`, parsePositiveInt)
    .option('--json', 'print JSON');
  adminAction(audit, out, (ctx, opts: RelayAuditOptions & DataDirOptions) => relayAudit(ctx, opts));
  return relay;
}
