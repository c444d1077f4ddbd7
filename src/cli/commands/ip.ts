/**
 * `hivelink ip allow|deny|remove CIDR [--client ID]` and `hivelink ip list`. Rules are global, or for one client
 * with `--client`; how they combine is described in `store/ip-rules.ts` (client rules first, deny wins, allow
 * rules make an allow-list).
 *
 * @module
 */
import type { Command } from 'commander';
import { HiveLinkError } from '../../errors.js';
import type { IpAction } from '../../store/types.js';
import {
  type AdminContext,
  adminAction,
  type CliWriter,
  type DataDirOptions,
  parseCidrArg,
  requireClient,
  STDOUT,
  table,
  writeJson,
} from '../admin.js';

/** `--client` of the rule commands: a client id or access key. */
export interface ClientScopeOption {
  client?: string;
}

const scopeText = (clientId: number | null) => (clientId === null ? 'all clients' : `client ${clientId}`);

async function scopeId(ctx: AdminContext, opts: ClientScopeOption): Promise<number | null> {
  return opts.client === undefined ? null : (await requireClient(ctx.store, opts.client)).id;
}

/** `ip allow|deny CIDR`: adds a rule (adding the same rule twice is a no-op). */
export async function ipAdd(
  ctx: AdminContext,
  action: IpAction,
  cidr: string,
  opts: ClientScopeOption,
): Promise<void> {
  const clientId = await scopeId(ctx, opts);
  const rule = await ctx.store.addIpRule({ cidr, action, clientId });
  ctx.out.write(`Rule ${rule.id}: ${rule.action} ${rule.cidr} for ${scopeText(rule.clientId)}.\n`);
  if (action === 'allow') {
    ctx.out.write(
      `Note: with allow rules, addresses matching none of them are denied (${scopeText(rule.clientId)}).\n`,
    );
  }
}

/**
 * `ip remove ID|CIDR`: a rule id (as `ip list` shows it) removes that rule, whatever its scope; a CIDR removes the
 * allow and deny rules for it in this scope.
 */
export async function ipRemove(
  ctx: AdminContext,
  target: RuleTarget,
  opts: ClientScopeOption,
): Promise<void> {
  if (typeof target === 'number') {
    if (opts.client !== undefined) {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'a rule id names one rule: leave out --client');
    }
    if ((await ctx.store.removeIpRule(target)) === 0) {
      throw new HiveLinkError('HL_ERR_NOT_FOUND', `no IP rule with id ${target} (see hivelink ip list)`);
    }
    ctx.out.write(`Removed rule ${target}.\n`);
    return;
  }
  const cidr = target;
  const clientId = await scopeId(ctx, opts);
  const removed = await ctx.store.removeIpRule({ cidr, clientId });
  if (removed === 0) {
    throw new HiveLinkError('HL_ERR_NOT_FOUND', `no IP rule for ${cidr} (${scopeText(clientId)})`);
  }
  ctx.out.write(`Removed ${removed} rule${removed === 1 ? '' : 's'} for ${cidr} (${scopeText(clientId)}).\n`);
}

/** What `ip remove` takes: a rule id, or a normalised CIDR. */
export type RuleTarget = number | string;

/** Parses `ip remove`'s argument: digits alone are a rule id, anything else must be a CIDR. */
export function parseRuleTarget(value: string): RuleTarget {
  return /^[0-9]+$/.test(value) ? Number(value) : parseCidrArg(value);
}

/** `ip list`: global rules, then per-client rules. */
export async function ipList(ctx: AdminContext, opts: { json?: boolean }): Promise<void> {
  const rules = await ctx.store.listIpRules();
  if (opts.json === true) {
    writeJson(ctx.out, rules);
    return;
  }
  if (rules.length === 0) {
    ctx.out.write('No IP rules: every address may connect.\n');
    return;
  }
  ctx.out.write(
    table(
      ['ID', 'ACTION', 'CIDR', 'CLIENT'],
      rules.map((r) => [String(r.id), r.action, r.cidr, r.clientId === null ? '(all)' : String(r.clientId)]),
    ),
  );
}

/**
 * Registers `hivelink ip …` on `program`.
 *
 * @param out - where command output goes. @default process stdout
 */
export function registerIpCommands(program: Command, out: CliWriter = STDOUT): Command {
  const ip = program.command('ip').description('allow or deny connections by IP address (CIDR)');
  type Opts = DataDirOptions & ClientScopeOption & { json?: boolean };

  for (const action of ['allow', 'deny'] as const) {
    adminAction(
      ip
        .command(action)
        .description(`${action} connections from a CIDR (an address alone means just that address)`)
        .argument('<cidr>', 'e.g. 192.168.1.0/24, 2001:db8::/32, 10.0.0.7', parseCidrArg)
        .option('--client <id>', 'only for this client (id or access key)'),
      out,
      (ctx, cidr: string, opts: Opts) => ipAdd(ctx, action, cidr, opts),
    );
  }

  adminAction(
    ip
      .command('remove')
      .description('remove a rule by its id (see ip list), or the rules for a CIDR')
      .argument('<id|cidr>', 'a rule id, or the CIDR of the rules', parseRuleTarget)
      .option('--client <id>', 'with a CIDR: the rules of this client (id or access key)'),
    out,
    (ctx, target: RuleTarget, opts: Opts) => ipRemove(ctx, target, opts),
  );

  adminAction(
    ip.command('list').description('list the IP rules').option('--json', 'print JSON'),
    out,
    (ctx, opts: Opts) => ipList(ctx, opts),
  );

  return ip;
}
