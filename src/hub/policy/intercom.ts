/**
 * INTERCOM and the key it is addressed by (docs/PROTOCOL.md §5.4): the canonical form of an announced RSA public
 * key (what the hub pins to a client and routes by), the payload shapes the reference sends, and the check of the
 * sender's RSA-PSS signature against the key pinned to it. Pure functions over `node:crypto`; the INTERCOM
 * authorizer (`rules.ts`) and the connection's HELLO handling use them.
 *
 * Why the hub checks at all, when only the recipient can decrypt: a relayed INTERCOM that is not signed ciphertext
 * (or is signed by someone other than the sender's pinned key) cannot be a valid one, so the hub refuses it instead
 * of delivering plaintext or a forgery to a client that may not check.
 *
 * @module
 */
import { constants, createHash, createPublicKey, type KeyObject, verify } from 'node:crypto';

/** RSA key sizes the hub accepts for INTERCOM: the reference uses RSA-2048; below that is too weak to pin. */
export const INTERCOM_KEY_BITS = Object.freeze({ min: 2048, max: 8192 });

/** The longest announced PEM the hub reads (an RSA-8192 public key PEM is about 1,500 characters). */
const MAX_PEM_CHARS = 8192;

/** The largest INTERCOM ciphertext (decoded): the reference's 256 KiB cap on a deposited INTERCOM. */
export const MAX_INTERCOM_CIPHERTEXT_BYTES = 256 * 1024;

/** An RSA key modulus in bytes: what an RSA-OAEP ciphertext, a wrapped key and a signature each take. */
const RSA_BYTES = Object.freeze({ min: INTERCOM_KEY_BITS.min / 8, max: INTERCOM_KEY_BITS.max / 8 });

/** Decoded byte bounds of each field of the two reference payload shapes. */
const HYBRID_FIELDS: Readonly<Record<string, readonly [min: number, max: number]>> = {
  encrypted_key: [RSA_BYTES.min, RSA_BYTES.max],
  ciphertext: [1, MAX_INTERCOM_CIPHERTEXT_BYTES],
  tag: [12, 16],
  nonce: [12, 16],
  signature: [RSA_BYTES.min, RSA_BYTES.max],
};
const RSA_ONLY_FIELDS: Readonly<Record<string, readonly [min: number, max: number]>> = {
  ciphertext: [RSA_BYTES.min, RSA_BYTES.max],
  signature: [RSA_BYTES.min, RSA_BYTES.max],
};

/** An announced key, read: its canonical id (base64 of the SPKI DER, the form pinned and routed by) and the key. */
export interface IntercomKey {
  readonly id: string;
  readonly key: KeyObject;
}

/** Keys read lately, by the text they were read from (a hub sees the same few keys again and again). */
const CACHE_SIZE = 256;
const byText = new Map<string, IntercomKey | null>();
const byId = new Map<string, KeyObject | null>();

function remember<V>(cache: Map<string, V>, key: string, value: V): V {
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(key, value);
  return value;
}

function rsaSizeOk(key: KeyObject): boolean {
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  return key.asymmetricKeyType === 'rsa' && bits >= INTERCOM_KEY_BITS.min && bits <= INTERCOM_KEY_BITS.max;
}

/**
 * Reads a HELLO `pubkey` or an INTERCOM `target_pubkey`: an RSA public key in PEM (`PUBLIC KEY` SPKI or PKCS#1
 * `RSA PUBLIC KEY`), 2048–8192 bits. Null for anything else (a private key, PGP armour, junk). Two spellings of the
 * same key (line breaks, a trailing newline) read to the same id, so a reformatted PEM cannot pass for another key.
 */
export function readIntercomKey(text: string): IntercomKey | null {
  const cached = byText.get(text);
  if (cached !== undefined) return cached;
  if (text.length > MAX_PEM_CHARS) return null;
  const pem = text.trim();
  if (!/^-----BEGIN (?:RSA )?PUBLIC KEY-----/.test(pem)) return remember(byText, text, null);
  let read: IntercomKey | null = null;
  try {
    const key = createPublicKey({ key: pem, format: 'pem' });
    if (rsaSizeOk(key)) read = { id: key.export({ type: 'spki', format: 'der' }).toString('base64'), key };
  } catch {
    read = null;
  }
  return remember(byText, text, read);
}

/** The key of a pinned id (`ClientRecord.intercomPubkey`), or null when the stored value does not read. */
function keyOfId(id: string): KeyObject | null {
  const cached = byId.get(id);
  if (cached !== undefined) return cached;
  let key: KeyObject | null = null;
  try {
    key = createPublicKey({ key: Buffer.from(id, 'base64'), format: 'der', type: 'spki' });
  } catch {
    key = null;
  }
  return remember(byId, id, key);
}

