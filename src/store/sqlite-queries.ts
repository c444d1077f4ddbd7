/**
 * Connection-history, IP-rule and API-token queries of the SQLite store. Each function runs on a Kysely handle the store passes in
 * (inside its write transaction where the function needs one); argument checks happen here, before any query.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { HiveLinkError } from '../errors.js';
import { normalizeCidr } from './ip-rules.js';
import {
  checkId,
  checkTime,
  notFound,
  optionalInt,
  optionalText,
  sha256Hex,
  toConnection,
  toIpRule,
  toRecord,
} from './sqlite-rows.js';
import type { Schema } from './sqlite-schema.js';
import type {
  ClientRecord,
  ConnectionEnd,
  ConnectionRecord,
  IpAction,
  IpRule,
  IpRuleSelector,
  NewConnection,
  NewIpRule,
} from './types.js';

/** Longest close reason kept in the history (a websocket close reason is at most 123 bytes anyway). */
const MAX_CLOSE_REASON = 256;
/** Longest ip, cipher or encoding text kept in the history. */
const MAX_SHORT_TEXT = 64;

/** A validated connection row. */
export type CheckedConnection = ReturnType<typeof checkConnection>;

/** Validates a new connection (`HL_ERR_INVALID_ARGUMENT`). */
export function checkConnection(c: NewConnection) {
  return {
    client_id: checkId(c?.clientId),
    ip: optionalText(c.ip, 'ip', MAX_SHORT_TEXT) ?? '',
    protocol: optionalInt(c.protocol, 'protocol'),
    cipher: optionalText(c.cipher, 'cipher', MAX_SHORT_TEXT),
    encoding: optionalText(c.encoding, 'encoding', MAX_SHORT_TEXT),
    started_at: checkTime(c.startedAt, 'startedAt'),
  };
}

/** Inserts a connection (without pruning; see {@link pruneConnections}). Run inside a write transaction. */
export async function insertConnectionRow(db: Kysely<Schema>, row: CheckedConnection): Promise<number> {
  const { id } = await db.insertInto('connections').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

/**
 * Deletes the client's rows beyond the newest `keep`: one index range delete below the `keep`-th newest id, which
 * does nothing (and reads one index entry) while the client has `keep` rows or fewer. Run inside a write
 * transaction.
 */
export async function pruneConnections(db: Kysely<Schema>, clientId: number, keep: number): Promise<void> {
  const boundary = await db
    .selectFrom('connections')
    .select('id')
    .where('client_id', '=', clientId)
    .orderBy('id', 'desc')
    .limit(1)
    .offset(keep)
    .executeTakeFirst();
  if (boundary === undefined) return;
  await db
    .deleteFrom('connections')
    .where('client_id', '=', clientId)
    .where('id', '<=', boundary.id)
    .execute();
}

/** Inserts a connection and prunes the client's rows beyond `keep`. Run inside a write transaction. */
export async function insertConnection(
  db: Kysely<Schema>,
  row: CheckedConnection,
  keep: number,
): Promise<number> {
  const id = await insertConnectionRow(db, row);
  await pruneConnections(db, row.client_id, keep);
  return id;
}

/** Validates a connection end (`HL_ERR_INVALID_ARGUMENT`) into its columns. */
export function checkConnectionEnd(end: ConnectionEnd) {
  return {
    ended_at: checkTime(end?.endedAt, 'endedAt'),
    close_code: optionalInt(end.closeCode, 'closeCode'),
    close_reason: optionalText(end.closeReason, 'closeReason', MAX_CLOSE_REASON),
  };
}

/** Validates a connection end and returns a function that records it (unknown ids are ignored). */
export function connectionFinisher(id: number, end: ConnectionEnd): (db: Kysely<Schema>) => Promise<void> {
  checkId(id, 'connection id');
  const values = checkConnectionEnd(end);
  return async (db) => {
    await db.updateTable('connections').set(values).where('id', '=', id).execute();
  };
}

/** The client's newest `limit` connections, newest first. */
export async function selectHistory(
  db: Kysely<Schema>,
  clientId: number,
  limit: number,
): Promise<ConnectionRecord[]> {
  const rows = await db
    .selectFrom('connections')
    .selectAll()
    .where('client_id', '=', clientId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toConnection);
}

/** Longest token {@link clientForToken} looks up (issued tokens are 47 characters). */
const MAX_TOKEN_LENGTH = 512;

function checkAction(action: unknown): IpAction {
  if (action !== 'allow' && action !== 'deny') {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'an IP rule action must be "allow" or "deny"');
  }
  return action;
}

