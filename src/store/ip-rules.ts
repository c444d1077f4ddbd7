/**
 * IP addresses, CIDR blocks and the IP rule decision.
 *
 * Addresses are IPv4 dotted quads or IPv6 (RFC 4291 text forms, with an optional `%zone` on addresses). An
 * IPv4-mapped IPv6 address (`::ffff:127.0.0.1`, what a dual-stack socket reports for IPv4 peers) is treated as the
 * IPv4 address, and a mapped CIDR with a prefix of at least 96 as the IPv4 block; so `::/0` covers IPv6 peers only.
 *
 * Decision ({@link evaluateIp}): the client's rules are consulted first, then the global ones. At one level, a
 * matching deny wins over a matching allow; a matching allow decides; if the level has allow rules and none match,
 * the address is denied (allow-list semantics); otherwise the next level decides. No decision at all → allow.
 *
 * @module
 */
import { HiveLinkError } from '../errors.js';
import type { IpAction, IpRule } from './types.js';

/** A parsed address: IPv4 as a 32-bit value, IPv6 as a 128-bit value. */
export interface IpAddress {
  readonly family: 4 | 6;
  readonly value: bigint;
}

/** A parsed CIDR block; `value` has its host bits cleared. */
export interface Cidr extends IpAddress {
  readonly prefix: number;
}

const V4_MAX = (1n << 32n) - 1n;

function bits(family: 4 | 6): number {
  return family === 4 ? 32 : 128;
}

function parseV4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseGroups(text: string): bigint[] | null {
  if (text === '') return [];
  const out: bigint[] = [];
  const parts = text.split(':');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (i === parts.length - 1 && part.includes('.')) {
      const v4 = parseV4(part);
      if (v4 === null) return null;
      out.push(v4 >> 16n, v4 & 0xffffn);
    } else {
      if (!/^[0-9a-fA-F]{1,4}$/.test(part)) return null;
      out.push(BigInt(`0x${part}`));
    }
  }
  return out;
}

function parseV6(text: string): bigint | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  let groups: bigint[];
  if (halves.length === 2) {
    const head = parseGroups(halves[0]!);
    const tail = parseGroups(halves[1]!);
    if (head === null || tail === null || head.length + tail.length > 7) return null;
    groups = [...head, ...new Array<bigint>(8 - head.length - tail.length).fill(0n), ...tail];
  } else {
    const all = parseGroups(text);
    if (all === null || all.length !== 8) return null;
    groups = all;
  }
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** Folds an IPv4-mapped IPv6 address into IPv4. */
function unmap(family: 4 | 6, value: bigint): IpAddress {
  if (family === 6 && value >> 32n === 0xffffn) return { family: 4, value: value & V4_MAX };
  return { family, value };
}

/** Parses an IP address; null when `text` is not one. A `%zone` suffix is ignored; mapped IPv6 becomes IPv4. */
export function parseIp(text: string): IpAddress | null {
  if (typeof text !== 'string' || text.length > 64) return null;
  let s = text.trim();
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  if (s.includes(':')) {
    const v6 = parseV6(s);
    return v6 === null ? null : unmap(6, v6);
  }
  const v4 = parseV4(s);
  return v4 === null ? null : { family: 4, value: v4 };
}

function badCidr(text: unknown, why: string): HiveLinkError {
  return new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `invalid CIDR ${JSON.stringify(text)}: ${why}`);
}

/**
 * Parses `address[/prefix]`; a bare address is a /32 or /128. Host bits are cleared. A mapped IPv6 block with a
 * prefix of at least 96 becomes the IPv4 block. Anything else is `HL_ERR_INVALID_ARGUMENT`.
 */
