/**
 * HiveMind's INTERCOM envelope in the SDK (docs/PROTOCOL.md §5.4): writing and reading both payload shapes seen in
 * the wild, so a hivelink client can talk privately with a stock HiveMind client through any hub.
 *
 * - **hybrid** `{encrypted_key, ciphertext, tag, nonce, signature}`: the inner HiveMessage JSON (Python's form)
 *   under AES-256-GCM with a fresh key and a 16-byte nonce; the key wrapped with RSA-OAEP for the recipient; an
 *   RSA-PSS-SHA256 signature over the raw `ciphertext` bytes (what the hub checks against a pinned sender key).
 * - **rsa-only** `{ciphertext, signature}`: the inner HiveMessage as one RSA-OAEP block, so it must be short (190
 *   bytes with RSA-2048): hivelink writes it as compact JSON without its empty and null keys, which every reader
 *   fills back in; the same signature over the raw `ciphertext` bytes.
 *
 * Every field is padded standard base64. hivelink writes OAEP with SHA-256 (MGF1-SHA256) and reads SHA-256 or SHA-1.
 * Reading fails closed, in this order: the shape (`HL_ERR_INTERCOM_ENVELOPE`), the signature against the keys the
 * caller trusts, before anything is decrypted (`HL_ERR_INTERCOM_SIGNATURE`), the decryption
 * (`HL_ERR_INTERCOM_DECRYPT`), and the inner message (`HL_ERR_INTERCOM_ENVELOPE`). RSA comes from an
 * {@link IntercomRsa} (node:crypto or WebCrypto), AES-GCM from the {@link CryptoBackend}.
 *
 * @module
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { HiveLinkError } from '../errors.js';
import { base64Decode, base64Encode } from '../protocol/hex.node.js';
import type { JsonObject } from '../protocol/json.js';
import {
  createHiveMessage,
  type HiveMessage,
  hiveMessageToJson,
  parseHiveMessage,
  serializeHiveMessage,
} from '../protocol/message.js';
import { HiveMessageType } from '../protocol/message-types.js';
import type { IntercomRsa, OaepHash } from './intercom-rsa.js';

export type IntercomShape = 'hybrid' | 'rsa-only';

/** The hybrid payload. */
export interface HybridIntercomPayload {
  encrypted_key: string;
  ciphertext: string;
  tag: string;
  nonce: string;
  signature: string;
}

/** The older RSA-only payload. */
export interface RsaOnlyIntercomPayload {
  ciphertext: string;
  signature: string;
}

export type IntercomPayload = HybridIntercomPayload | RsaOnlyIntercomPayload;

/** What the hub accepts as a hybrid ciphertext (decoded), and so what hivelink writes at most. */
export const MAX_INTERCOM_PLAINTEXT_BYTES = 256 * 1024;

const AES_KEY_BYTES = 32;
const NONCE_BYTES = 16;
const TAG_BYTES = 16;
/** RSA-OAEP overhead: 2 hash lengths + 2 bytes. */
const oaepOverhead = (hash: OaepHash) => 2 * (hash === 'sha256' ? 32 : 20) + 2;

export interface SealIntercomInit {
  readonly rsa: IntercomRsa;
  readonly backend: CryptoBackend;
  /** The sender's PKCS#8 private key PEM (signs). */
  readonly senderPrivateKeyPem: string;
  /** The recipient's public key PEM (encrypts; the INTERCOM's `target_pubkey`). */
  readonly recipientPublicKeyPem: string;
  /** The message only the recipient reads. */
  readonly inner: HiveMessage;
  /** @default 'hybrid' */
  readonly shape?: IntercomShape;
  /** Fixed AES key and nonce (known-answer tests only). @default fresh random ones */
  readonly aesKey?: Uint8Array;
  readonly nonce?: Uint8Array;
}

const b64 = (bytes: Uint8Array) => base64Encode('JSON-B64', bytes);
const utf8 = new TextEncoder();

function tooLarge(message: string): HiveLinkError {
  return new HiveLinkError('HL_ERR_INTERCOM_TOO_LARGE', message);
}

