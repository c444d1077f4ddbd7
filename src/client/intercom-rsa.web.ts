/**
 * {@link IntercomRsa} on WebCrypto (`crypto.subtle`), for the browser build: no Node built-in. WebCrypto binds a key
 * to one algorithm and hash, so a PEM is imported once per use and kept. It reads SPKI `PUBLIC KEY` and PKCS#8
 * `PRIVATE KEY` PEM only (not PKCS#1), and verifies PSS with the two salt lengths signers use (the hash length, and
 * the largest, which Python's `PSS.MAX_LENGTH` picks), since WebCrypto cannot detect it.
 *
 * @module
 */
import { base64Decode, base64Encode } from '../protocol/hex.node.js';
import {
  type IntercomRsa,
  type OaepHash,
  PSS_SALT_BYTES,
  pemBody,
  type RsaPemPair,
  toPem,
} from './intercom-rsa.js';

type Use = 'RSA-OAEP/SHA-256' | 'RSA-OAEP/SHA-1' | 'RSA-PSS/SHA-256';

const CACHE_SIZE = 64;
const keys = new Map<string, Promise<CryptoKey>>();

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (s === undefined)
    throw new Error('this runtime has no WebCrypto (crypto.subtle needs a secure context)');
  return s;
}

const buf = (b: Uint8Array): ArrayBuffer => b.slice().buffer as ArrayBuffer;

function der(pem: string, label: 'PUBLIC KEY' | 'PRIVATE KEY'): ArrayBuffer {
  const body = pemBody(pem, label);
  if (body === null) throw new Error(`not a ${label} PEM`);
  return buf(base64Decode('JSON-B64', body));
}

function importKey(pem: string, use: Use, priv: boolean): Promise<CryptoKey> {
  const id = `${use}|${priv ? 'd' : 'e'}|${pem}`;
  let key = keys.get(id);
  if (key === undefined) {
    const [name, hash] = use.split('/') as [string, string];
    const usages: KeyUsage[] =
      name === 'RSA-OAEP' ? [priv ? 'decrypt' : 'encrypt'] : [priv ? 'sign' : 'verify'];
    key = subtle().importKey(
      priv ? 'pkcs8' : 'spki',
      der(pem, priv ? 'PRIVATE KEY' : 'PUBLIC KEY'),
      { name, hash },
      priv,
      usages,
    );
    key.catch(() => keys.delete(id));
    if (keys.size >= CACHE_SIZE) keys.delete(keys.keys().next().value!);
    keys.set(id, key);
  }
  return key;
}

const oaep = (hash: OaepHash): Use => (hash === 'sha256' ? 'RSA-OAEP/SHA-256' : 'RSA-OAEP/SHA-1');

/** The modulus length of an SPKI RSA key, read from its JWK form. */
async function modulusBits(publicKeyPem: string): Promise<number> {
  const key = await importKey(publicKeyPem, 'RSA-PSS/SHA-256', false);
  return (key.algorithm as RsaHashedKeyAlgorithm).modulusLength;
}

export const webIntercomRsa: IntercomRsa = Object.freeze({
  async generate(bits = 2048): Promise<RsaPemPair> {
    const pair = await subtle().generateKey(
      { name: 'RSA-PSS', modulusLength: bits, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      true,
      ['sign', 'verify'],
    );
    const pkcs8 = new Uint8Array(await subtle().exportKey('pkcs8', pair.privateKey));
    const spki = new Uint8Array(await subtle().exportKey('spki', pair.publicKey));
    return {
      privateKeyPem: toPem('PRIVATE KEY', base64Encode('JSON-B64', pkcs8)),
      publicKeyPem: toPem('PUBLIC KEY', base64Encode('JSON-B64', spki)),
    };
  },
  async publicOf(privateKeyPem: string): Promise<string> {
    // WebCrypto has no "public half of": go through the JWK, which carries n and e.
    const priv = await subtle().importKey(
      'pkcs8',
      der(privateKeyPem, 'PRIVATE KEY'),
      { name: 'RSA-PSS', hash: 'SHA-256' },
      true,
      ['sign'],
    );
    const { n, e, kty } = await subtle().exportKey('jwk', priv);
    const pub = await subtle().importKey('jwk', { kty, n, e }, { name: 'RSA-PSS', hash: 'SHA-256' }, true, [
      'verify',
    ]);
    return toPem(
      'PUBLIC KEY',
      base64Encode('JSON-B64', new Uint8Array(await subtle().exportKey('spki', pub))),
    );
  },
  async spkiDer(publicKeyPem: string): Promise<Uint8Array> {
    await modulusBits(publicKeyPem); // throws for what is not an RSA public key
    return new Uint8Array(der(publicKeyPem, 'PUBLIC KEY'));
  },
  async modulusBytes(publicKeyPem: string): Promise<number> {
    return (await modulusBits(publicKeyPem)) / 8;
  },
  async oaepEncrypt(publicKeyPem: string, data: Uint8Array, hash: OaepHash): Promise<Uint8Array> {
    const key = await importKey(publicKeyPem, oaep(hash), false);
    return new Uint8Array(await subtle().encrypt({ name: 'RSA-OAEP' }, key, buf(data)));
  },
  async oaepDecrypt(privateKeyPem: string, data: Uint8Array, hash: OaepHash): Promise<Uint8Array | null> {
    try {
      const key = await importKey(privateKeyPem, oaep(hash), true);
      return new Uint8Array(await subtle().decrypt({ name: 'RSA-OAEP' }, key, buf(data)));
    } catch {
      return null;
    }
  },
  async pssSign(privateKeyPem: string, data: Uint8Array): Promise<Uint8Array> {
    const key = await importKey(privateKeyPem, 'RSA-PSS/SHA-256', true);
    return new Uint8Array(
      await subtle().sign({ name: 'RSA-PSS', saltLength: PSS_SALT_BYTES }, key, buf(data)),
    );
  },
  async pssVerify(publicKeyPem: string, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
    try {
      const key = await importKey(publicKeyPem, 'RSA-PSS/SHA-256', false);
      const maxSalt = (key.algorithm as RsaHashedKeyAlgorithm).modulusLength / 8 - PSS_SALT_BYTES - 2;
      for (const saltLength of [PSS_SALT_BYTES, maxSalt]) {
        if (await subtle().verify({ name: 'RSA-PSS', saltLength }, key, buf(signature), buf(data)))
          return true;
      }
      return false;
    } catch {
      return false;
    }
  },
});
