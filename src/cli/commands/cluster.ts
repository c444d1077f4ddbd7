/**
 * `hivelink cluster status [--json]` (issue 16): the nodes of a cluster as they announce themselves in its key-value
 * store — id, address, version, connections and clients, event-loop lag, memory, the age of the last heartbeat.
 * It reads NATS only: `--cluster URL` (or `$HIVELINK_CLUSTER`) is all it needs, no data dir.
 *
 * @module
 */
import type { Command } from 'commander';
import { HiveLinkError } from '../../errors.js';
import { connectCluster, openBuckets } from '../../hub/cluster/cluster.js';
import {
  clusterNames,
  DEFAULT_CLUSTER_PREFIX,
  DEFAULT_CLUSTER_TTL_MS,
  type NodeInfo,
  type PeerEntry,
} from '../../hub/cluster/names.js';
import { type CliWriter, STDOUT, table, writeJson } from '../admin.js';

export interface ClusterStatusOptions {
  cluster?: string;
  clusterPrefix?: string;
  json?: boolean;
}

/** One node of `cluster status`: its heartbeat and how many peers its presence lists. */
export interface ClusterNodeStatus extends NodeInfo {
  /** Peers in the node's presence entry. */
  readonly peers: number;
  /** Milliseconds since its last heartbeat (the reader's clock). */
  readonly lastSeenMs: number;
}

/** Reads every live node of the cluster at `url` (entries past their TTL are gone already), sorted by id. */
export async function readClusterStatus(url: string, prefix: string): Promise<ClusterNodeStatus[]> {
  const nc = await connectCluster(url, 'hivelink-cluster-status');
  try {
    const { nodes, peers } = await openBuckets(nc, clusterNames(prefix), DEFAULT_CLUSTER_TTL_MS);
    const out: ClusterNodeStatus[] = [];
    // A key written while the listing runs may be listed twice.
    const keys = new Set<string>();
    for await (const key of await nodes.keys()) keys.add(key);
    for (const key of [...keys].sort()) {
      const entry = await nodes.get(key);
      if (entry === null || entry.operation !== 'PUT') continue;
      const info = entry.json<NodeInfo>();
      const listed = await peers.get(key);
      const count = listed !== null && listed.operation === 'PUT' ? listed.json<PeerEntry[]>().length : 0;
      out.push({ ...info, peers: count, lastSeenMs: Math.max(0, Date.now() - entry.created.getTime()) });
    }
    return out;
  } finally {
    await nc.close();
  }
}

function mib(bytes: number): string {
  return `${Math.round(bytes / 1048576)} MiB`;
}

export async function clusterStatus(out: CliWriter, opts: ClusterStatusOptions): Promise<void> {
  const url = opts.cluster ?? process.env.HIVELINK_CLUSTER;
  if (url === undefined || url === '') {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'cluster status needs --cluster nats://HOST:PORT');
  }
  const nodes = await readClusterStatus(url, opts.clusterPrefix ?? DEFAULT_CLUSTER_PREFIX);
  if (opts.json === true) {
    writeJson(out, { nodes });
    return;
  }
  if (nodes.length === 0) {
    out.write(`No node is in the cluster at ${url}.\n`);
    return;
  }
  out.write(
    table(
      ['NODE', 'URL', 'VERSION', 'CONNECTIONS', 'CLIENTS', 'LAG', 'RSS', 'SEEN'],
      nodes.map((n) => [
        n.node,
        n.url ?? '-',
        n.version,
        String(n.connections),
        String(n.clients),
        `${n.lagMs} ms`,
        mib(n.rssBytes),
        `${(n.lastSeenMs / 1000).toFixed(1)} s ago`,
      ]),
    ),
  );
  const connections = nodes.reduce((sum, n) => sum + n.connections, 0);
  out.write(`${nodes.length} node(s), ${connections} connection(s)\n`);
}

export function registerClusterCommands(program: Command, out: CliWriter = STDOUT): void {
  const cluster = program.command('cluster').description('the nodes of a cluster (NATS): status');
  cluster
    .command('status')
    .description('each node: address, version, connections, clients, event-loop lag, memory')
    .option('--cluster <url>', 'the cluster, nats://host:4222 ($HIVELINK_CLUSTER)')
    .option('--cluster-prefix <prefix>', 'prefix of the cluster buckets (default hivelink)')
    .option('--json', 'print JSON')
    .action((opts: ClusterStatusOptions) => clusterStatus(out, opts));
}
