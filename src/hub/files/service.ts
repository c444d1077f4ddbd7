/**
 * Files on the hub (issue 15, docs/PROTOCOL.md "Files and jobs"): chunked, flow-controlled, resumable transfers in
 * both directions, and HiveMind's single BINARY FILE.
 *
 * - **Uploads.** `hive.file.offer {name, size, sha256, mime?, to?}` is checked (name, size, the client's quota and
 *   parallel transfers) and answered with the file's id; the chunks come as BINARY FILE messages with metadata
 *   `{file_id, index}`, in order, and are written to `<data dir>/files/<id>.part` one at a time as they arrive
 *   (hashed on the way), each acknowledged with `hive.file.ack {file_id, received}`. The sender keeps at most
 *   {@link FILE_WINDOW_CHUNKS} unacknowledged, so at most that many chunks of a transfer are ever in the hub's memory.
 *   When the last byte is written the SHA-256 is compared: a match renames the file into place and reports it
 *   (`hive.file.complete` to the sender, the file to its recipients); a mismatch removes it (`hive.file.failed`
 *   `HL_ERR_FILE_HASH_MISMATCH`). After a reconnect the sender asks `hive.file.resume {file_id}` where to go on (the
 *   bytes on disk, down to a chunk boundary; after a hub restart the partial file is hashed again first).
 * - **Downloads.** `hive.file.get {file_id, offset?}` streams the file from disk in the same chunks, at most a
 *   window ahead of the receiver's `hive.file.ack`.
 * - **HiveMind FILE.** A BINARY FILE with `file_name` (and no `index`) is stored whole as the sender's file; a file
 *   of at most {@link FILE_INLINE_MAX_BYTES} reaches its recipients as one BINARY FILE `{file_name, file_id}`, which
 *   stock HiveMind satellites read; a larger one is announced with `hive.file.available`.
 *
 * The policy stage lets a client with `hive.file.offer` in its allowed types send chunks and FILE messages (a rule
 * in front of the BINARY authorizer), and the rate limit skips the chunks and acknowledgements of transfers the
 * client has open (their window bounds them). The requests are taken by a bus tap, never put on the agent bus.
 *
 * @module
 */