/**
 * `sha256:<hex>` of a key id's SPKI DER: how logs and the CLI name a key without printing it (16 hex digits unless
 * `full`).
 */
export function intercomKeyFingerprint(id: string, full = false): string {
  const hex = createHash('sha256').update(Buffer.from(id, 'base64')).digest('hex');
  return `sha256:${full ? hex : hex.slice(0, 16)}`;
}

/** Decoded length of a standard (padded) base64 string, or null when it is not one. */
function base64Bytes(value: unknown): number | null {
  if (typeof value !== 'string' || value.length === 0 || value.length % 4 !== 0) return null;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value)) return null;
  const pad = value.endsWith('==') ? 2 : value.endsWith('=') ? 1 : 0;
  return (value.length / 4) * 3 - pad;
}

/** Why an INTERCOM cannot be valid: `malformed` (the envelope) or `unsigned_by_pin` (the sender's signature). */
export interface IntercomProblem {
  readonly kind: 'malformed' | 'unsigned_by_pin';
  readonly reason: string;
}

function fieldsProblem(
  payload: Readonly<Record<string, unknown>>,
  fields: Readonly<Record<string, readonly [number, number]>>,
): string | null {
  for (const key of Object.keys(payload)) {
    if (!(key in fields)) return `unexpected field "${key}"`;
  }
  for (const [name, [min, max]] of Object.entries(fields)) {
    const bytes = base64Bytes(payload[name]);
    if (bytes === null) return `"${name}" must be a non-empty base64 string`;
    if (bytes < min || bytes > max) return `"${name}" must decode to ${min}–${max} bytes (got ${bytes})`;
  }
  return null;
}

/**
 * Checks an INTERCOM as the hub can without decrypting it: `target_pubkey` is an RSA public key, and the payload is
 * one of the two shapes the reference sends, every field standard base64 of a possible length and nothing else:
 * hybrid `{encrypted_key, ciphertext, tag, nonce, signature}` or the older RSA-only `{ciphertext, signature}`.
 * When the sender has a pinned key (`senderKeyId`) and the payload is hybrid, its `signature` must be RSA-PSS-SHA256
 * (MGF1-SHA256, any salt length) over the raw `ciphertext` bytes by that key, as the reference signs it. The older
 * shape's signature is not checked: the reference notes do not say which bytes it covers (the recipient checks it).
 *
 * @returns null when the hub may relay it
 */
export function checkIntercom(
  targetPubkey: string | null,
  payload: unknown,
  senderKeyId: string | null,
): IntercomProblem | null {
  if (targetPubkey === null || targetPubkey.length === 0) {
    return { kind: 'malformed', reason: 'intercom needs target_pubkey' };
  }
  if (readIntercomKey(targetPubkey) === null) {
    return { kind: 'malformed', reason: 'target_pubkey is not an RSA public key in PEM (2048 to 8192 bits)' };
  }
  if (
    typeof payload !== 'object' ||
    payload === null ||
    Array.isArray(payload) ||
    payload instanceof Uint8Array
  ) {
    return { kind: 'malformed', reason: 'intercom payload must be an object' };
  }
  const fields = payload as Readonly<Record<string, unknown>>;
  const hybrid = 'encrypted_key' in fields || 'tag' in fields || 'nonce' in fields;
  const problem = fieldsProblem(fields, hybrid ? HYBRID_FIELDS : RSA_ONLY_FIELDS);
  if (problem !== null) {
    const shape = hybrid
      ? '{encrypted_key, ciphertext, tag, nonce, signature}'
      : '{ciphertext, signature} or {encrypted_key, ciphertext, tag, nonce, signature}';
    return { kind: 'malformed', reason: `intercom must be signed ciphertext ${shape}: ${problem}` };
  }
  if (!hybrid || senderKeyId === null) return null;
  const key = keyOfId(senderKeyId);
  if (key === null) return null; // an unreadable pin cannot be checked; the recipient checks the signature
  let ok = false;
  try {
    ok = verify(
      'sha256',
      Buffer.from(fields.ciphertext as string, 'base64'),
      { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO },
      Buffer.from(fields.signature as string, 'base64'),
    );
  } catch {
    ok = false;
  }
  return ok
    ? null
    : {
        kind: 'unsigned_by_pin',
        reason: 'intercom signature does not verify against the key pinned to this client',
      };
}
