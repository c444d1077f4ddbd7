/**
 * `hivelink mesh status [--json]` (issue 13, docs/PROTOCOL.md §14): the running hub's parent links — URL, state,
 * protocol, since when, round-trip time, last failure — and its escalate mode. `hivelink mesh map [--json]` (§14.6):
 * the tree of hubs the running hub's PING flood reached, each with its name, site, protocol and round-trip time.
 * The hub answers through the store's admin command queue (§12.5), so `--data-dir` is all they need.
 *
 * @module
 */
import type { Command } from 'commander';
import { MESH_MAP_KIND, type MeshMap, type MeshMapNode } from '../../hub/mesh/map.js';
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

/** How long `mesh map` waits for the hub: its map window (`meshMapWindowMs`) and the queue's own wait. */
const MAP_WAIT_MS = 30_000;

/** The running hub's mesh map, asked through the admin command queue. */
export async function readMeshMap(ctx: Pick<AdminContext, 'store'>): Promise<MeshMap> {
  const command = await submitAdminCommand(ctx.store, MESH_MAP_KIND, {}, { waitMs: MAP_WAIT_MS });
  const error = commandError(command);
  if (error !== null) throw error;
  const { ok: _ok, ...map } = command.result ?? {};
  return map as unknown as MeshMap;
}

function describeNode(node: MeshMapNode, parent: MeshMapNode | null): string {
  const link = parent === null ? undefined : node.parents.find((p) => p.node === parent.node);
  const parts = [
    `${node.name} (site ${node.site_id ?? '-'})`,
    link?.protocol === null || link?.protocol === undefined ? null : `v${link.protocol}`,
    node.self ? 'this hub' : `rtt ${node.rtt_ms} ms`,
    link?.rtt_ms === null || link?.rtt_ms === undefined ? null : `link ${link.rtt_ms} ms`,
    node.connections === null ? null : `${node.connections} connections`,
    `node ${node.node}`,
  ];
  return parts.filter((p) => p !== null).join(', ');
}

/**
 * The map as a tree: the top hubs (no parent among the nodes; this hub when every node has one, as in a cycle) at the
 * left, each hub under its parents. A hub under two parents (a diamond) is drawn in full under the first and named
 * under the others; a parent link whose hub did not answer is listed by its URL.
 */
export function renderMeshMap(map: MeshMap): string {
  const byNode = new Map(map.nodes.map((n) => [n.node, n]));
  const children = new Map<string, MeshMapNode[]>();
  for (const node of map.nodes) {
    for (const link of node.parents) {
      if (link.node === null || !byNode.has(link.node)) continue;
      children.set(link.node, [...(children.get(link.node) ?? []), node]);
    }
  }
  const isTop = (n: MeshMapNode) => !n.parents.some((l) => l.node !== null && byNode.has(l.node));
  const tops = map.nodes.filter(isTop);
  const lines: string[] = [];
  const drawn = new Set<string>();
  const draw = (
    node: MeshMapNode,
    parent: MeshMapNode | null,
    indent: string,
    last: boolean,
    top: boolean,
  ) => {
    const branch = top ? '' : last ? '└── ' : '├── ';
    const again = drawn.has(node.node);
    lines.push(`${indent}${branch}${describeNode(node, parent)}${again ? ' (drawn above)' : ''}`);
    if (again) return;
    drawn.add(node.node);
    const below = indent + (top ? '' : last ? '    ' : '│   ');
    for (const link of node.parents) {
      if (link.node === null || !byNode.has(link.node)) {
        lines.push(
          `${below}(parent ${link.url}${link.protocol === null ? '' : ` v${link.protocol}`}: no answer)`,
        );
      }
    }
    const kids = children.get(node.node) ?? [];
    kids.forEach((kid, i) => {
      draw(kid, node, below, i === kids.length - 1, false);
    });
  };
  for (const top of tops.length > 0 ? tops : map.nodes.filter((n) => n.self)) draw(top, null, '', true, true);
  for (const node of map.nodes) if (!drawn.has(node.node)) draw(node, null, '', true, true);
  const when = `${map.taken_at}${map.cached ? ', the last map again' : ''}`;
  lines.push(`${map.nodes.length} hubs answered within ${map.window_ms} ms (${when}).`);
  return `${lines.join('\n')}\n`;
}

/** `mesh map`: the tree, or the JSON. */
export async function meshMap(ctx: AdminContext, opts: MeshStatusOptions): Promise<void> {
  const map = await readMeshMap(ctx);
  if (opts.json === true) writeJson(ctx.out, map);
  else ctx.out.write(renderMeshMap(map));
}

/** Registers `mesh`, `mesh status` and `mesh map`. */
export function registerMeshCommands(program: Command, out: CliWriter = STDOUT): Command {
  const mesh = program
    .command('mesh')
    .description("the hub's place in the mesh of hubs: its parent links, the map of the tree");
  adminAction(
    mesh
      .command('status')
      .description("the running hub's parent links: state, protocol, since when, round-trip time")
      .option('--json', 'print JSON'),
    out,
    (ctx, opts: DataDirOptions & MeshStatusOptions) => meshStatus(ctx, opts),
  );
  adminAction(
    mesh
      .command('map')
      .description(
        'the tree of hubs the running hub reaches (a PING flood): name, site, protocol, round-trip time',
      )
      .option('--json', 'print JSON'),
    out,
    (ctx, opts: DataDirOptions & MeshStatusOptions) => meshMap(ctx, opts),
  );
  return mesh;
}