function scope(clientId: number | null | undefined): number | null {
  return clientId === undefined || clientId === null ? null : checkId(clientId);
}

/** A validated new rule, ready for {@link insertIpRule}. */
export interface CheckedIpRule {
  readonly cidr: string;
  readonly action: IpAction;
  readonly clientId: number | null;
}

/** Validates and normalises a new rule (`HL_ERR_INVALID_ARGUMENT`). */
export function checkIpRule(rule: NewIpRule): CheckedIpRule {
  const cidr = normalizeCidr(rule?.cidr);
  return { cidr, action: checkAction(rule.action), clientId: scope(rule.clientId) };
}

/** Inserts a rule, or returns the identical existing one. Run inside a write transaction. */
export async function insertIpRule(db: Kysely<Schema>, rule: CheckedIpRule, now: number): Promise<IpRule> {
  const { cidr, action, clientId } = rule;
  const existing = await db
    .selectFrom('ip_rules')
    .selectAll()
    .where('cidr', '=', cidr)
    .where('action', '=', action)
    .where('client_id', 'is not distinct from', clientId)
    .executeTakeFirst();
  if (existing !== undefined) return toIpRule(existing);
  if (clientId !== null) {
    const c = await db.selectFrom('clients').select('id').where('id', '=', clientId).executeTakeFirst();
    if (c === undefined) throw notFound(clientId);
  }
  const row = await db
    .insertInto('ip_rules')
    .values({ cidr, action, client_id: clientId, created_at: checkTime(now, 'now()') })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toIpRule(row);
}

/** Validates a selector and returns a function that deletes the rules it selects, resolving with the count. */
export function ipRuleDeleter(selector: IpRuleSelector): (db: Kysely<Schema>) => Promise<number> {
  if (typeof selector === 'number') {
    const id = checkId(selector, 'rule id');
    return async (db) => {
      const r = await db.deleteFrom('ip_rules').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows);
    };
  }
  const cidr = normalizeCidr(selector?.cidr);
  const clientId = scope(selector.clientId);
  const action = selector.action === undefined ? undefined : checkAction(selector.action);
  return async (db) => {
    let q = db
      .deleteFrom('ip_rules')
      .where('cidr', '=', cidr)
      .where('client_id', 'is not distinct from', clientId);
    if (action !== undefined) q = q.where('action', '=', action);
    const r = await q.executeTakeFirst();
    return Number(r.numDeletedRows);
  };
}

/** Every rule: global first, then by client id, then by id. */
export async function selectIpRules(db: Kysely<Schema>): Promise<IpRule[]> {
  const rows = await db
    .selectFrom('ip_rules')
    .selectAll()
    .orderBy(sql`client_id IS NOT NULL`)
    .orderBy('client_id')
    .orderBy('id')
    .execute();
  return rows.map(toIpRule);
}

/** Issues a token for a non-revoked client, storing only its SHA-256. Run inside a write transaction. */
export async function insertToken(db: Kysely<Schema>, clientId: number, now: number): Promise<string> {
  const c = await db.selectFrom('clients').select('revoked').where('id', '=', clientId).executeTakeFirst();
  if (c === undefined) throw notFound(clientId);
  if (c.revoked !== 0) throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `client ${clientId} is revoked`);
  const token = `hlt_${randomBytes(32).toString('base64url')}`;
  await db
    .insertInto('api_tokens')
    .values({ token_hash: sha256Hex(token), client_id: clientId, created_at: checkTime(now, 'now()') })
    .execute();
  return token;
}

/** True when `token` is worth a lookup (a non-empty string of sane length). */
export function plausibleToken(token: unknown): token is string {
  return typeof token === 'string' && token.length > 0 && token.length <= MAX_TOKEN_LENGTH;
}

/** The non-revoked client owning `token`, or null. */
export async function selectTokenClient(db: Kysely<Schema>, token: string): Promise<ClientRecord | null> {
  const row = await db
    .selectFrom('api_tokens')
    .innerJoin('clients', 'clients.id', 'api_tokens.client_id')
    .selectAll('clients')
    .where('api_tokens.token_hash', '=', sha256Hex(token))
    .where('clients.revoked', '=', 0)
    .executeTakeFirst();
  return row === undefined ? null : toRecord(row);
}

/** Deletes `token`; true if it existed. */
export async function deleteToken(db: Kysely<Schema>, token: string): Promise<boolean> {
  const r = await db.deleteFrom('api_tokens').where('token_hash', '=', sha256Hex(token)).executeTakeFirst();
  return r.numDeletedRows > 0n;
}
