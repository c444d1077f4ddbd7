/**
 * `hivelink clients import --from hivemind-core PATH`: the clients of a HiveMind hub, from its JSON database
 * (`~/.local/share/hivemind-core/clients.json`, a dict keyed by client id) or its SQLite one (`clients.db`, table
 * `clients`, lists as JSON text), become hivelink clients with the same access keys, passwords and permissions, so
 * the satellites that used the HiveMind hub connect to ours unchanged.
 *
 * Field by field: `api_key` → access key, `password` → password (HiveMind keeps it in clear; we seal it), `name`,
 * `description`, `is_admin`, `allowed_types`, `skill_blacklist` / `intent_blacklist` → blocked skills / intents,
 * `can_broadcast` / `can_escalate` / `can_propagate`. Not carried over: revoked rows (`api_key` "revoked"), rows
 * without a password (a v0 `crypto_key` client: hivelink has no pre-shared-key mode), the Noise pin (the client
 * pins again on its first v3 connection) and `last_seen`. An access key hivelink already knows is left alone, so
 * importing twice adds nothing. A name already taken gets the HiveMind id appended.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { HiveLinkError, isHiveLinkError } from '../errors.js';
import type { ClientStore, NewClient } from '../store/types.js';

/** One client as HiveMind stores it (the fields we read). */
export interface HiveMindClientRow {
  client_id?: unknown;
  api_key?: unknown;
  name?: unknown;
  description?: unknown;
  is_admin?: unknown;
  password?: unknown;
  allowed_types?: unknown;
  skill_blacklist?: unknown;
  intent_blacklist?: unknown;
  can_broadcast?: unknown;
  can_escalate?: unknown;
  can_propagate?: unknown;
}

/** What an import did, row by row. */
export interface ImportReport {
  readonly imported: { readonly hivemindId: string; readonly id: number; readonly name: string }[];
  readonly skipped: { readonly hivemindId: string; readonly reason: string }[];
}

const SQLITE_MAGIC = 'SQLite format 3\0';

/** The part of better-sqlite3 (which ships no types) a read of HiveMind's clients table needs. */
interface ReadOnlyDatabase {
  prepare(sql: string): { all(): unknown[] };
  close(): void;
}
type ReadOnlyDatabaseConstructor = new (
  file: string,
  options: { readonly: boolean; fileMustExist: boolean },
) => ReadOnlyDatabase;

/** A list field: a JSON array (SQLite stores lists as JSON text), else empty. */
function list(value: unknown): string[] {
  const parsed = typeof value === 'string' ? safeJson(value) : value;
  return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === 'string') : [];
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** SQLite stores booleans as 0/1. */
function flag(value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  return value === true || value === 1 || value === '1' || value === 'true';
}

/**
 * The client rows of a HiveMind database file, JSON or SQLite (told apart by the SQLite header).
 * @throws HiveLinkError `HL_ERR_INVALID_ARGUMENT` for a file that is neither, or has no clients table
 */
export function readHiveMindClients(path: string): HiveMindClientRow[] {
  let head: Buffer;
  try {
    head = readFileSync(path);
  } catch (err) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `cannot read ${path}: ${(err as Error).message}`);
  }
  if (head.subarray(0, SQLITE_MAGIC.length).toString('latin1') === SQLITE_MAGIC) {
    const Database = createRequire(import.meta.url)('better-sqlite3') as ReadOnlyDatabaseConstructor;
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      return db.prepare('SELECT * FROM clients').all() as HiveMindClientRow[];
    } catch (err) {
      throw new HiveLinkError(
        'HL_ERR_INVALID_ARGUMENT',
        `${path} has no HiveMind clients table: ${(err as Error).message}`,
      );
    } finally {
      db.close();
    }
  }
  const parsed = safeJson(head.toString('utf8'));
  if (parsed === null || typeof parsed !== 'object') {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ARGUMENT',
      `${path} is neither a HiveMind clients.json nor a clients.db`,
    );
  }
  const rows = Array.isArray(parsed)
    ? parsed
    : Object.entries(parsed).map(([id, row]) => ({ client_id: id, ...row }));
  return rows.filter((r): r is HiveMindClientRow => r !== null && typeof r === 'object');
}

/** The hivelink client for a HiveMind row, or the reason it is not imported. */
export function clientFromRow(row: HiveMindClientRow): NewClient | string {
  const key = row.api_key;
  if (typeof key !== 'string' || key === '' || key === 'revoked') return 'revoked in HiveMind';
  if (typeof row.password !== 'string' || row.password === '') {
    return 'no password (a v0 crypto_key client: give it a password in HiveMind first, or add it anew)';
  }
  const id = String(row.client_id ?? '');
  return {
    name: typeof row.name === 'string' && row.name !== '' ? row.name : `HiveMind-Node-${id}`,
    accessKey: key,
    password: row.password,
    description: typeof row.description === 'string' ? row.description : '',
    isAdmin: flag(row.is_admin, false),
    // HiveMind always lets a client send utterances.
    allowedTypes: [...new Set(['recognizer_loop:utterance', ...list(row.allowed_types)])],
    blockedSkills: list(row.skill_blacklist),
    blockedIntents: list(row.intent_blacklist),
    canBroadcast: flag(row.can_broadcast, true),
    canEscalate: flag(row.can_escalate, true),
    canPropagate: flag(row.can_propagate, true),
    // HiveMind made these passwords; a short one must keep working here too.
    allowWeakPassword: true,
  };
}

/** Adds every importable row of `rows` to `store` (or only reports, with `dryRun`). */
export async function importHiveMindClients(
  store: ClientStore,
  rows: readonly HiveMindClientRow[],
  dryRun = false,
): Promise<ImportReport> {
  const report: ImportReport = { imported: [], skipped: [] };
  for (const row of rows) {
    const hivemindId = String(row.client_id ?? '?');
    const client = clientFromRow(row);
    if (typeof client === 'string') {
      report.skipped.push({ hivemindId, reason: client });
      continue;
    }
    const known = await store.getClientByAccessKey(client.accessKey!);
    if (known !== null) {
      report.skipped.push({ hivemindId, reason: `its access key is already client ${known.id}` });
      continue;
    }
    if (dryRun) {
      report.imported.push({ hivemindId, id: 0, name: client.name });
      continue;
    }
    const added = await addUnderFreeName(store, client, hivemindId);
    report.imported.push({ hivemindId, id: added.id, name: added.name });
  }
  return report;
}

/** Adds `client`, appending the HiveMind id to its name when a live client has that name already. */
async function addUnderFreeName(store: ClientStore, client: NewClient, hivemindId: string) {
  try {
    return (await store.addClient(client)).record;
  } catch (err) {
    if (!isHiveLinkError(err, 'HL_ERR_ALREADY_EXISTS') || !/name/.test(err.message)) throw err;
    return (await store.addClient({ ...client, name: `${client.name}-${hivemindId}` })).record;
  }
}
