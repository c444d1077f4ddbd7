/**
 * Files in the SDK (issue 15, docs/PROTOCOL.md "Files and jobs"): {@link FileTransfers.send} offers a file to the
 * hub (`hive.file.offer`), streams it in {@link FILE_CHUNK_BYTES} chunks with at most {@link FILE_WINDOW_CHUNKS}
 * unacknowledged, and after a reconnect asks the hub where to go on (`hive.file.resume`) and sends only the rest;
 * it resolves once the hub has checked the SHA-256 (`hive.file.complete`). {@link FileTransfers.download} fetches a
 * file the same way in the other direction, resumes after a reconnect and checks the hash before it resolves. Files
 * sent to this client arrive as {@link ReceivedFile}s: a small one inline (HiveMind's BINARY FILE), a larger one as
 * an announcement to fetch. Browser-safe: reading and writing paths is the entry point's {@link ClientFileSystem}.
 *
 * @module
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import type { MessageContext, MessageData } from '../bus/types.js';
import { HiveLinkError, isHiveLinkError } from '../errors.js';
import {
  chunkLength,
  chunkMetadata,
  FILE_CHUNK_BYTES,
  FILE_WINDOW_CHUNKS,
  FileMsg,
  readChunkMetadata,
} from '../protocol/files.js';
import { createHiveMessage, type HiveMessage } from '../protocol/message.js';
import { BinaryType, HiveMessageType } from '../protocol/message-types.js';
import { refusalOf } from './bus-request.js';
import { Listeners } from './listeners.js';
import type { ClientState, ClientTimers } from './types.js';

/** Bytes to send, read where they are (a file on disk, a buffer). */
export interface FileSource {
  readonly name: string;
  readonly size: number;
  /** Hex SHA-256 of the whole source. */
  sha256(): Promise<string>;
  read(offset: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** Where received bytes go, in order. */
export interface FileSink {
  /** Starts over at `offset` (a resumed download): drops what was written after it. */
  reset(offset: number): Promise<void>;
  write(bytes: Uint8Array): Promise<void>;
  /** Closes and returns the hex SHA-256 of everything written; keeps it only when that is `expected`. */
  finish(expected: string): Promise<string>;
  /** Closes and removes what was written. */
  abort(): Promise<void>;
}

/** Paths on this machine (Node binds `file-system.node.ts`; a browser has none). */
export interface ClientFileSystem {
  openSource(path: string, name?: string): Promise<FileSource>;
  openSink(path: string): Promise<FileSink>;
}

/** A file offered to this client. */
export interface ReceivedFile {
  /** The hub's id of the file (null for a HiveMind FILE without one). */
  readonly fileId: string | null;
  readonly name: string;
  readonly size: number;
  readonly sha256: string | null;
  readonly mime: string | null;
  /** The sender's client name, when the hub said. */
  readonly from: string | null;
  /** The bytes, when the hub sent the file inline (HiveMind's BINARY FILE); else fetch it with {@link download}. */
  readonly bytes: Uint8Array | null;
}

/** What {@link FileTransfers.send} came to. */
export interface SentFile {
  readonly fileId: string;
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
}

/** Progress of a transfer: bytes the other side has stored. */
export interface TransferProgress {
  readonly fileId: string;
  readonly done: number;
  readonly total: number;
}

export interface SendFileOptions {
  /** `hub` (the default), a client id or name, or a room. */
  readonly to?: 'hub' | number | string;
  /** @default the path's base name (`file` for bytes) */
  readonly name?: string;
  readonly mime?: string;
  readonly onProgress?: (progress: TransferProgress) => void;
  /** Gives the transfer up (the hub removes the partial data). */
  readonly signal?: AbortSignal;
}

export interface DownloadOptions {
  /** A path (Node), or a sink; none: the bytes are returned. */
  readonly to?: string | FileSink;
  readonly onProgress?: (progress: TransferProgress) => void;
}

/** What the transfers need of a {@link HiveClient}. */
export interface FilesHost {
  readonly state: ClientState;
  onState(listener: (state: ClientState) => void): () => void;
  on(msgType: string, handler: (message: HiveMessage) => void): () => void;
  onBus(busType: string, handler: (message: MessageData) => void): () => void;
  emit(message: HiveMessage): void;
  emitBus(type: string, data?: Record<string, unknown>, context?: MessageContext): MessageData;
  request(
    type: string,
    data: Record<string, unknown>,
    options: { timeoutMs?: number },
  ): Promise<Record<string, unknown>>;
}

/** How long a request about a file waits for the hub. */
export const FILE_REQUEST_TIMEOUT_MS = 15_000;
/** A transfer with no acknowledgement for this long asks the hub where it stands (resume). */
export const FILE_STALL_MS = 20_000;

/** Hex SHA-256 of `bytes` (WebCrypto: native in Node and browsers). */
async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return bytesToHex(
    new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)),
  );
}

