/**
 * The wire vocabulary of files and jobs (issue 15, docs/PROTOCOL.md "Files and jobs"), shared by the hub and the
 * SDK: the BUS request and event types, the chunk size and window, the metadata of a chunk (a BINARY FILE message
 * with `file_id` and `index`) and of a whole small file (HiveMind's BINARY FILE, `file_name`), and the file name
 * rule. Pure and browser-safe.
 *
 * @module
 */
import type { JsonObject } from './json.js';

/** BUS types of file transfers. Requests are answered `<type>.response` `{ok: true, …}` or `{ok: false, code, error}`. */
export const FileMsg = {
  /** client → hub: `{name, size, sha256, mime?, to?}` → `{file_id, offset: 0, chunk_bytes, window}` */
  OFFER: 'hive.file.offer',
  /** client → hub: `{file_id}` → `{file_id, offset, chunk_bytes, window}` (where to go on after a reconnect) */
  RESUME: 'hive.file.resume',
  /** client → hub: `{file_id}` → `{file_id, removed}`: gives up an upload, its partial data removed */
  CANCEL: 'hive.file.cancel',
  /** both ways: `{file_id, received}`, the bytes the receiver has stored (contiguous from 0) */
  ACK: 'hive.file.ack',
  /** hub → sender: `{file_id, name, size, sha256, mime}` once the file is whole and its hash checked */
  COMPLETE: 'hive.file.complete',
  /** hub → sender: `{file_id, code, error}`: the transfer was refused or broke off (its partial data removed) */
  FAILED: 'hive.file.failed',
  /** hub → recipient: `{file_id, name, size, sha256, mime, from}` — fetch it with `hive.file.get` */
  AVAILABLE: 'hive.file.available',
  /** client → hub: `{file_id, offset?}` → `{file_id, name, size, sha256, mime, offset, chunk_bytes, window}`, then chunks */
  GET: 'hive.file.get',
  /** client → hub: `{}` → `{files: [file]}` */
  LIST: 'hive.file.list',
  /** client → hub: `{file_id}` → `{file_id, removed}` */
  DELETE: 'hive.file.delete',
} as const;

/** BUS types of jobs, on the agent bus (so the assistant's skills ask them too). */
export const JobMsg = {
  /** `{kind, params, files?: [file_id]}` → `{job}` */
  SUBMIT: 'hive.job.submit',
  /** `{id}` → `{job}` */
  GET: 'hive.job.get',
  /** `{limit?}` → `{jobs: [job]}` (the asker's, newest first) */
  LIST: 'hive.job.list',
  /** `{id}` (or none: the asker's newest live job) → `{job}` */
  CANCEL: 'hive.job.cancel',
  /** `{id}` → `{id, lines}` */
  LOGS: 'hive.job.logs',
  /** hub → owner: `{job}` on every state or progress change */
  PROGRESS: 'hive.job.progress',
  /** hub → owner: `{job}` once it is done, failed or cancelled */
  DONE: 'hive.job.done',
} as const;

/** Bytes of every chunk but the last. */
export const FILE_CHUNK_BYTES = 256 * 1024;
/** Chunks a sender may have unacknowledged at once: at most this many chunks of one transfer are in flight. */
export const FILE_WINDOW_CHUNKS = 12;
/** Largest file the hub hands to a recipient as one HiveMind BINARY FILE (larger: `hive.file.available`). */
export const FILE_INLINE_MAX_BYTES = 1024 * 1024;
/** Longest file name, in UTF-8 bytes. */
export const MAX_FILE_NAME_BYTES = 255;

/** Why `name` cannot be a file name (a path, a control character, empty, too long), or null when it can. */
export function fileNameProblem(name: unknown): string | null {
  if (typeof name !== 'string' || name.length === 0) return 'a file name must be a non-empty string';
  if (new TextEncoder().encode(name).length > MAX_FILE_NAME_BYTES) {
    return `a file name is at most ${MAX_FILE_NAME_BYTES} bytes`;
  }
  if (/[/\\]/.test(name) || name === '.' || name === '..') return 'a file name must not hold a path';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'a file name must not hold control characters';
  if (name.trim() !== name || name.trim() === '') return 'a file name must not start or end with spaces';
  return null;
}

/** True for a hex SHA-256. */
export function isSha256Hex(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);
}

/** The metadata of chunk `index` of file `fileId`. */
export function chunkMetadata(fileId: string, index: number): JsonObject {
  return { file_id: fileId, index };
}

/** The file id and index of a chunk's metadata, or null when the metadata is not a chunk's. */
export function readChunkMetadata(metadata: JsonObject): { fileId: string; index: number } | null {
  const { file_id: fileId, index } = metadata;
  if (typeof fileId !== 'string' || fileId.length === 0 || fileId.length > 64) return null;
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) return null;
  return { fileId, index };
}

/** The bytes chunk `index` of a file of `size` holds. */
export function chunkLength(size: number, index: number): number {
  return Math.max(0, Math.min(FILE_CHUNK_BYTES, size - index * FILE_CHUNK_BYTES));
}

/** How many chunks a file of `size` has. */
export function chunkCount(size: number): number {
  return Math.ceil(size / FILE_CHUNK_BYTES);
}