/**
 * The INTERCOM payload for `inner`, signed by the sender and readable only by the recipient.
 * @throws HiveLinkError `HL_ERR_INTERCOM_TOO_LARGE` when the message does not fit the shape,
 *   `HL_ERR_INVALID_ARGUMENT` for a key that does not read
 */
/** The inner message as compact JSON, without the keys that hold their default (`{}`, `[]`, null). */
function compactJson(inner: HiveMessage): string {
  const json = hiveMessageToJson(inner);
  const kept = Object.entries(json).filter(
    ([, v]) =>
      v !== null &&
      !(Array.isArray(v) && v.length === 0) &&
      !(typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0),
  );
  return JSON.stringify(Object.fromEntries(kept));
}

export async function sealIntercomPayload(init: SealIntercomInit): Promise<IntercomPayload> {
  const { rsa, backend } = init;
  const rsaOnly = init.shape === 'rsa-only';
  const plaintext = utf8.encode(rsaOnly ? compactJson(init.inner) : serializeHiveMessage(init.inner));
  const recipient = init.recipientPublicKeyPem;
  const modulus = await rsa.modulusBytes(recipient).catch((cause: unknown) => {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'the recipient key is not an RSA public key', {
      cause,
    });
  });
  if (rsaOnly) {
    const room = modulus - oaepOverhead('sha256');
    if (plaintext.length > room) {
      throw tooLarge(`an rsa-only INTERCOM carries at most ${room} bytes (this one is ${plaintext.length})`);
    }
    const ciphertext = await rsa.oaepEncrypt(recipient, plaintext, 'sha256');
    const signature = await rsa.pssSign(init.senderPrivateKeyPem, ciphertext);
    return { ciphertext: b64(ciphertext), signature: b64(signature) };
  }
  if (plaintext.length > MAX_INTERCOM_PLAINTEXT_BYTES) {
    throw tooLarge(
      `an INTERCOM carries at most ${MAX_INTERCOM_PLAINTEXT_BYTES} bytes (this one is ${plaintext.length})`,
    );
  }
  const key = init.aesKey ?? backend.randomBytes(AES_KEY_BYTES);
  const nonce = init.nonce ?? backend.randomBytes(NONCE_BYTES);
  const sealed = backend.aeadSeal('aes-256-gcm', key, nonce, plaintext);
  const ciphertext = sealed.subarray(0, sealed.length - TAG_BYTES);
  const signature = await rsa.pssSign(init.senderPrivateKeyPem, ciphertext);
  return {
    encrypted_key: b64(await rsa.oaepEncrypt(recipient, key, 'sha256')),
    ciphertext: b64(ciphertext),
    tag: b64(sealed.subarray(sealed.length - TAG_BYTES)),
    nonce: b64(nonce),
    signature: b64(signature),
  };
}

/** The whole INTERCOM message: the sealed payload addressed with `target_pubkey`. */
export async function sealIntercom(init: SealIntercomInit): Promise<HiveMessage> {
  const payload = await sealIntercomPayload(init);
  return createHiveMessage(HiveMessageType.INTERCOM, payload as unknown as JsonObject, {
    target_pubkey: init.recipientPublicKeyPem,
  });
}

export interface OpenIntercomInit {
  readonly rsa: IntercomRsa;
  readonly backend: CryptoBackend;
  /** The recipient's (this client's) PKCS#8 private key PEM. */
  readonly recipientPrivateKeyPem: string;
  /** The public keys the signature may be by, in the order tried: the first that verifies is the sender. */
  readonly senderKeys: readonly string[];
  /** The INTERCOM payload as received. */
  readonly payload: unknown;
}

/** A read INTERCOM: the inner message and the key that signed it. */
export interface OpenedIntercom {
  readonly inner: HiveMessage;
  readonly shape: IntercomShape;
  /** The entry of `senderKeys` that verified the signature. */
  readonly senderKey: string;
}

function envelopeError(message: string): HiveLinkError {
  return new HiveLinkError('HL_ERR_INTERCOM_ENVELOPE', message);
}