export function parseCidr(text: string): Cidr {
  if (typeof text !== 'string' || text.length === 0 || text.length > 64)
    throw badCidr(text, 'not an address');
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  if (addrText.includes('%')) throw badCidr(text, 'a zone id is not allowed');
  let family: 4 | 6;
  let value: bigint | null;
  if (addrText.includes(':')) {
    family = 6;
    value = parseV6(addrText);
  } else {
    family = 4;
    value = parseV4(addrText);
  }
  if (value === null) throw badCidr(text, 'not an IPv4 or IPv6 address');
  let prefix = bits(family);
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > bits(family)) {
      throw badCidr(text, `the prefix must be 0–${bits(family)}`);
    }
    prefix = Number(p);
  }
  if (family === 6 && prefix >= 96 && value >> 32n === 0xffffn) {
    family = 4;
    value &= V4_MAX;
    prefix -= 96;
  }
  const hostBits = BigInt(bits(family) - prefix);
  return { family, prefix, value: (value >> hostBits) << hostBits };
}

/** Formats an address canonically: dotted quad, or RFC 5952 IPv6 (lowercase, longest zero run as `::`). */
export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((ip.value >> s) & 0xffn)).join('.');
  }
  const groups: number[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(Number((ip.value >> s) & 0xffffn));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** The canonical text of a CIDR (`10.0.0.0/8`, `2001:db8::/32`); throws like {@link parseCidr}. */
export function normalizeCidr(text: string): string {
  const cidr = parseCidr(text);
  return `${formatIp(cidr)}/${cidr.prefix}`;
}

/** True when `ip` lies in `cidr` (same family after unmapping). */
export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  if (cidr.family !== ip.family) return false;
  const hostBits = BigInt(bits(cidr.family) - cidr.prefix);
  return ip.value >> hostBits === cidr.value >> hostBits;
}

/** The fields of an {@link IpRule} the decision needs. */
export type IpRuleInput = Pick<IpRule, 'cidr' | 'action' | 'clientId'>;

interface CompiledRule {
  readonly cidr: Cidr;
  readonly action: IpAction;
}

type LevelDecision = IpAction | 'undecided';

function decideLevel(rules: readonly CompiledRule[], ip: IpAddress | null): LevelDecision {
  if (rules.length === 0) return 'undecided';
  if (ip === null) return 'deny'; // an address we cannot read never passes a level that has rules
  let matchedAllow = false;
  let hasAllow = false;
  for (const rule of rules) {
    if (rule.action === 'allow') hasAllow = true;
    if (!cidrContains(rule.cidr, ip)) continue;
    if (rule.action === 'deny') return 'deny';
    matchedAllow = true;
  }
  if (matchedAllow) return 'allow';
  return hasAllow ? 'deny' : 'undecided';
}

/**
 * A rule set parsed once, for repeated decisions (the hub keeps one and rebuilds it when the store changes).
 * Construction throws `HL_ERR_INVALID_ARGUMENT` on a bad CIDR or action.
 */
export class IpRuleSet {
  readonly #global: CompiledRule[] = [];
  readonly #byClient = new Map<number, CompiledRule[]>();

  constructor(rules: readonly IpRuleInput[]) {
    for (const rule of rules) {
      if (rule.action !== 'allow' && rule.action !== 'deny') {
        throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `IP rule action must be "allow" or "deny"`);
      }
      const compiled = { cidr: parseCidr(rule.cidr), action: rule.action };
      if (rule.clientId === null || rule.clientId === undefined) {
        this.#global.push(compiled);
      } else {
        const list = this.#byClient.get(rule.clientId);
        if (list === undefined) this.#byClient.set(rule.clientId, [compiled]);
        else list.push(compiled);
      }
    }
  }

  /** The decision for `ip` (text, as the socket reports it) and, when known, the client's id. */
  evaluate(ip: string, clientId?: number | null): IpAction {
    const addr = parseIp(ip);
    if (clientId !== undefined && clientId !== null) {
      const decision = decideLevel(this.#byClient.get(clientId) ?? [], addr);
      if (decision !== 'undecided') return decision;
    }
    const decision = decideLevel(this.#global, addr);
    return decision === 'undecided' ? 'allow' : decision;
  }
}

/** One-off form of {@link IpRuleSet.evaluate}. */
export function evaluateIp(ip: string, rules: readonly IpRuleInput[], clientId?: number | null): IpAction {
  return new IpRuleSet(rules).evaluate(ip, clientId);
}
