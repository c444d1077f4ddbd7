/**
 * Row mapping, argument checks and error wrapping for the client store (SQLite and PostgreSQL alike).
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { Selectable, Updateable } from 'kysely';
import { HiveLinkError, isHiveLinkError } from '../errors.js';
import type { ValidPatch } from './client-fields.js';
import type { ConsentMode } from './consent.js';
import type { ClientsTable, ConnectionsTable, IpRulesTable } from './sqlite-schema.js';
import type { ClientRecord, ConnectionRecord, IpRule } from './types.js';

/** A `clients` row as selected. */
export type ClientRow = Selectable<ClientsTable>;

/** Wraps a storage failure: unique violation → ALREADY_EXISTS, foreign key → NOT_FOUND, else STORE_UNAVAILABLE. */
export function storeError(what: string, err: unknown): HiveLinkError {
  if (isHiveLinkError(err)) return err;
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
  const message = err instanceof Error ? err.message : String(err);
  // SQLite's codes, then PostgreSQL's SQLSTATEs (23505 unique_violation, 23503 foreign_key_violation).
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505') {
    return new HiveLinkError('HL_ERR_ALREADY_EXISTS', `cannot ${what}: the value is already taken`, {
      cause: err,
    });
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503') {
    return new HiveLinkError('HL_ERR_NOT_FOUND', `cannot ${what}: no such client`, { cause: err });
  }
  return new HiveLinkError('HL_ERR_STORE_UNAVAILABLE', `cannot ${what}: ${message}`, { cause: err });
}

/** `HL_ERR_NOT_FOUND` for a client id or access key, in the CLI's words. */
export function notFound(id: number | string): HiveLinkError {
  return new HiveLinkError(
    'HL_ERR_NOT_FOUND',
    typeof id === 'number' ? `no client with id ${id}` : `no client with access key ${JSON.stringify(id)}`,
  );
}

/** A positive safe integer id, else `HL_ERR_INVALID_ARGUMENT`. */
export function checkId(id: unknown, what = 'client id'): number {
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `${what} must be a positive whole number`);
  }
  return id;
}

/** A non-negative finite time in ms (rounded), else `HL_ERR_INVALID_ARGUMENT`. */
export function checkTime(t: unknown, what: string): number {
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `${what} must be a time in milliseconds`);
  }
  return Math.round(t);
}

/** Null for null/undefined, a string cut to `max`, else `HL_ERR_INVALID_ARGUMENT`. */
export function optionalText(v: unknown, what: string, max: number): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `${what} must be a string`);
  return v.slice(0, max);
}

/** Null for null/undefined, a safe integer, else `HL_ERR_INVALID_ARGUMENT`. */
export function optionalInt(v: unknown, what: string): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `${what} must be a whole number`);
  }
  return v;
}

/** Parses a JSON list column; anything but an array of strings is a corrupt row (`HL_ERR_STORE_UNAVAILABLE`). */
export function jsonList(text: string, column: string, id: number): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new HiveLinkError('HL_ERR_STORE_UNAVAILABLE', `client ${id} has a corrupt ${column} column`);
  }
  return value;
}

/** The `consent` column of client `id`; anything but a {@link ConsentMode} is a corrupt row. */
function consentMode(value: string, id: number): ConsentMode {
  if (value === 'ask' || value === 'allow' || value === 'deny') return value;
  throw new HiveLinkError('HL_ERR_STORE_UNAVAILABLE', `client ${id} has a corrupt consent column`);
}

/** A frozen {@link ClientRecord} from a row. */
export function toRecord(row: ClientRow): ClientRecord {
  return Object.freeze({
    id: row.id,
    accessKey: row.access_key,
    name: row.name,
    siteId: row.site_id,
    description: row.description,
    isAdmin: row.is_admin !== 0,
    canBroadcast: row.can_broadcast !== 0,
    canEscalate: row.can_escalate !== 0,
    canPropagate: row.can_propagate !== 0,
    allowedTypes: Object.freeze(jsonList(row.allowed_types, 'allowed_types', row.id)),
    blockedSkills: Object.freeze(jsonList(row.blocked_skills, 'blocked_skills', row.id)),
    blockedIntents: Object.freeze(jsonList(row.blocked_intents, 'blocked_intents', row.id)),
    minProtocol: row.min_protocol,
    rateLimitPerSecond: row.rate_limit_per_second,
    noisePubkey: row.noise_pubkey,
    intercomPubkey: row.intercom_pubkey,
    allowWeakPassword: row.allow_weak_password !== 0,
    consent: consentMode(row.consent, row.id),
    revoked: row.revoked !== 0,
    createdAt: row.created_at,
    lastSeen: row.last_seen,
  });
}

/** A frozen {@link ConnectionRecord} from a row. */
export function toConnection(row: Selectable<ConnectionsTable>): ConnectionRecord {
  return Object.freeze({
    id: row.id,
    clientId: row.client_id,
    ip: row.ip,
    protocol: row.protocol,
    cipher: row.cipher,
    encoding: row.encoding,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    closeCode: row.close_code,
    closeReason: row.close_reason,
  });
}

/** A frozen {@link IpRule} from a row. */
export function toIpRule(row: Selectable<IpRulesTable>): IpRule {
  return Object.freeze({
    id: row.id,
    cidr: row.cidr,
    action: row.action,
    clientId: row.client_id,
    createdAt: row.created_at,
  });
}

/** Columns a validated patch sets. */
export function patchColumns(p: ValidPatch): Updateable<ClientsTable> {
  const out: Updateable<ClientsTable> = {};
  if (p.name !== undefined) out.name = p.name;
  if (p.siteId !== undefined) out.site_id = p.siteId;
  if (p.description !== undefined) out.description = p.description;
  if (p.isAdmin !== undefined) out.is_admin = p.isAdmin ? 1 : 0;
  if (p.canBroadcast !== undefined) out.can_broadcast = p.canBroadcast ? 1 : 0;
  if (p.canEscalate !== undefined) out.can_escalate = p.canEscalate ? 1 : 0;
  if (p.canPropagate !== undefined) out.can_propagate = p.canPropagate ? 1 : 0;
  if (p.allowedTypes !== undefined) out.allowed_types = JSON.stringify(p.allowedTypes);
  if (p.blockedSkills !== undefined) out.blocked_skills = JSON.stringify(p.blockedSkills);
  if (p.blockedIntents !== undefined) out.blocked_intents = JSON.stringify(p.blockedIntents);
  if (p.minProtocol !== undefined) out.min_protocol = p.minProtocol;
  if (p.rateLimitPerSecond !== undefined) out.rate_limit_per_second = p.rateLimitPerSecond;
  if (p.allowWeakPassword !== undefined) out.allow_weak_password = p.allowWeakPassword ? 1 : 0;
  if (p.consent !== undefined) out.consent = p.consent;
  return out;
}

/** SHA-256 of UTF-8 text, as hex. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Associated data binding a sealed password to its client row. */
export const passwordContext = (id: number) => `password:${id}`;
/** Associated data binding a sealed PSK to its client row and node id. */
export const pskContext = (id: number, nodeHash: string) => `psk:${id}:${nodeHash}`;
