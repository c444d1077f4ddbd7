/**
 * A small JSON key file shared by the Node stores: read whole, written atomically (temp file + rename) with mode
 * 0600, writes serialised within the process. Values are hex strings.
 *
 * @module
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { HiveLinkError } from '../errors.js';

export type KeyFileData = Record<string, unknown>;

function fileError(path: string, message: string, cause?: unknown): HiveLinkError {
  return new HiveLinkError('HL_ERR_KEY_FILE', `${path}: ${message}`, cause === undefined ? {} : { cause });
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Decodes a 32-byte key stored as 64 hex characters. */
export function keyFromHex(path: string, field: string, value: unknown): Uint8Array {
  if (typeof value !== 'string' || !/^[0-9a-fA-F]{64}$/.test(value)) {
    throw fileError(path, `${field} is not a 32-byte hex key`);
  }
  return new Uint8Array(Buffer.from(value, 'hex'));
}

export class KeyFile {
  readonly path: string;
  #writes: Promise<void> = Promise.resolve();

  constructor(path: string) {
    this.path = path;
  }

  /** The file's object, or `{}` when it does not exist. */
  async read(): Promise<KeyFileData> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw fileError(this.path, 'cannot be read', cause);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (cause) {
      throw fileError(this.path, 'is not valid JSON', cause);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw fileError(this.path, 'must hold a JSON object');
    }
    return value as KeyFileData;
  }

  /** Reads, applies `change`, and writes back; calls are serialised so concurrent updates are not lost. */
  update(change: (data: KeyFileData) => void): Promise<void> {
    const run = this.#writes.then(async () => {
      const data = await this.read();
      change(data);
      await this.#write(data);
    });
    this.#writes = run.catch(() => undefined);
    return run;
  }

  async #write(data: KeyFileData): Promise<void> {
    const tmp = `${this.path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
      await writeFile(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
      await rename(tmp, this.path);
    } catch (cause) {
      throw fileError(this.path, 'cannot be written', cause);
    }
  }
}