/** Bytes as a {@link FileSource}. */
export function bytesSource(bytes: Uint8Array, name = 'file'): FileSource {
  return {
    name,
    size: bytes.byteLength,
    sha256: () => sha256Hex(bytes),
    read: async (offset, length) => bytes.subarray(offset, offset + length),
    close: async () => undefined,
  };
}

/** A {@link FileSink} that keeps the bytes in memory. */
export function memorySink(): FileSink & { bytes(): Uint8Array } {
  let parts: Uint8Array[] = [];
  let size = 0;
  const join = () => {
    const out = new Uint8Array(size);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.byteLength;
    }
    return out;
  };
  return {
    async reset(offset) {
      const all = join().subarray(0, offset);
      parts = [all];
      size = all.byteLength;
    },
    async write(bytes) {
      parts.push(bytes.slice());
      size += bytes.byteLength;
    },
    async finish(_expected) {
      const all = join();
      parts = [all];
      return sha256Hex(all);
    },
    async abort() {
      parts = [];
      size = 0;
    },
    bytes: join,
  };
}

/** Waits for `open`, or rejects once the client is closed for good. */
function whenOpen(host: FilesHost): Promise<void> {
  if (host.state.type === 'open') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const off = host.onState((s) => {
      if (s.type === 'open') {
        off();
        resolve();
      } else if (s.type === 'closed' || s.type === 'idle') {
        off();
        reject(
          s.type === 'closed' && s.error !== null
            ? s.error
            : new HiveLinkError('HL_ERR_CLIENT_CLOSED', 'the client was closed'),
        );
      }
    });
  });
}

/** A signal the transfer loops wait on: settled by the next ack, end, or connection change. */
class Wakeup {
  #wake: (() => void) | null = null;
  wait(timers: ClientTimers, ms: number): Promise<'woken' | 'stalled'> {
    return new Promise((resolve) => {
      const timer = timers.setTimeout(() => {
        this.#wake = null;
        resolve('stalled');
      }, ms);
      this.#wake = () => {
        timers.clearTimeout(timer);
        resolve('woken');
      };
    });
  }
  wake(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}

export interface FileTransfersInit {
  host: FilesHost;
  timers: ClientTimers;
  fileSystem: ClientFileSystem | null;
}

/** The file side of one client; see the module documentation. */
export class FileTransfers {
  readonly #host: FilesHost;
  readonly #timers: ClientTimers;
  readonly #fs: ClientFileSystem | null;
  readonly #listeners = new Listeners<ReceivedFile>();
  readonly #chunkHandlers = new Map<string, (index: number, bytes: Uint8Array) => void>();