import { createHash, type Hash, randomUUID } from 'node:crypto';
import { createReadStream, mkdirSync } from 'node:fs';
import { type FileHandle, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { type ErrorCode, HiveLinkError, isHiveLinkError } from '../../errors.js';
import type { Limits } from '../../limits.js';
import {
  chunkLength,
  chunkMetadata,
  FILE_CHUNK_BYTES,
  FILE_INLINE_MAX_BYTES,
  FILE_WINDOW_CHUNKS,
  FileMsg,
  fileNameProblem,
  isSha256Hex,
  readChunkMetadata,
} from '../../protocol/files.js';
import type { JsonObject } from '../../protocol/json.js';
import { createHiveMessage, type HiveMessage } from '../../protocol/message.js';
import { BinaryType, HiveMessageType } from '../../protocol/message-types.js';
import { roomKey } from '../../store/house.js';
import type { FileBounds, FileOrigin, HubFileRecord, HubFileStore } from '../../store/hub-files.js';
import type { ClientStore } from '../../store/types.js';
import { baseName } from '../handlers/binary.js';
import { openConnections } from '../house/speak.js';
import type { Hub, HubService } from '../hub.js';
import { ACCEPT, allowsBusType, BINARY_BUS_TYPE, DenyCode, deny } from '../policy/index.js';
import { answerOf, hubAnswer, hubBusMessage } from '../replies.js';
import type { HubPeer } from '../types.js';

const REQUESTS: ReadonlySet<string> = new Set([
  FileMsg.OFFER,
  FileMsg.RESUME,
  FileMsg.CANCEL,
  FileMsg.ACK,
  FileMsg.GET,
  FileMsg.LIST,
  FileMsg.DELETE,
]);

/** Record an upload's progress in the store at most every this many bytes (it is resumable from the disk anyway). */
const PROGRESS_WRITE_BYTES = 8 * 1024 * 1024;
/** How often expired files are looked for. */
const PURGE_INTERVAL_MS = 3_600_000;

/** An upload the hub is receiving. */
interface Incoming {
  readonly record: HubFileRecord;
  conn: HubPeer | null;
  handle: FileHandle;
  hash: Hash;
  /** Bytes written and hashed. */
  received: number;
  /** Bytes of the chunks accepted so far (written or waiting to be). */
  accepted: number;
  /** The writes, one after another. */
  chain: Promise<void>;
  lastStored: number;
  done: boolean;
}

/** A download the hub is sending. */
interface Outgoing {
  readonly record: HubFileRecord;
  readonly conn: HubPeer;
  readonly handle: FileHandle;
  /** Next byte to send. */
  sent: number;
  acked: number;
  reading: boolean;
}

/** A file as requests answer it. */
export function fileJson(r: HubFileRecord): JsonObject {
  return {
    file_id: r.id,
    name: r.name,
    size: r.size,
    sha256: r.sha256,
    mime: r.mime,
    state: r.state,
    received: r.received,
    origin: r.origin,
    owner_id: r.ownerId,
    created_at: r.createdAt,
    expires_at: r.expiresAt,
  };
}

export interface FileServiceInit {
  hub: Pick<Hub, 'ctx' | 'policy' | 'logger'>;
  store: Pick<ClientStore, 'files' | 'listClients' | 'getClient'>;
  /** The data dir: files live in `<dataDir>/files`. */
  dataDir: string;
  limits: Pick<Limits, 'maxFileBytes' | 'fileQuotaBytes' | 'maxParallelTransfers' | 'fileExpiryMs'>;
  /** @default the hub's clock */
  now?: () => number;
}

/** The file service of one hub; see the module documentation. */
export class FileService implements HubService {
  readonly #init: FileServiceInit;
  readonly #files: HubFileStore;
  readonly #dir: string;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #incoming = new Map<string, Incoming>();
  readonly #outgoing = new Map<string, Outgoing>();
  readonly #listeners = new Set<(file: HubFileRecord, from: HubPeer | null) => void>();
  #purgeTimer: ReturnType<typeof setInterval> | null = null;

  constructor(init: FileServiceInit) {
    this.#init = init;
    this.#files = init.store.files;
    this.#dir = join(init.dataDir, 'files');
    this.#logger = init.hub.logger;
    this.#now = init.now ?? (() => init.hub.ctx.now());
    const { policy, ctx } = init.hub;
    // A chunk or a HiveMind FILE needs hive.file.offer allowed (a FILE also passes with hive.binary.received).
    policy.wrapAuthorizer(HiveMessageType.BINARY, (inner) => (peer, message) => {
      if (message.bin_type !== BinaryType.FILE) return inner(peer, message);
      if (allowsBusType(peer.record, FileMsg.OFFER)) return ACCEPT;
      if (readChunkMetadata(message.metadata) !== null) {
        return deny(message.msg_type, DenyCode.ACL, `file chunks need "${FileMsg.OFFER}" in allowed types`);
      }
      return inner(peer, message);
    });
    policy.exemptFromRate((peer, message) => this.#rateExempt(peer, message));
    ctx.busTaps?.push((conn, payload) => this.#tap(conn, payload));
    ctx.binaryTaps?.push((conn, message) => this.#binary(conn, message));
  }

  get directory(): string {
    return this.#dir;
  }

  async start(): Promise<void> {
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
    await this.purge();
    this.#purgeTimer = setInterval(() => void this.purge(), PURGE_INTERVAL_MS);
    this.#purgeTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.#purgeTimer !== null) clearInterval(this.#purgeTimer);
    this.#purgeTimer = null;
    for (const up of this.#incoming.values()) {
      await up.chain.catch(() => undefined);
      await up.handle.close().catch(() => undefined);
    }
    this.#incoming.clear();
    for (const down of this.#outgoing.values()) await down.handle.close().catch(() => undefined);
    this.#outgoing.clear();
  }

  /** Calls `listener` with every file that arrived whole (uploads, HiveMind FILEs); returns the unsubscribe. */
  onFile(listener: (file: HubFileRecord, from: HubPeer | null) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Where a whole file's bytes are. */
  pathOf(id: string): string {
    return join(this.#dir, id);
  }

  /** Uploads in flight now (tests and metrics). */
  get transfers(): number {
    return this.#incoming.size;
  }

  /**
   * The whole file `id` when client `clientId` may read it.
   * @throws HiveLinkError `HL_ERR_FILE_UNKNOWN`
   */
  async readable(id: string, clientId: number): Promise<HubFileRecord> {
    const record = await this.#files.get(id).catch(() => null);
    if (record === null || record.state !== 'complete' || !(await this.#files.canRead(id, clientId))) {
      throw new HiveLinkError('HL_ERR_FILE_UNKNOWN', `no file ${id} for this client`);
    }
    return record;
  }

  /**
   * Stores the file at `source` (moved into the files dir) as a whole file of `ownerId`: a job's output.
   * @throws HiveLinkError `HL_ERR_FILE_QUOTA`, `HL_ERR_FILE_BAD_NAME`, `HL_ERR_FILE_TOO_LARGE`
   */
  async adopt(
    ownerId: number,
    source: string,
    name: string,
    mime: string | null,
    origin: FileOrigin = 'job',
  ): Promise<HubFileRecord> {
    const problem = fileNameProblem(name);
    if (problem !== null) throw new HiveLinkError('HL_ERR_FILE_BAD_NAME', problem);
    const { size } = await stat(source);
    this.#checkSize(size);
    const sha256 = await hashFile(source);
    const id = randomUUID();
    const record = await this.#files.add(
      { id, ownerId, name, mime, size, sha256, origin, state: 'complete' },
      this.#bounds(),
      this.#now(),
    );
    try {
      await rename(source, this.pathOf(id));
    } catch (err) {
      await this.#files.remove(id).catch(() => undefined);
      throw new HiveLinkError('HL_ERR_FILE_TRANSFER', `cannot store ${name}`, { cause: err });
    }
    return record;
  }

  /** Removes every expired file (and any partial data of an expired upload). */
  async purge(): Promise<number> {
    let removed = 0;
    try {
      for (const record of await this.#files.expired(this.#now())) {
        await this.#remove(record.id);
        removed += 1;
      }
    } catch (err) {
      this.#logger.warn({ err }, 'could not purge expired files');
    }
    return removed;
  }

  // -- the policy's rate exemption, the taps

  #rateExempt(peer: HubPeer, message: HiveMessage): boolean {
    if (message.msg_type === HiveMessageType.BINARY) {
      const chunk = readChunkMetadata(message.metadata);
      const up = chunk === null ? undefined : this.#incoming.get(chunk.fileId);
      return up !== undefined && up.record.ownerId === peer.record.id;
    }
    if (message.msg_type !== HiveMessageType.BUS) return false;
    const payload = message.payload as JsonObject;
    if (payload.type !== FileMsg.ACK) return false;
    const fileId = (payload.data as JsonObject | undefined)?.file_id;
    return typeof fileId === 'string' && this.#outgoing.has(`${peer.id}:${fileId}`);
  }

  #tap(conn: HubPeer, payload: JsonObject): boolean {
    const type = String(payload.type);
    if (!REQUESTS.has(type)) return false;
    const data = (payload.data ?? {}) as JsonObject;
    if (type === FileMsg.ACK) {
      this.#downloadAck(conn, data);
      return true;
    }
    const requestId = ((payload.context ?? {}) as JsonObject).request_id;
    void this.#answer(conn, type, data, requestId);
    return true;
  }

  async #answer(conn: HubPeer, type: string, data: JsonObject, requestId: unknown): Promise<void> {
    const later: { after: (() => void) | null } = { after: null };
    const answer = await answerOf(
      async () => {
        const result = await this.#handle(conn, type, data);
        later.after = result.after ?? null;
        return result.answer;
      },
      this.#logger,
      `file request ${type}`,
    );
    conn.send(hubAnswer(conn.peer, type, answer, requestId));
    later.after?.();
  }

  async #handle(
    conn: HubPeer,
    type: string,
    data: JsonObject,
  ): Promise<{ answer: JsonObject; after?: () => void }> {
    switch (type) {
      case FileMsg.OFFER:
        return { answer: await this.#offer(conn, data) };
      case FileMsg.RESUME:
        return { answer: await this.#resume(conn, fileIdOf(data)) };
      case FileMsg.CANCEL:
        return { answer: await this.#cancel(conn, fileIdOf(data)) };
      case FileMsg.GET:
        return this.#get(conn, data);
      case FileMsg.LIST: {
        const files = await this.#files.listFor(conn.record.id);
        return { answer: { files: files.map(fileJson) } };
      }
      case FileMsg.DELETE: {
        const id = fileIdOf(data);
        const record = await this.#files.get(id).catch(() => null);
        if (record === null || record.ownerId !== conn.record.id) {
          throw new HiveLinkError('HL_ERR_FILE_UNKNOWN', `no file ${id} of this client`);
        }
        await this.#remove(id);
        return { answer: { file_id: id, removed: true } };
      }
      default:
        throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `unknown file request ${type}`);
    }
  }

  #bounds(): FileBounds {
    const l = this.#init.limits;
    return { quotaBytes: l.fileQuotaBytes, maxParallel: l.maxParallelTransfers, expiryMs: l.fileExpiryMs };
  }

  #checkSize(size: number): void {
    if (size > this.#init.limits.maxFileBytes) {
      throw new HiveLinkError(
        'HL_ERR_FILE_TOO_LARGE',
        `${size} bytes is more than maxFileBytes ${this.#init.limits.maxFileBytes}`,
      );
    }
  }

  // -- uploads

  async #offer(conn: HubPeer, data: JsonObject): Promise<JsonObject> {
    const problem = fileNameProblem(data.name);
    if (problem !== null) throw new HiveLinkError('HL_ERR_FILE_BAD_NAME', problem);
    const size = data.size;
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'size must be a whole number of bytes');
    }
    this.#checkSize(size);
    if (!isSha256Hex(data.sha256)) {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'sha256 must be 64 lower-case hex digits');
    }
    const mime = typeof data.mime === 'string' && data.mime.length <= 255 ? data.mime : null;
    const recipients = await this.#recipients(conn, data.to);
    const id = randomUUID();
    const record = await this.#files.add(
      {
        id,
        ownerId: conn.record.id,
        name: data.name as string,
        mime,
        size,
        sha256: data.sha256,
        origin: 'upload',
      },
      this.#bounds(),
      this.#now(),
    );
    let handle: FileHandle;
    try {
      await this.#files.share(id, recipients);
      handle = await open(this.#partPath(id), 'wx', 0o600);
    } catch (err) {
      await this.#files.remove(id).catch(() => undefined);
      throw new HiveLinkError('HL_ERR_FILE_TRANSFER', 'cannot create the file', { cause: err });
    }
    const up = this.#track(record, conn, handle, createHash('sha256'), 0);
    if (size === 0) up.chain = up.chain.then(() => this.#finish(up));
    return this.#position(up);
  }

  #track(record: HubFileRecord, conn: HubPeer, handle: FileHandle, hash: Hash, received: number): Incoming {
    const up: Incoming = {
      record,
      conn,
      handle,
      hash,
      received,
      accepted: received,
      chain: Promise.resolve(),
      lastStored: received,
      done: false,
    };
    this.#incoming.set(record.id, up);
    return up;
  }

  #position(up: Incoming): JsonObject {
    return {
      file_id: up.record.id,
      offset: up.received,
      chunk_bytes: FILE_CHUNK_BYTES,
      window: FILE_WINDOW_CHUNKS,
    };
  }

  async #resume(conn: HubPeer, id: string): Promise<JsonObject> {
    let up = this.#incoming.get(id);
    if (up !== undefined) {
      if (up.record.ownerId !== conn.record.id) throw unknownFile(id);
      await up.chain.catch(() => undefined);
      if (!this.#incoming.has(id)) throw unknownFile(id); // it failed meanwhile
      up.conn = conn;
      up.accepted = up.received;
      return this.#position(up);
    }
    const record = await this.#files.get(id).catch(() => null);
    if (record === null || record.ownerId !== conn.record.id || record.state !== 'receiving') {
      throw unknownFile(id);
    }
    // After a hub restart: what is on disk, down to a chunk boundary, hashed again.
    const part = this.#partPath(id);
    let onDisk = 0;
    try {
      onDisk = (await stat(part)).size;
    } catch {
      onDisk = 0;
    }
    const received = Math.min(record.size, onDisk - (onDisk % FILE_CHUNK_BYTES));
    const handle = await open(part, onDisk === 0 ? 'w' : 'r+', 0o600);
    await handle.truncate(received);
    const hash = createHash('sha256');
    if (received > 0) {
      for await (const chunk of createReadStream(part, { start: 0, end: received - 1 })) {
        hash.update(chunk as Buffer);
      }
    }
    up = this.#track(record, conn, handle, hash, received);
    return this.#position(up);
  }

  async #cancel(conn: HubPeer, id: string): Promise<JsonObject> {
    const record = await this.#files.get(id).catch(() => null);
    if (record === null || record.ownerId !== conn.record.id || record.state !== 'receiving') {
      throw unknownFile(id);
    }
    await this.#remove(id);
    return { file_id: id, removed: true };
  }

  /** A chunk or a HiveMind FILE from `conn`: true when the service took it. */
  #binary(conn: HubPeer, message: HiveMessage): boolean {
    if (message.bin_type !== BinaryType.FILE) return false;
    const chunk = readChunkMetadata(message.metadata);
    if (chunk !== null) {
      this.#chunk(conn, chunk.fileId, chunk.index, message.payload as Uint8Array);
      return true;
    }
    if (!allowsBusType(conn.record, FileMsg.OFFER)) return false;
    void this.#hiveMindFile(conn, message);
    // Also to the agent, as before, when the client may send it hive.binary.received.
    return !allowsBusType(conn.record, BINARY_BUS_TYPE);
  }

  #chunk(conn: HubPeer, id: string, index: number, bytes: Uint8Array): void {
    const up = this.#incoming.get(id);
    if (up === undefined || up.done || up.record.ownerId !== conn.record.id) return;
    const offset = index * FILE_CHUNK_BYTES;
    // Chunks come in order on one connection; anything else is a stale one (the sender resumes).
    if (offset !== up.accepted) return;
    if (bytes.byteLength !== chunkLength(up.record.size, index)) {
      up.done = true;
      up.chain = up.chain.then(() =>
        this.#fail(up, 'HL_ERR_FILE_TRANSFER', `chunk ${index} has ${bytes.byteLength} bytes`),
      );
      return;
    }
    up.conn = conn;
    up.accepted += bytes.byteLength;
    up.chain = up.chain.then(() => this.#write(up, bytes, offset));
  }

  async #write(up: Incoming, bytes: Uint8Array, offset: number): Promise<void> {
    if (up.done) return;
    try {
      await up.handle.write(bytes, 0, bytes.byteLength, offset);
    } catch (err) {
      this.#logger.warn({ err, file: up.record.id }, 'could not write a file chunk');
      return this.#fail(up, 'HL_ERR_FILE_TRANSFER', 'the hub could not write the file');
    }
    up.hash.update(bytes);
    up.received = offset + bytes.byteLength;
    up.conn?.send(hubBusMessage(up.conn.peer, FileMsg.ACK, { file_id: up.record.id, received: up.received }));
    if (up.received === up.record.size) return this.#finish(up);
    if (up.received - up.lastStored >= PROGRESS_WRITE_BYTES) {
      up.lastStored = up.received;
      await this.#files
        .progress(up.record.id, up.received, this.#init.limits.fileExpiryMs, this.#now())
        .catch(() => undefined);
    }
  }

  async #finish(up: Incoming): Promise<void> {
    up.done = true;
    const { record } = up;
    await up.handle.close().catch(() => undefined);
    const digest = up.hash.digest('hex');
    if (digest !== record.sha256) {
      return this.#fail(
        up,
        'HL_ERR_FILE_HASH_MISMATCH',
        `the file's SHA-256 is ${digest}, not the ${record.sha256} offered`,
      );
    }
    try {
      await rename(this.#partPath(record.id), this.pathOf(record.id));
      const whole =
        (await this.#files.complete(record.id, this.#init.limits.fileExpiryMs, this.#now())) ?? record;
      this.#incoming.delete(record.id);
      const conn = up.conn;
      conn?.send(
        hubBusMessage(conn.peer, FileMsg.COMPLETE, {
          file_id: whole.id,
          name: whole.name,
          size: whole.size,
          sha256: whole.sha256,
          mime: whole.mime,
        }),
      );
      await this.#arrived(whole, conn);
    } catch (err) {
      this.#logger.warn({ err, file: record.id }, 'could not store a file');
      await this.#fail(up, 'HL_ERR_FILE_TRANSFER', 'the hub could not store the file');
    }
  }

  async #fail(up: Incoming, code: ErrorCode, error: string): Promise<void> {
    up.done = true;
    this.#incoming.delete(up.record.id);
    await up.handle.close().catch(() => undefined);
    await this.#remove(up.record.id);
    up.conn?.send(hubBusMessage(up.conn.peer, FileMsg.FAILED, { file_id: up.record.id, code, error }));
  }

  /** A HiveMind BINARY FILE: stored whole as the sender's file, answered like a finished upload. */
  async #hiveMindFile(conn: HubPeer, message: HiveMessage): Promise<void> {
    const bytes = message.payload as Uint8Array;
    const rawName = message.metadata.file_name;
    const name = baseName(typeof rawName === 'string' ? rawName : 'file');
    const id = randomUUID();
    try {
      if (fileNameProblem(name) !== null) throw new HiveLinkError('HL_ERR_FILE_BAD_NAME', 'bad file name');
      this.#checkSize(bytes.byteLength);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const record = await this.#files.add(
        {
          id,
          ownerId: conn.record.id,
          name,
          mime: null,
          size: bytes.byteLength,
          sha256,
          origin: 'binary',
          state: 'complete',
        },
        this.#bounds(),
        this.#now(),
      );
      await writeFile(this.pathOf(id), bytes, { mode: 0o600 });
      conn.send(hubBusMessage(conn.peer, FileMsg.COMPLETE, { ...fileJson(record) }));
      await this.#arrived(record, conn);
    } catch (err) {
      const e = isHiveLinkError(err)
        ? err
        : new HiveLinkError('HL_ERR_FILE_TRANSFER', 'cannot store the file');
      if (!isHiveLinkError(err)) await this.#files.remove(id).catch(() => undefined);
      conn.send(hubBusMessage(conn.peer, FileMsg.FAILED, { file_id: id, code: e.code, error: e.message }));
    }
  }

  /** A whole file: to its recipients' open connections, and to the listeners. */
  async #arrived(record: HubFileRecord, from: HubPeer | null): Promise<void> {
    for (const listener of this.#listeners) {
      try {
        listener(record, from);
      } catch (err) {
        this.#logger.warn({ err }, 'a file listener failed');
      }
    }
    const recipients = await this.#files.sharesOf(record.id);
    if (recipients.length === 0) return;
    const inline =
      record.size <= FILE_INLINE_MAX_BYTES ? new Uint8Array(await readFile(this.pathOf(record.id))) : null;
    for (const clientId of recipients) {
      for (const conn of openConnections(this.#init.hub.ctx.peers, clientId)) {
        conn.send(this.#delivery(conn, record, from, inline));
      }
    }
  }

  #delivery(
    conn: HubPeer,
    record: HubFileRecord,
    from: HubPeer | null,
    inline: Uint8Array | null,
  ): HiveMessage {
    if (inline !== null) {
      return createHiveMessage(HiveMessageType.BINARY, inline, {
        bin_type: BinaryType.FILE,
        metadata: { file_name: record.name, file_id: record.id },
        source_peer: conn.peer,
      });
    }
    return hubBusMessage(conn.peer, FileMsg.AVAILABLE, {
      ...fileJson(record),
      from: from?.record.name ?? null,
    });
  }

  async #recipients(conn: HubPeer, to: unknown): Promise<number[]> {
    if (to === undefined || to === null || to === 'hub') return [];
    const clients = (await this.#init.store.listClients()).filter((c) => !c.revoked);
    if (typeof to === 'number' || (typeof to === 'string' && /^\d+$/.test(to))) {
      const client = clients.find((c) => c.id === Number(to));
      if (client !== undefined) return [client.id];
    } else if (typeof to === 'string') {
      const named = clients.find((c) => c.name === to);
      if (named !== undefined) return [named.id];
      const key = roomKey(to);
      const inRoom = new Set<number>();
      for (const c of clients) if (c.siteId !== null && roomKey(c.siteId) === key) inRoom.add(c.id);
      for (const peer of this.#init.hub.ctx.peers.values()) {
        if (peer.siteId !== null && roomKey(peer.siteId) === key) inRoom.add(peer.record.id);
      }
      inRoom.delete(conn.record.id);
      if (inRoom.size > 0) return [...inRoom];
    }
    throw new HiveLinkError(
      'HL_ERR_NOT_FOUND',
      `no client or room ${JSON.stringify(to)} to send the file to`,
    );
  }

  // -- downloads

  async #get(conn: HubPeer, data: JsonObject): Promise<{ answer: JsonObject; after: () => void }> {
    const id = fileIdOf(data);
    const record = await this.readable(id, conn.record.id);
    const offset = typeof data.offset === 'number' && Number.isSafeInteger(data.offset) ? data.offset : 0;
    if (offset < 0 || offset > record.size || offset % FILE_CHUNK_BYTES !== 0) {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'offset must be a chunk boundary within the file');
    }
    const key = `${conn.id}:${id}`;
    const previous = this.#outgoing.get(key);
    this.#outgoing.delete(key);
    await previous?.handle.close().catch(() => undefined);
    const handle = await open(this.pathOf(id), 'r');
    const down: Outgoing = { record, conn, handle, sent: offset, acked: offset, reading: false };
    this.#outgoing.set(key, down);
    return {
      answer: {
        ...fileJson(record),
        offset,
        chunk_bytes: FILE_CHUNK_BYTES,
        window: FILE_WINDOW_CHUNKS,
      },
      after: () => void this.#pump(key, down),
    };
  }

  #downloadAck(conn: HubPeer, data: JsonObject): void {
    const id = data.file_id;
    const key = `${conn.id}:${String(id)}`;
    const down = this.#outgoing.get(key);
    if (down === undefined || typeof data.received !== 'number') return;
    down.acked = Math.max(down.acked, Math.min(data.received, down.sent));
    if (down.acked >= down.record.size) {
      this.#outgoing.delete(key);
      void down.handle.close().catch(() => undefined);
      return;
    }
    void this.#pump(key, down);
  }

  /** Sends chunks of a download while its window has room. */
  async #pump(key: string, down: Outgoing): Promise<void> {
    if (down.reading) return;
    down.reading = true;
    try {
      const { size } = down.record;
      while (
        this.#outgoing.get(key) === down &&
        down.sent < size &&
        down.sent - down.acked < FILE_WINDOW_CHUNKS * FILE_CHUNK_BYTES
      ) {
        const index = down.sent / FILE_CHUNK_BYTES;
        const length = chunkLength(size, index);
        const buffer = Buffer.allocUnsafe(length);
        const { bytesRead } = await down.handle.read(buffer, 0, length, down.sent);
        if (bytesRead !== length) throw new Error('the file is shorter than its record');
        const sent = down.conn.send(
          createHiveMessage(
            HiveMessageType.BINARY,
            new Uint8Array(buffer.buffer, buffer.byteOffset, length),
            {
              bin_type: BinaryType.FILE,
              metadata: chunkMetadata(down.record.id, index),
              source_peer: down.conn.peer,
            },
          ),
        );
        if (!sent) throw new Error('the connection closed');
        down.sent += length;
      }
    } catch (err) {
      if (this.#outgoing.get(key) === down) this.#outgoing.delete(key);
      await down.handle.close().catch(() => undefined);
      this.#logger.debug({ err, file: down.record.id }, 'a download stopped');
    } finally {
      down.reading = false;
    }
  }

  // -- removal

  #partPath(id: string): string {
    return join(this.#dir, `${id}.part`);
  }

  async #remove(id: string): Promise<void> {
    const up = this.#incoming.get(id);
    if (up !== undefined) {
      up.done = true;
      this.#incoming.delete(id);
      await up.handle.close().catch(() => undefined);
    }
    await rm(this.#partPath(id), { force: true }).catch(() => undefined);
    await rm(this.pathOf(id), { force: true }).catch(() => undefined);
    await this.#files.remove(id).catch(() => undefined);
  }
}

function fileIdOf(data: JsonObject): string {
  const id = data.file_id;
  if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
    throw new HiveLinkError('HL_ERR_FILE_UNKNOWN', 'file_id must be a file id');
  }
  return id;
}

function unknownFile(id: string): HiveLinkError {
  return new HiveLinkError('HL_ERR_FILE_UNKNOWN', `no transfer ${id} of this client to resume`);
}

/** Hex SHA-256 of a file, streamed. */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
