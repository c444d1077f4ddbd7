/**
 * The Node {@link ClientFileSystem} of the SDK: files sent from a path are hashed (streamed, node:crypto) and read
 * chunk by chunk, never whole; downloads are written to `<path>.part` as they arrive and renamed into place once
 * finished, so a half-fetched file never sits under its name.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { HiveLinkError } from '../errors.js';
import type { ClientFileSystem, FileSink, FileSource } from './files.js';

async function openSource(path: string, name?: string): Promise<FileSource> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `cannot read ${path}: ${(err as Error).message}`);
  }
  const { size } = await handle.stat();
  return {
    name: name ?? basename(path),
    size,
    async sha256() {
      const hash = createHash('sha256');
      for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
      return hash.digest('hex');
    },
    async read(offset, length) {
      const buffer = Buffer.allocUnsafe(length);
      const { bytesRead } = await handle.read(buffer, 0, length, offset);
      if (bytesRead !== length)
        throw new HiveLinkError('HL_ERR_FILE_TRANSFER', `${path} changed while it was sent`);
      return new Uint8Array(buffer.buffer, buffer.byteOffset, length);
    },
    close: () => handle.close(),
  };
}

async function openSink(path: string): Promise<FileSink> {
  const part = `${path}.part`;
  const handle = await open(part, 'w', 0o600);
  let hash = createHash('sha256');
  let at = 0;
  return {
    async reset(offset) {
      await handle.truncate(offset);
      hash = createHash('sha256');
      for await (const chunk of createReadStream(part, { start: 0, end: Math.max(0, offset - 1) })) {
        if (offset > 0) hash.update(chunk as Buffer);
      }
      at = offset;
    },
    async write(bytes) {
      await handle.write(bytes, 0, bytes.byteLength, at);
      hash.update(bytes);
      at += bytes.byteLength;
    },
    async finish(expected) {
      await handle.close();
      const digest = hash.digest('hex');
      if (digest === expected) await rename(part, path);
      else await rm(part, { force: true });
      return digest;
    },
    async abort() {
      await handle.close().catch(() => undefined);
      await rm(part, { force: true });
    },
  };
}

/** Paths on this machine, for {@link HiveClient.sendFile} and downloads. */
export const nodeFileSystem: ClientFileSystem = { openSource, openSink };
