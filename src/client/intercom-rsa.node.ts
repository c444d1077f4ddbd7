/**
 * {@link IntercomRsa} on node:crypto: OAEP with either hash, PSS verification with any salt length
 * (`RSA_PSS_SALTLEN_AUTO`), PKCS#1 and SPKI public keys alike.
 *
 * @module
 */
import {
  constants,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  type KeyObject,
  privateDecrypt,
  publicEncrypt,
  sign,
  verify,
} from 'node:crypto';
import { promisify } from 'node:util';
import type { IntercomRsa, OaepHash, RsaPemPair } from './intercom-rsa.js';
import { PSS_SALT_BYTES } from './intercom-rsa.js';

const generate = promisify(generateKeyPair);

/** Keys read lately, by their PEM (a client sees the same few keys again and again). */
const CACHE_SIZE = 64;
const publics = new Map<string, KeyObject>();
const privates = new Map<string, KeyObject>();

function cached(cache: Map<string, KeyObject>, pem: string, read: (pem: string) => KeyObject): KeyObject {
  let key = cache.get(pem);
  if (key === undefined) {
    key = read(pem);
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(pem, key);
  }
  return key;
}

const publicKey = (pem: string) => cached(publics, pem, (p) => createPublicKey({ key: p, format: 'pem' }));
const privateKey = (pem: string) => cached(privates, pem, (p) => createPrivateKey({ key: p, format: 'pem' }));

const bytes = (b: Buffer) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

export const nodeIntercomRsa: IntercomRsa = Object.freeze({
  async generate(bits = 2048): Promise<RsaPemPair> {
    const pair = await generate('rsa', {
      modulusLength: bits,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    return { privateKeyPem: pair.privateKey, publicKeyPem: pair.publicKey };
  },
  async publicOf(privateKeyPem: string): Promise<string> {
    return createPublicKey(privateKey(privateKeyPem)).export({ type: 'spki', format: 'pem' }) as string;
  },
  async spkiDer(publicKeyPem: string): Promise<Uint8Array> {
    return bytes(publicKey(publicKeyPem).export({ type: 'spki', format: 'der' }));
  },
  async modulusBytes(publicKeyPem: string): Promise<number> {
    return (publicKey(publicKeyPem).asymmetricKeyDetails?.modulusLength ?? 0) / 8;
  },
  async oaepEncrypt(publicKeyPem: string, data: Uint8Array, hash: OaepHash): Promise<Uint8Array> {
    const key = publicKey(publicKeyPem);
    return bytes(publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, data));
  },
  async oaepDecrypt(privateKeyPem: string, data: Uint8Array, hash: OaepHash): Promise<Uint8Array | null> {
    try {
      const key = privateKey(privateKeyPem);
      return bytes(privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, data));
    } catch {
      return null;
    }
  },
  async pssSign(privateKeyPem: string, data: Uint8Array): Promise<Uint8Array> {
    const key = privateKey(privateKeyPem);
    return bytes(
      sign('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: PSS_SALT_BYTES }),
    );
  },
  async pssVerify(publicKeyPem: string, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
    try {
      const key = publicKey(publicKeyPem);
      const options = {
        key,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: constants.RSA_PSS_SALTLEN_AUTO,
      };
      return verify('sha256', data, options, signature);
    } catch {
      return false;
    }
  },
});
