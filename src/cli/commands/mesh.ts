/**
 * `hivelink mesh status [--json]` (issue 13, docs/PROTOCOL.md §14): the running hub's parent links — URL, state,
 * protocol, since when, round-trip time, last failure — and its escalate mode. The hub answers through the store's
 * admin command queue (§12.5), so `--data-dir` is all it needs.
 *
 * @module
 */
import type { Command } from 'commander';
import { MESH_STATUS_KIND, type MeshStatus } from '../../hub/mesh/mesh-service.js';
import type { ParentLinkStatus } from '../../hub/mesh/parent-link.js';
import {
  type AdminContext,
  adminAction,
  type CliWriter,
  type DataDirOptions,
  STDOUT,
  table,
  writeJson,
} from '../admin.js';
import { commandError, submitAdminCommand } from '../admin-queue.js';

export interface MeshStatusOptions {
  json?: boolean;
}

/** The running hub's mesh status, asked through the admin command queue. */
export async function readMeshStatus(ctx: Pick<AdminContext, 'store'>): Promise<MeshStatus> {
  const command = await submitAdminCommand(ctx.store, MESH_STATUS_KIND, {});
  const error = commandError(command);
  if (error !== null) throw error;
  const result = command.result ?? {};
  return {
    escalate: result.escalate as MeshStatus['escalate'],
    parents: Array.isArray(result.parents) ? (result.parents as ParentLinkStatus[]) : [],
  };
}

/** `mesh status`: one row per parent link. */
export async function meshStatus(ctx: AdminContext, opts: MeshStatusOptions): Promise<void> {
  const status = await readMeshStatus(ctx);
  if (opts.json === true) {
    writeJson(ctx.out, status);
    return;
  }
  if (status.parents.length === 0) {
    ctx.out.write('This hub has no parent (start it with --parent ws://HOST:PORT --parent-key K …).\n');
    return;
  }
  ctx.out.write(
    table(
      ['PARENT', 'STATE', 'PROTOCOL', 'SINCE', 'RTT', 'LAST ERROR'],
      status.parents.map((p) => [
        p.url,
        p.state,
        p.protocol === null ? '-' : `v${p.protocol}`,
        p.since,
        p.rtt_ms === null ? '-' : `${p.rtt_ms} ms`,
        p.error ?? '-',
      ]),
    ),
  );
  ctx.out.write(`Escalate: ${status.escalate}.\n`);
}

/** Registers `mesh` and `mesh status`. */
export function registerMeshCommands(program: Command, out: CliWriter = STDOUT): Command {
  const mesh = program.command('mesh').description("the hub's place in the mesh of hubs: its parent links");
  adminAction(
    mesh
      .command('status')
      .description("the running hub's parent links: state, protocol, since when, round-trip time")
      .option('--json', 'print JSON'),
    out,
    (ctx, opts: DataDirOptions & MeshStatusOptions) => meshStatus(ctx, opts),
  );
  return mesh;
}
