/**
 * Files on the hub at rest (issue 15, docs/PROTOCOL.md "Files and jobs"): one row per file a client sent (or a job
 * wrote for it), arriving or whole, with its declared size and SHA-256, and the clients it was shared with. The bytes
 * live in the data dir (`src/hub/files/paths.ts`), never in the database. A new file is one write transaction that
 * checks the owner's quota and its parallel transfers; expired rows are removed by {@link HubFileStore.expired} and
 * {@link HubFileStore.remove}.
 *
 * @module
 */
import type { Kysely, Selectable } from 'kysely';
import { HiveLinkError } from '../errors.js';
import { checkId, checkTime } from './sqlite-rows.js';
import type { Schema } from './sqlite-schema.js';

/** Where a file came from: offered in chunks, a HiveMind BINARY FILE, or written by a job. */
export type FileOrigin = 'upload' | 'binary' | 'job';
export type FileState = 'receiving' | 'complete';

/** The `files` table (schema step 10). */
export interface FilesTable {
  id: string;
  owner_id: number;
  name: string;
  mime: string | null;
  size: number;
  /** Hex SHA-256 of the whole file, as declared by the sender (checked before the file becomes `complete`). */
  sha256: string;
  state: FileState;
  /** Bytes stored so far (contiguous from 0). */
  received: number;
  origin: FileOrigin;
  created_at: number;
  updated_at: number;
  expires_at: number;
}

/** The `file_shares` table: who besides the owner may fetch a file. */
export interface FileSharesTable {
  file_id: string;
  client_id: number;
}

type Tables = Schema & { files: FilesTable; file_shares: FileSharesTable };
type Db = Kysely<Tables>;

/** One file. */
export interface HubFileRecord {
  readonly id: string;
  readonly ownerId: number;
  readonly name: string;
  readonly mime: string | null;
  readonly size: number;
  readonly sha256: string;
  readonly state: FileState;
  readonly received: number;
  readonly origin: FileOrigin;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly expiresAt: number;
}

export type NewHubFile = Pick<
  HubFileRecord,
  'id' | 'ownerId' | 'name' | 'mime' | 'size' | 'sha256' | 'origin'
> & {
  /** `complete` for a file written whole (a BINARY FILE, a job output). @default 'receiving' */
  readonly state?: FileState;
};

/** The owner's bounds a new file is checked against (limits `fileQuotaBytes`, `maxParallelTransfers`). */
export interface FileBounds {
  readonly quotaBytes: number;
  readonly maxParallel: number;
  readonly expiryMs: number;
}

export interface HubFileStore {
  /**
   * Adds a file in one write transaction that checks the owner's quota (every file it owns, arriving or whole) and,
   * for an arriving one, its parallel transfers.
   * @throws HiveLinkError `HL_ERR_FILE_QUOTA`, `HL_ERR_FILE_TOO_MANY_TRANSFERS`
   */
  add(file: NewHubFile, bounds: FileBounds, at?: number): Promise<HubFileRecord>;
  get(id: string): Promise<HubFileRecord | null>;
  /** Records `received` bytes (and pushes the expiry out). */
  progress(id: string, received: number, expiryMs: number, at?: number): Promise<void>;
  /** Marks a file whole. */
  complete(id: string, expiryMs: number, at?: number): Promise<HubFileRecord | null>;
  /** Removes a file's row (and its shares); true when it existed. */
  remove(id: string): Promise<boolean>;
  /** The files `clientId` owns or that were shared with it, newest first. */
  listFor(clientId: number): Promise<HubFileRecord[]>;
  /** True when `clientId` owns the file or it was shared with it. */
  canRead(id: string, clientId: number): Promise<boolean>;
  share(id: string, clientIds: readonly number[]): Promise<void>;
  /** The clients a file was shared with. */
  sharesOf(id: string): Promise<number[]>;
  /** Files whose expiry is past `at`. */
  expired(at?: number): Promise<HubFileRecord[]>;
  /** Files still arriving (for the hub's start: their partial data is resumable). */
  receiving(): Promise<HubFileRecord[]>;
  /** Bytes the owner's files take (arriving files count in full). */
  usage(ownerId: number): Promise<number>;
}

export interface HubFileStoreDeps {
  readonly db: Kysely<Schema>;
  guard<T>(what: string, fn: () => Promise<T>): Promise<T>;
  write<T>(fn: (db: Kysely<Schema>) => Promise<T>): Promise<T>;
  now(): number;
}

function toRecord(row: Selectable<FilesTable>): HubFileRecord {
  return Object.freeze({
    id: row.id,
    ownerId: row.owner_id,
    name: row.name,
    mime: row.mime,
    size: row.size,
    sha256: row.sha256,
    state: row.state,
    received: row.received,
    origin: row.origin,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    expiresAt: row.expires_at,
  });
}

function checkFileId(id: string): string {
  if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
    throw new HiveLinkError('HL_ERR_FILE_UNKNOWN', 'a file id is 1 to 64 letters, digits, - and _');
  }
  return id;
}

