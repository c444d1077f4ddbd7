/**
 * A file-backed identity for Node: the client's Noise static private key as hex under `noise_key`, and the hub keys
 * it pinned under `pinned_noise_keys`, in one JSON file (mode 0600), like the Python client's identity file. It is
 * both an {@link IdentityStore} and a {@link PinStore}; pass it as both.
 *
 * @example
 * ```ts
 * const identity = new FileIdentityStore(join(dataDir, 'identity.json'));
 * const client = createHiveClient({ url, accessKey, password, identityStore: identity, pinStore: identity });
 * ```
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { intercomPemOf } from './intercom-key.js';
import { KeyFile, keyFromHex, toHex } from './key-file.node.js';
import { FilePinStore } from './pin-store.node.js';
import type { E2eKeys, IdentityStore, PinStore, PskCache } from './types.js';

const FIELD = 'noise_key';
/** The end-to-end private keys of relay mode (docs/PROTOCOL.md §13). */
const E2E_X25519 = 'e2e_x25519_key';
const E2E_ED25519 = 'e2e_ed25519_key';
/** The HiveMind INTERCOM RSA private key, PKCS#8 PEM (docs/PROTOCOL.md §5.4). */
const INTERCOM_RSA = 'intercom_rsa_key';
/** v3 PSKs derived from the saved password, by hub (docs/PROTOCOL.md §3.5): `sha256(node id)` → hex. */
const PSK_CACHE = 'psk_cache';
/** Hubs whose PSK is kept. */
const MAX_CACHED_PSKS = 4;

/** The cache slot of a hub: its node id (an RSA PEM, long) hashed. */
function pskSlot(nodeId: string): string {
  return createHash('sha256').update(nodeId).digest('hex');
}

/** Keeps the client's Noise private key (and its pins) in a JSON file, so the hub's pin of this client survives restarts. */
export class FileIdentityStore implements IdentityStore, PinStore, PskCache {
  readonly #file: KeyFile;
  readonly #pins: FilePinStore;

  /** @param path - the JSON file; created (with its folder) when something is first saved */
  constructor(path: string) {
    this.#file = new KeyFile(path);
    this.#pins = new FilePinStore(this.#file);
  }

  /** @throws HiveLinkError `HL_ERR_KEY_FILE` when the file is unreadable or the stored key is malformed */
  async getNoisePrivateKey(): Promise<Uint8Array | null> {
    const value = (await this.#file.read())[FIELD];
    if (value === undefined) return null;
    return keyFromHex(this.#file.path, FIELD, value);
  }

  async setNoisePrivateKey(privateKey: Uint8Array): Promise<void> {
    await this.#file.update((data) => {
      data[FIELD] = toHex(privateKey);
    });
  }

  /** @throws HiveLinkError `HL_ERR_KEY_FILE` when a stored key is malformed */
  async getE2eKeys(): Promise<E2eKeys | null> {
    const data = await this.#file.read();
    if (data[E2E_X25519] === undefined || data[E2E_ED25519] === undefined) return null;
    return {
      x25519PrivateKey: keyFromHex(this.#file.path, E2E_X25519, data[E2E_X25519]),
      ed25519PrivateKey: keyFromHex(this.#file.path, E2E_ED25519, data[E2E_ED25519]),
    };
  }

  async setE2eKeys(keys: E2eKeys): Promise<void> {
    await this.#file.update((data) => {
      data[E2E_X25519] = toHex(keys.x25519PrivateKey);
      data[E2E_ED25519] = toHex(keys.ed25519PrivateKey);
    });
  }

  /** @throws HiveLinkError `HL_ERR_KEY_FILE` when the stored value is not a PKCS#8 PEM */
  async getIntercomKey(): Promise<string | null> {
    const value = (await this.#file.read())[INTERCOM_RSA];
    if (value === undefined) return null;
    return intercomPemOf(this.#file.path, value);
  }

  async setIntercomKey(privateKeyPem: string): Promise<void> {
    await this.#file.update((data) => {
      data[INTERCOM_RSA] = privateKeyPem;
    });
  }

  /** A PSK kept by {@link setPsk}, or null (also for one that is malformed: it is derived again). */
  async getPsk(nodeId: string): Promise<Uint8Array | null> {
    const cache = (await this.#file.read())[PSK_CACHE];
    if (typeof cache !== 'object' || cache === null) return null;
    const hex = (cache as Record<string, unknown>)[pskSlot(nodeId)];
    return typeof hex === 'string' && /^[0-9a-f]{64}$/.test(hex)
      ? Uint8Array.from(Buffer.from(hex, 'hex'))
      : null;
  }

  /** Keeps the PSK derived for hub `nodeId` (the last {@link MAX_CACHED_PSKS} hubs). */
  async setPsk(nodeId: string, psk: Uint8Array): Promise<void> {
    await this.#file.update((data) => {
      const old = data[PSK_CACHE];
      const cache: Record<string, unknown> = typeof old === 'object' && old !== null ? { ...old } : {};
      delete cache[pskSlot(nodeId)];
      cache[pskSlot(nodeId)] = toHex(psk);
      const slots = Object.keys(cache);
      for (const slot of slots.slice(0, Math.max(0, slots.length - MAX_CACHED_PSKS))) delete cache[slot];
      data[PSK_CACHE] = cache;
    });
  }

  /** Forgets every kept PSK (the password changed). */
  async clearPsks(): Promise<void> {
    await this.#file.update((data) => {
      delete data[PSK_CACHE];
    });
  }

  get(hostPort: string): Promise<Uint8Array | null> {
    return this.#pins.get(hostPort);
  }

  set(hostPort: string, publicKey: Uint8Array): Promise<void> {
    return this.#pins.set(hostPort, publicKey);
  }

  delete(hostPort: string): Promise<void> {
    return this.#pins.delete(hostPort);
  }
}