/** Decoded fields of one of the two shapes (and nothing else), or the error. */
function readFields(payload: unknown): { shape: IntercomShape; f: Record<string, Uint8Array> } {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw envelopeError('the INTERCOM payload is not an object');
  }
  const p = payload as Record<string, unknown>;
  const shape: IntercomShape = 'encrypted_key' in p || 'tag' in p || 'nonce' in p ? 'hybrid' : 'rsa-only';
  const names =
    shape === 'hybrid'
      ? ['encrypted_key', 'ciphertext', 'tag', 'nonce', 'signature']
      : ['ciphertext', 'signature'];
  for (const key of Object.keys(p)) {
    if (!names.includes(key)) throw envelopeError(`the INTERCOM payload has an unexpected field "${key}"`);
  }
  const f: Record<string, Uint8Array> = {};
  for (const name of names) {
    const value = p[name];
    if (typeof value !== 'string' || value.length === 0 || value.length % 4 !== 0) {
      throw envelopeError(`the INTERCOM field "${name}" is not padded base64`);
    }
    try {
      f[name] = base64Decode('JSON-B64', value);
    } catch {
      throw envelopeError(`the INTERCOM field "${name}" is not padded base64`);
    }
  }
  if (
    shape === 'hybrid' &&
    (f.tag!.length !== TAG_BYTES || (f.nonce!.length !== 12 && f.nonce!.length !== 16))
  ) {
    throw envelopeError('the INTERCOM tag must be 16 bytes and its nonce 12 or 16');
  }
  return { shape, f };
}

async function oaepOpen(rsa: IntercomRsa, privatePem: string, data: Uint8Array): Promise<Uint8Array | null> {
  return (
    (await rsa.oaepDecrypt(privatePem, data, 'sha256')) ?? (await rsa.oaepDecrypt(privatePem, data, 'sha1'))
  );
}

/**
 * Reads an INTERCOM payload: checks its shape, finds the trusted key whose signature it carries (before decrypting
 * anything), decrypts it, and parses the inner HiveMessage.
 * @throws HiveLinkError `HL_ERR_INTERCOM_ENVELOPE`, `HL_ERR_INTERCOM_SIGNATURE`, `HL_ERR_INTERCOM_DECRYPT`
 */
export async function openIntercom(init: OpenIntercomInit): Promise<OpenedIntercom> {
  const { rsa, backend } = init;
  const { shape, f } = readFields(init.payload);
  const ciphertext = f.ciphertext!;
  let senderKey: string | null = null;
  for (const key of init.senderKeys) {
    if (await rsa.pssVerify(key, ciphertext, f.signature!)) {
      senderKey = key;
      break;
    }
  }
  if (senderKey === null) {
    throw new HiveLinkError(
      'HL_ERR_INTERCOM_SIGNATURE',
      'the INTERCOM signature verifies against no key this client trusts; nothing was decrypted',
    );
  }
  const undecryptable = () =>
    new HiveLinkError('HL_ERR_INTERCOM_DECRYPT', "the INTERCOM does not decrypt with this client's key");
  let plaintext: Uint8Array | null;
  if (shape === 'rsa-only') {
    plaintext = await oaepOpen(rsa, init.recipientPrivateKeyPem, ciphertext);
  } else {
    const key = await oaepOpen(rsa, init.recipientPrivateKeyPem, f.encrypted_key!);
    if (key === null || key.length !== AES_KEY_BYTES) throw undecryptable();
    const sealed = new Uint8Array(ciphertext.length + TAG_BYTES);
    sealed.set(ciphertext);
    sealed.set(f.tag!, ciphertext.length);
    plaintext = backend.aeadOpen('aes-256-gcm', key, f.nonce!, sealed);
  }
  if (plaintext === null) throw undecryptable();
  let inner: HiveMessage;
  try {
    inner = parseHiveMessage(new TextDecoder('utf-8', { fatal: true }).decode(plaintext));
  } catch (cause) {
    throw new HiveLinkError('HL_ERR_INTERCOM_ENVELOPE', 'the decrypted INTERCOM is not a HiveMessage', {
      cause,
    });
  }
  return { inner, shape, senderKey };
}
