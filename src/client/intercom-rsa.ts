/**
 * The RSA primitives of HiveMind's INTERCOM envelope (docs/PROTOCOL.md §5.4): RSA-OAEP for the wrapped key (or the
 * whole message, in the older shape) and RSA-PSS-SHA256 signatures. Two implementations, chosen by the entry point:
 * `intercom-rsa.node.ts` (node:crypto) and `intercom-rsa.web.ts` (WebCrypto, for the browser build). Keys travel as
 * PEM text (`PUBLIC KEY` SPKI; `PRIVATE KEY` PKCS#8), as HELLO announces them. Never a hand-written RSA.
 *
 * @module
 */

/** The OAEP hash (MGF1 uses the same): hivelink writes SHA-256; SHA-1, the other default in the wild, is read too. */
export type OaepHash = 'sha256' | 'sha1';

/** The PSS salt length hivelink signs with (the hash length); verification accepts any salt length it can. */
export const PSS_SALT_BYTES = 32;

/** A fresh RSA key pair as PEM. */
export interface RsaPemPair {
  /** PKCS#8 `PRIVATE KEY` PEM. */
  readonly privateKeyPem: string;
  /** SPKI `PUBLIC KEY` PEM: what HELLO announces and INTERCOM's `target_pubkey` names. */
  readonly publicKeyPem: string;
}

export interface IntercomRsa {
  /** A new RSA key pair (2048 bits unless asked; e = 65537). */
  generate(bits?: number): Promise<RsaPemPair>;
  /** The SPKI `PUBLIC KEY` PEM of a private key. */
  publicOf(privateKeyPem: string): Promise<string>;
  /** The SPKI DER of a public key: how two spellings of one key compare equal. Throws for what is not one. */
  spkiDer(publicKeyPem: string): Promise<Uint8Array>;
  /** The modulus length in bytes (one RSA block). */
  modulusBytes(publicKeyPem: string): Promise<number>;
  oaepEncrypt(publicKeyPem: string, data: Uint8Array, hash: OaepHash): Promise<Uint8Array>;
  /** The plaintext, or null when it does not decrypt with this key and hash. */
  oaepDecrypt(privateKeyPem: string, data: Uint8Array, hash: OaepHash): Promise<Uint8Array | null>;
  /** RSA-PSS-SHA256 (MGF1-SHA256), salt {@link PSS_SALT_BYTES}. */
  pssSign(privateKeyPem: string, data: Uint8Array): Promise<Uint8Array>;
  /** True when `signature` is RSA-PSS-SHA256 over `data` by the key; false for anything else, never throws. */
  pssVerify(publicKeyPem: string, data: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

/** The base64 body of a PEM block with the given label, or null. */
export function pemBody(pem: string, label: string): string | null {
  const m = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`).exec(pem);
  return m === null ? null : m[1]!.replace(/\s+/g, '');
}

/** PEM text of DER bytes (64-character lines). */
export function toPem(label: string, base64: string): string {
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