/** The SQLite {@link HubFileStore}, on the client store's connection (`store.files`). */
export function sqliteHubFileStore(deps: HubFileStoreDeps): HubFileStore {
  const db: Db = deps.db.withTables<{ files: FilesTable; file_shares: FileSharesTable }>();
  const now = (at?: number) => checkTime(at ?? deps.now(), 'now()');
  const one = async (id: string) =>
    (await db.selectFrom('files').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
  return {
    add(file, bounds, at0) {
      checkId(file.ownerId, 'owner id');
      checkFileId(file.id);
      const at = now(at0);
      const state = file.state ?? 'receiving';
      return deps.guard('add the file', () =>
        deps.write(async (k) => {
          const t = k.withTables<{ files: FilesTable }>();
          const held = await t
            .selectFrom('files')
            .select((eb) => [
              eb.fn.sum<number>('size').as('bytes'),
              eb.fn
                .sum<number>(eb.case().when('state', '=', 'receiving').then(1).else(0).end())
                .as('arriving'),
            ])
            .where('owner_id', '=', file.ownerId)
            .executeTakeFirstOrThrow();
          const bytes = Number(held.bytes ?? 0);
          if (state === 'receiving' && Number(held.arriving ?? 0) >= bounds.maxParallel) {
            throw new HiveLinkError(
              'HL_ERR_FILE_TOO_MANY_TRANSFERS',
              `client ${file.ownerId} already sends ${bounds.maxParallel} files (maxParallelTransfers)`,
            );
          }
          if (bytes + file.size > bounds.quotaBytes) {
            throw new HiveLinkError(
              'HL_ERR_FILE_QUOTA',
              `client ${file.ownerId} keeps ${bytes} bytes of files; ${file.size} more would pass fileQuotaBytes ${bounds.quotaBytes}`,
            );
          }
          const row = await t
            .insertInto('files')
            .values({
              id: file.id,
              owner_id: file.ownerId,
              name: file.name,
              mime: file.mime,
              size: file.size,
              sha256: file.sha256,
              state,
              received: state === 'complete' ? file.size : 0,
              origin: file.origin,
              created_at: at,
              updated_at: at,
              expires_at: at + bounds.expiryMs,
            })
            .returningAll()
            .executeTakeFirstOrThrow();
          return toRecord(row);
        }),
      );
    },

    async get(id) {
      checkFileId(id);
      return deps.guard('read the file', async () => {
        const row = await one(id);
        return row === null ? null : toRecord(row);
      });
    },

    async progress(id, received, expiryMs, at0) {
      const at = now(at0);
      await deps.guard('record the file progress', () =>
        db
          .updateTable('files')
          .set({ received, updated_at: at, expires_at: at + expiryMs })
          .where('id', '=', id)
          .execute(),
      );
    },

    async complete(id, expiryMs, at0) {
      const at = now(at0);
      return deps.guard('complete the file', async () => {
        const row = await db
          .updateTable('files')
          .set((eb) => ({
            state: 'complete',
            received: eb.ref('size'),
            updated_at: at,
            expires_at: at + expiryMs,
          }))
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst();
        return row === undefined ? null : toRecord(row);
      });
    },

    async remove(id) {
      return deps.guard('remove the file', () =>
        deps.write(async (k) => {
          const t = k.withTables<{ files: FilesTable; file_shares: FileSharesTable }>();
          await t.deleteFrom('file_shares').where('file_id', '=', id).execute();
          const r = await t.deleteFrom('files').where('id', '=', id).executeTakeFirst();
          return Number(r.numDeletedRows) > 0;
        }),
      );
    },

    async listFor(clientId) {
      checkId(clientId, 'client id');
      return deps.guard('list the files', async () => {
        const rows = await db
          .selectFrom('files')
          .selectAll()
          .where((eb) =>
            eb.or([
              eb('owner_id', '=', clientId),
              eb(
                'id',
                'in',
                eb.selectFrom('file_shares').select('file_id').where('client_id', '=', clientId),
              ),
            ]),
          )
          .orderBy('created_at', 'desc')
          .orderBy('id')
          .execute();
        return rows.map(toRecord);
      });
    },

    async canRead(id, clientId) {
      return deps.guard('check the file access', async () => {
        const row = await one(id);
        if (row === null) return false;
        if (row.owner_id === clientId) return true;
        const share = await db
          .selectFrom('file_shares')
          .select('file_id')
          .where('file_id', '=', id)
          .where('client_id', '=', clientId)
          .executeTakeFirst();
        return share !== undefined;
      });
    },

    async share(id, clientIds) {
      if (clientIds.length === 0) return;
      await deps.guard('share the file', () =>
        db
          .insertInto('file_shares')
          .values(clientIds.map((client_id) => ({ file_id: id, client_id })))
          .onConflict((oc) => oc.doNothing())
          .execute(),
      );
    },

    async sharesOf(id) {
      return deps.guard('read the file shares', async () => {
        const rows = await db
          .selectFrom('file_shares')
          .select('client_id')
          .where('file_id', '=', id)
          .execute();
        return rows.map((r) => r.client_id);
      });
    },

    async expired(at) {
      return deps.guard('find expired files', async () => {
        const rows = await db.selectFrom('files').selectAll().where('expires_at', '<=', now(at)).execute();
        return rows.map(toRecord);
      });
    },

    async receiving() {
      return deps.guard('find arriving files', async () => {
        const rows = await db.selectFrom('files').selectAll().where('state', '=', 'receiving').execute();
        return rows.map(toRecord);
      });
    },

    async usage(ownerId) {
      return deps.guard('sum the files', async () => {
        const r = await db
          .selectFrom('files')
          .select((eb) => eb.fn.sum<number>('size').as('bytes'))
          .where('owner_id', '=', ownerId)
          .executeTakeFirstOrThrow();
        return Number(r.bytes ?? 0);
      });
    },
  };
}
