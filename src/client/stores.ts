/**
 * In-memory {@link PinStore} and {@link IdentityStore}: the defaults, kept for the client's lifetime only.
 *
 * @module
 */
import type { E2eKeys, IdentityStore, PinStore } from './types.js';

/** Pins hub Noise keys in memory. */
export class MemoryPinStore implements PinStore {
  readonly #pins = new Map<string, Uint8Array>();

  async get(hostPort: string): Promise<Uint8Array | null> {
    const key = this.#pins.get(hostPort);
    return key === undefined ? null : key.slice();
  }

  async set(hostPort: string, publicKey: Uint8Array): Promise<void> {
    this.#pins.set(hostPort, publicKey.slice());
  }

  async delete(hostPort: string): Promise<void> {
    this.#pins.delete(hostPort);
  }
}

/** Keeps the client's Noise private key in memory (a new key per instance unless one is given). */
export class MemoryIdentityStore implements IdentityStore {
  #privateKey: Uint8Array | null;

  constructor(privateKey: Uint8Array | null = null) {
    this.#privateKey = privateKey === null ? null : privateKey.slice();
  }

  async getNoisePrivateKey(): Promise<Uint8Array | null> {
    return this.#privateKey === null ? null : this.#privateKey.slice();
  }

  async setNoisePrivateKey(privateKey: Uint8Array): Promise<void> {
    this.#privateKey = privateKey.slice();
  }

  #e2e: E2eKeys | null = null;

  async getE2eKeys(): Promise<E2eKeys | null> {
    return this.#e2e;
  }

  async setE2eKeys(keys: E2eKeys): Promise<void> {
    this.#e2e = {
      x25519PrivateKey: keys.x25519PrivateKey.slice(),
      ed25519PrivateKey: keys.ed25519PrivateKey.slice(),
    };
  }

  #intercom: string | null = null;

  async getIntercomKey(): Promise<string | null> {
    return this.#intercom;
  }

  async setIntercomKey(privateKeyPem: string): Promise<void> {
    this.#intercom = privateKeyPem;
  }
}
