/**
 * A file-backed {@link PinStore} for Node: the hub Noise keys pinned per `"host:port"`, kept in a JSON file
 * (mode 0600) under `pinned_noise_keys`, like the Python client's identity file.
 *
 * @example
 * ```ts
 * const client = createHiveClient({ url, accessKey, password, pinStore: new FilePinStore('~/.local/share/app/pins.json') });
 * ```
 *
 * @module
 */
import { KeyFile, type KeyFileData, keyFromHex, toHex } from './key-file.node.js';
import type { PinStore } from './types.js';

const FIELD = 'pinned_noise_keys';

function pinsOf(data: KeyFileData): Record<string, unknown> {
  const pins = data[FIELD];
  if (typeof pins === 'object' && pins !== null && !Array.isArray(pins))
    return pins as Record<string, unknown>;
  const fresh: Record<string, unknown> = {};
  data[FIELD] = fresh;
  return fresh;
}

/** Pins hub Noise keys in a JSON file. Every operation reads the file, so several processes may share it. */
export class FilePinStore implements PinStore {
  readonly #file: KeyFile;

  /** @param file - the JSON file's path (created with its folder on the first pin), or a shared {@link KeyFile} */
  constructor(file: string | KeyFile) {
    this.#file = typeof file === 'string' ? new KeyFile(file) : file;
  }

  /** @throws HiveLinkError `HL_ERR_KEY_FILE` when the file is unreadable or the stored key is malformed */
  async get(hostPort: string): Promise<Uint8Array | null> {
    const value = pinsOf(await this.#file.read())[hostPort];
    if (value === undefined) return null;
    return keyFromHex(this.#file.path, `${FIELD}["${hostPort}"]`, value);
  }

  async set(hostPort: string, publicKey: Uint8Array): Promise<void> {
    await this.#file.update((data) => {
      pinsOf(data)[hostPort] = toHex(publicKey);
    });
  }

  async delete(hostPort: string): Promise<void> {
    await this.#file.update((data) => {
      delete pinsOf(data)[hostPort];
    });
  }
}
