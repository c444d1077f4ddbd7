/**
 * An {@link IdentityStore} and {@link PinStore} over Web Storage (`localStorage`, `sessionStorage`) or anything
 * with the same three methods, so a browser satellite keeps its Noise key and its hub pins across page loads. The
 * hub pins a client's Noise key on first contact and refuses a different one later, so a client that connects
 * more than once needs a store that outlives the page.
 *
 * @example
 * ```ts
 * const store = new WebStorageStore(localStorage);
 * const client = createHiveClient({ url, accessKey, password, identityStore: store, pinStore: store });
 * ```
 *
 * @module
 */
import { HiveLinkError } from '../errors.js';
import { intercomPemOf } from './intercom-key.js';
import type { E2eKeys, IdentityStore, PinStore } from './types.js';

/** The part of the Web Storage interface the store uses. */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function fromHex(key: string, value: string): Uint8Array {
  if (!/^[0-9a-fA-F]{64}$/.test(value)) {
    throw new HiveLinkError('HL_ERR_KEY_FILE', `storage item "${key}" is not a 32-byte hex key`);
  }
  return Uint8Array.from(value.match(/../g)!, (h) => Number.parseInt(h, 16));
}

/** Keeps the client's Noise key under `<prefix>noise_key` and pins under `<prefix>pin:<host:port>`. */
export class WebStorageStore implements IdentityStore, PinStore {
  readonly #storage: StorageLike;
  readonly #prefix: string;

  /** @param prefix - @default 'hivelink:' */
  constructor(storage: StorageLike, prefix = 'hivelink:') {
    this.#storage = storage;
    this.#prefix = prefix;
  }

  async getNoisePrivateKey(): Promise<Uint8Array | null> {
    return this.#read(`${this.#prefix}noise_key`);
  }

  async setNoisePrivateKey(privateKey: Uint8Array): Promise<void> {
    this.#storage.setItem(`${this.#prefix}noise_key`, toHex(privateKey));
  }

  /** The end-to-end private keys of relay mode, under `<prefix>e2e_x25519_key` and `<prefix>e2e_ed25519_key`. */
  async getE2eKeys(): Promise<E2eKeys | null> {
    const x = this.#read(`${this.#prefix}e2e_x25519_key`);
    const e = this.#read(`${this.#prefix}e2e_ed25519_key`);
    return x === null || e === null ? null : { x25519PrivateKey: x, ed25519PrivateKey: e };
  }

  async setE2eKeys(keys: E2eKeys): Promise<void> {
    this.#storage.setItem(`${this.#prefix}e2e_x25519_key`, toHex(keys.x25519PrivateKey));
    this.#storage.setItem(`${this.#prefix}e2e_ed25519_key`, toHex(keys.ed25519PrivateKey));
  }

  /** The HiveMind INTERCOM RSA private key (PKCS#8 PEM), under `<prefix>intercom_rsa_key`. */
  async getIntercomKey(): Promise<string | null> {
    const key = `${this.#prefix}intercom_rsa_key`;
    const value = this.#storage.getItem(key);
    return value === null ? null : intercomPemOf(`storage item "${key}"`, value);
  }

  async setIntercomKey(privateKeyPem: string): Promise<void> {
    this.#storage.setItem(`${this.#prefix}intercom_rsa_key`, privateKeyPem);
  }

  async get(hostPort: string): Promise<Uint8Array | null> {
    return this.#read(`${this.#prefix}pin:${hostPort}`);
  }

  async set(hostPort: string, publicKey: Uint8Array): Promise<void> {
    this.#storage.setItem(`${this.#prefix}pin:${hostPort}`, toHex(publicKey));
  }

  async delete(hostPort: string): Promise<void> {
    this.#storage.removeItem(`${this.#prefix}pin:${hostPort}`);
  }

  #read(key: string): Uint8Array | null {
    const value = this.#storage.getItem(key);
    return value === null ? null : fromHex(key, value);
  }
}