  constructor(init: FileTransfersInit) {
    this.#host = init.host;
    this.#timers = init.timers;
    this.#fs = init.fileSystem;
    init.host.on(HiveMessageType.BINARY, (m) => this.#binary(m));
    init.host.onBus(FileMsg.AVAILABLE, (m) => {
      const d = m.data ?? {};
      this.#listeners.emit({
        fileId: typeof d.file_id === 'string' ? d.file_id : null,
        name: String(d.name ?? 'file'),
        size: Number(d.size ?? 0),
        sha256: typeof d.sha256 === 'string' ? d.sha256 : null,
        mime: typeof d.mime === 'string' ? d.mime : null,
        from: typeof d.from === 'string' ? d.from : null,
        bytes: null,
      });
    });
  }

  /** Calls `listener` with every file sent to this client; returns an unsubscribe function. */
  onFile(listener: (file: ReceivedFile) => void): () => void {
    return this.#listeners.add(listener);
  }

  /**
   * Sends `source` (a path with the entry point's file system, bytes, or a {@link FileSource}) to the hub.
   * @throws HiveLinkError the hub's refusal (`HL_ERR_FILE_TOO_LARGE`, `HL_ERR_FILE_BAD_NAME`,
   *   `HL_ERR_FILE_TOO_MANY_TRANSFERS`, `HL_ERR_FILE_QUOTA`, `HL_ERR_FILE_HASH_MISMATCH`, `HL_ERR_NOT_FOUND` for an
   *   unknown recipient), `HL_ERR_POLICY_DENIED`, `HL_ERR_CLIENT_CLOSED`, `HL_ERR_INVALID_ARGUMENT` (a path without
   *   a file system)
   */
  async send(source: string | Uint8Array | FileSource, options: SendFileOptions = {}): Promise<SentFile> {
    const src = await this.#source(source, options.name);
    try {
      const sha = await src.sha256();
      await whenOpen(this.#host);
      const offer = await this.#host.request(
        FileMsg.OFFER,
        {
          name: options.name ?? src.name,
          size: src.size,
          sha256: sha,
          ...(options.mime === undefined ? {} : { mime: options.mime }),
          ...(options.to === undefined ? {} : { to: options.to }),
        },
        { timeoutMs: FILE_REQUEST_TIMEOUT_MS },
      );
      const fileId = String(offer.file_id);
      await this.#upload(src, fileId, Number(offer.offset ?? 0), options);
      return { fileId, name: options.name ?? src.name, size: src.size, sha256: sha };
    } finally {
      await src.close();
    }
  }

  async #source(source: string | Uint8Array | FileSource, name?: string): Promise<FileSource> {
    if (source instanceof Uint8Array) return bytesSource(source, name ?? 'file');
    if (typeof source !== 'string') return source;
    if (this.#fs === null) {
      throw new HiveLinkError(
        'HL_ERR_INVALID_ARGUMENT',
        'sending a path needs a file system (Node); send bytes',
      );
    }
    return this.#fs.openSource(source, name);
  }

  async #upload(src: FileSource, fileId: string, start: number, options: SendFileOptions): Promise<void> {
    const host = this.#host;
    const wakeup = new Wakeup();
    let acked = start;
    let sent = start;
    let end: { error: HiveLinkError | null } | null = null;
    const offs = [
      host.onBus(FileMsg.ACK, (m) => {
        if (m.data?.file_id !== fileId) return;
        acked = Math.max(acked, Number(m.data.received ?? 0));
        options.onProgress?.({ fileId, done: acked, total: src.size });
        wakeup.wake();
      }),
      host.onBus(FileMsg.COMPLETE, (m) => {
        if (m.data?.file_id !== fileId) return;
        end = { error: null };
        wakeup.wake();
      }),
      host.onBus(FileMsg.FAILED, (m) => {
        if (m.data?.file_id !== fileId) return;
        end = { error: refusalOf(m.data ?? {}) };
        wakeup.wake();
      }),
      host.onState(() => wakeup.wake()),
    ];
    const abort = () => wakeup.wake();
    options.signal?.addEventListener('abort', abort);
    try {
      for (;;) {
        if (end !== null) {
          const { error } = end as { error: HiveLinkError | null };
          if (error !== null) throw error;
          return;
        }
        if (options.signal?.aborted === true) {
          await host.request(FileMsg.CANCEL, { file_id: fileId }, {}).catch(() => undefined);
          throw new HiveLinkError('HL_ERR_FILE_TRANSFER', 'the transfer was given up');
        }
        if (host.state.type !== 'open') {
          await whenOpen(host);
          const at = await this.#ask(FileMsg.RESUME, { file_id: fileId });
          sent = acked = Number(at.offset ?? 0);
          continue;
        }
        if (sent < src.size && sent - acked < FILE_WINDOW_CHUNKS * FILE_CHUNK_BYTES) {
          const index = sent / FILE_CHUNK_BYTES;
          const bytes = await src.read(sent, chunkLength(src.size, index));
          try {
            host.emit(
              createHiveMessage(HiveMessageType.BINARY, bytes, {
                bin_type: BinaryType.FILE,
                metadata: chunkMetadata(fileId, index),
              }),
            );
            sent += bytes.byteLength;
          } catch (err) {
            if (!isHiveLinkError(err)) throw err;
            await wakeup.wait(this.#timers, 50); // not open, or the send queue is full: look again
          }
          continue;
        }
        if ((await wakeup.wait(this.#timers, FILE_STALL_MS)) === 'stalled' && host.state.type === 'open') {
          const at = await this.#ask(FileMsg.RESUME, { file_id: fileId });
          sent = acked = Number(at.offset ?? 0);
        }
      }
    } finally {
      for (const off of offs) off();
      options.signal?.removeEventListener('abort', abort);
    }
  }

  /** A request that waits out a reconnect in between. */
  async #ask(type: string, data: Record<string, unknown>): Promise<Record<string, unknown>> {
    for (;;) {
      await whenOpen(this.#host);
      try {
        return await this.#host.request(type, data, { timeoutMs: FILE_REQUEST_TIMEOUT_MS });
      } catch (err) {
        const lost =
          isHiveLinkError(err, 'HL_ERR_NOT_CONNECTED') ||
          isHiveLinkError(err, 'HL_ERR_CONNECTION_LOST') ||
          (isHiveLinkError(err, 'HL_ERR_ASK_TIMEOUT') && this.#host.state.type !== 'open');
        if (!lost) throw err;
      }
    }
  }

  /**
   * Fetches file `fileId` from the hub: into `options.to` (a path or a sink), or returned as bytes. Resumes after a
   * reconnect; resolves once the SHA-256 matches the hub's.
   * @throws HiveLinkError `HL_ERR_FILE_UNKNOWN`, `HL_ERR_FILE_HASH_MISMATCH`, `HL_ERR_CLIENT_CLOSED`
   */
  async download(
    fileId: string,
    options: DownloadOptions = {},
  ): Promise<{ name: string; size: number; sha256: string; bytes: Uint8Array | null }> {
    const memory = options.to === undefined ? memorySink() : null;
    const sink =
      memory ??
      (typeof options.to === 'string' ? await this.#pathSink(options.to) : (options.to as FileSink));
    const wakeup = new Wakeup();
    let received = 0;
    let expected = 0;
    let size = -1;
    let chain: Promise<void> = Promise.resolve();
    let failure: unknown = null;
    this.#chunkHandlers.set(fileId, (index, bytes) => {
      if (index !== expected) return;
      expected += 1;
      chain = chain.then(async () => {
        try {
          await sink.write(bytes);
          received += bytes.byteLength;
          options.onProgress?.({ fileId, done: received, total: size });
          this.#host.emitBus(FileMsg.ACK, { file_id: fileId, received });
        } catch (err) {
          failure = err;
        }
        wakeup.wake();
      });
    });
    const offState = this.#host.onState(() => wakeup.wake());
    try {
      let meta = await this.#get(fileId, 0, (m) => {
        size = Number(m.size);
      });
      for (;;) {
        if (failure !== null) throw failure;
        if (received >= size) break;
        if (
          this.#host.state.type !== 'open' ||
          (await wakeup.wait(this.#timers, FILE_STALL_MS)) === 'stalled'
        ) {
          await chain;
          await sink.reset(received);
          expected = received / FILE_CHUNK_BYTES;
          meta = await this.#get(fileId, received, () => undefined);
        }
      }
      await chain;
      const digest = await sink.finish(String(meta.sha256));
      if (digest !== meta.sha256) {
        throw new HiveLinkError(
          'HL_ERR_FILE_HASH_MISMATCH',
          `the file's SHA-256 is ${digest}, not ${String(meta.sha256)}`,
        );
      }
      return { name: String(meta.name), size, sha256: digest, bytes: memory?.bytes() ?? null };
    } catch (err) {
      await sink.abort().catch(() => undefined);
      throw err;
    } finally {
      this.#chunkHandlers.delete(fileId);
      offState();
    }
  }

  /** `hive.file.get` from `offset`; `before` sees the answer before any chunk is taken. */
  async #get(
    fileId: string,
    offset: number,
    before: (meta: Record<string, unknown>) => void,
  ): Promise<Record<string, unknown>> {
    const meta = await this.#ask(FileMsg.GET, { file_id: fileId, offset });
    before(meta);
    return meta;
  }

  async #pathSink(path: string): Promise<FileSink> {
    if (this.#fs === null) {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'saving to a path needs a file system (Node)');
    }
    return this.#fs.openSink(path);
  }

  /** This client's files on the hub (and those shared with it). */
  async list(): Promise<Record<string, unknown>[]> {
    const answer = await this.#host.request(FileMsg.LIST, {}, { timeoutMs: FILE_REQUEST_TIMEOUT_MS });
    return Array.isArray(answer.files) ? (answer.files as Record<string, unknown>[]) : [];
  }

  /** Removes one of this client's files from the hub. @throws HiveLinkError `HL_ERR_FILE_UNKNOWN` */
  async remove(fileId: string): Promise<void> {
    await this.#host.request(FileMsg.DELETE, { file_id: fileId }, { timeoutMs: FILE_REQUEST_TIMEOUT_MS });
  }

  #binary(message: HiveMessage): void {
    if (message.bin_type !== BinaryType.FILE) return;
    const bytes = message.payload as Uint8Array;
    const chunk = readChunkMetadata(message.metadata);
    if (chunk !== null) {
      this.#chunkHandlers.get(chunk.fileId)?.(chunk.index, bytes);
      return;
    }
    const { file_name: name, file_id: fileId } = message.metadata;
    void sha256Hex(bytes).then((digest) =>
      this.#listeners.emit({
        fileId: typeof fileId === 'string' ? fileId : null,
        name: typeof name === 'string' ? name : 'file',
        size: bytes.byteLength,
        sha256: digest,
        mime: null,
        from: null,
        bytes,
      }),
    );
  }
}

/** Refusal in a `hive.file.failed` (re-exported for the CLI's messages). */
export { refusalOf as fileRefusal };
