/**
 * The legacy (v0–v2) AEAD framing of HiveMind (docs/PROTOCOL.md §4.1): a fresh random nonce per message, no counters,
 * no associated data. Two frame forms:
 *
 * - **JSON envelope** (text frame): `{"ciphertext": E(ct), "tag": E(tag), "nonce": E(nonce)}`, each field encoded
 *   with the negotiated binary-to-text encoding E, serialized with Python's `json.dumps` spacing. A receiver also
 *   accepts the Web Crypto form without `tag`, where the tag is the last 16 bytes of `ciphertext`.
 * - **Binary frame**: `nonce ‖ ciphertext ‖ tag`, raw. The nonce is 16 bytes for AES-GCM, 12 for ChaCha20-Poly1305.
 *
 * Pure and browser-safe: every primitive comes from the injected {@link CryptoBackend}.
 *
 * @example
 * ```ts
 * const text = encryptJsonEnvelope(backend, 'AES-GCM', 'JSON-B64', key, utf8(messageJson));
 * const plaintext = decryptJsonEnvelope(backend, 'AES-GCM', 'JSON-B64', key, JSON.parse(text));
 * ```
 *
 * @module
 */
import { HiveLinkError, isHiveLinkError } from '../errors.js';
import { concatBytes } from '../protocol/bytes.js';
import { decodeBytes, type EncodingName, encodeBytes } from '../protocol/encodings.js';
import { pythonJson } from '../protocol/json.js';
import { AEAD_TAG_BYTES, type AeadAlgorithm, type CryptoBackend } from './backend.js';

/** The legacy cipher names, as they appear on the wire, in the reference's preference order. */
export const LEGACY_CIPHERS = ['AES-GCM', 'CHACHA20-POLY1305'] as const;

/** Accepts each nonce once: how a receiver refuses replayed legacy frames (`session/nonce-window.ts`). */
export interface NonceGuard {
  /** True the first time `nonce` is seen; false for a nonce seen before (a replay). */
  admit(nonce: Uint8Array): boolean;
}

/** A legacy cipher wire name. */
export type LegacyCipherName = (typeof LEGACY_CIPHERS)[number];

/** Nonce length a sender draws per cipher: pycryptodome's AES-GCM default is 16 bytes, ChaCha20 takes 12. */
export const LEGACY_NONCE_BYTES: Readonly<Record<LegacyCipherName, number>> = Object.freeze({
  'AES-GCM': 16,
  'CHACHA20-POLY1305': 12,
});

/** True when `value` is a legacy cipher wire name (case-sensitive, as on the wire). */
export function isLegacyCipherName(value: unknown): value is LegacyCipherName {
  return value === 'AES-GCM' || value === 'CHACHA20-POLY1305';
}

function algorithmOf(cipher: LegacyCipherName): AeadAlgorithm {
  if (cipher === 'AES-GCM') return 'aes-256-gcm';
  if (cipher === 'CHACHA20-POLY1305') return 'chacha20-poly1305';
  throw new HiveLinkError('HL_ERR_UNKNOWN_CIPHER', `unknown legacy cipher ${String(cipher)}`);
}

/** Validates the cipher name and key length; returns the backend algorithm. */
function checkCipherKey(cipher: LegacyCipherName, key: Uint8Array): AeadAlgorithm {
  const alg = algorithmOf(cipher);
  if (!(key instanceof Uint8Array)) throw new HiveLinkError('HL_ERR_INVALID_KEY', 'key must be a Uint8Array');
  const ok = alg === 'chacha20-poly1305' ? key.length === 32 : [16, 24, 32].includes(key.length);
  if (!ok) {
    const want = alg === 'chacha20-poly1305' ? '32' : '16, 24 or 32';
    throw new HiveLinkError('HL_ERR_INVALID_KEY', `${cipher} key must be ${want} bytes, got ${key.length}`);
  }
  return alg;
}

/** Nonce lengths a receiver accepts: AES-GCM 16 (reference) or 12 (Web Crypto default); ChaCha20 12. */
function nonceAccepted(cipher: LegacyCipherName, length: number): boolean {
  return cipher === 'AES-GCM' ? length === 16 || length === 12 : length === 12;
}

function senderNonce(
  backend: CryptoBackend,
  cipher: LegacyCipherName,
  nonce: Uint8Array | undefined,
): Uint8Array {
  if (nonce === undefined) return backend.randomBytes(LEGACY_NONCE_BYTES[cipher]);
  if (!(nonce instanceof Uint8Array) || !nonceAccepted(cipher, nonce.length)) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `${cipher} nonce has an impossible length`);
  }
  return nonce;
}

/** Encodings whose text never contains a character JSON would escape. */
const PLAIN_JSON_ENCODINGS: ReadonlySet<EncodingName> = new Set([
  'JSON-HEX',
  'JSON-B64',
  'JSON-URLSAFE-B64',
  'JSON-B32',
  'JSON-Z85B',
]);

function checkPlaintext(plaintext: Uint8Array): void {
  if (!(plaintext instanceof Uint8Array)) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'plaintext must be a Uint8Array');
  }
}

/** `plaintext` sealed under a checked key and the sender's nonce (`ciphertext ‖ tag`): what both encryptors do. */
function seal(
  backend: CryptoBackend,
  cipher: LegacyCipherName,
  key: Uint8Array,
  plaintext: Uint8Array,
  nonce: Uint8Array | undefined,
): { iv: Uint8Array; sealed: Uint8Array } {
  const alg = checkCipherKey(cipher, key);
  checkPlaintext(plaintext);
  const iv = senderNonce(backend, cipher, nonce);
  return { iv, sealed: backend.aeadSeal(alg, key, iv, plaintext) };
}

function open(
  backend: CryptoBackend,
  alg: AeadAlgorithm,
  key: Uint8Array,
  nonce: Uint8Array,
  sealed: Uint8Array,
): Uint8Array {
  const plaintext = backend.aeadOpen(alg, key, nonce, sealed);
  if (plaintext === null) {
    throw new HiveLinkError(
      'HL_ERR_DECRYPT_FAILED',
      'legacy frame failed authentication (wrong key or tampered)',
    );
  }
  return plaintext;
}

/**
 * Encrypts `plaintext` into a legacy JSON envelope (the text of a WebSocket text frame).
 *
 * @param nonce - for tests and known answers only; @default a fresh random nonce (16 bytes AES-GCM, 12 ChaCha20)
 * @throws HiveLinkError `HL_ERR_UNKNOWN_CIPHER`, `HL_ERR_INVALID_KEY`, `HL_ERR_UNKNOWN_ENCODING`, `HL_ERR_INVALID_ARGUMENT`
 */
export function encryptJsonEnvelope(
  backend: CryptoBackend,
  cipher: LegacyCipherName,
  encoding: EncodingName,
  key: Uint8Array,
  plaintext: Uint8Array,
  nonce?: Uint8Array,
): string {
  const { iv, sealed } = seal(backend, cipher, key, plaintext, nonce);
  const split = sealed.length - AEAD_TAG_BYTES;
  // pythonJson({ciphertext, tag, nonce}), written directly: the hex, base64, base32 and Z85B alphabets hold no
  // character JSON escapes, so their text goes between quotes as it is; base91 (`"`) and Z85P (its pad byte) go
  // through pythonJson.
  const field = PLAIN_JSON_ENCODINGS.has(encoding) ? (text: string) => `"${text}"` : pythonJson;
  const ciphertext = field(encodeBytes(encoding, sealed.subarray(0, split)));
  const tag = field(encodeBytes(encoding, sealed.subarray(split)));
  return `{"ciphertext": ${ciphertext}, "tag": ${tag}, "nonce": ${field(encodeBytes(encoding, iv))}}`;
}

/** True when `value` is a parsed frame that claims to be encrypted: an object with a `ciphertext` key. */
export function isEncryptedEnvelope(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, 'ciphertext')
  );
}

function decodeField(encoding: EncodingName, envelope: Record<string, unknown>, field: string): Uint8Array {
  const text = envelope[field];
  if (typeof text !== 'string') {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ENVELOPE',
      `encrypted envelope field "${field}" is missing or not a string`,
    );
  }
  try {
    return decodeBytes(encoding, text);
  } catch (cause) {
    if (isHiveLinkError(cause, 'HL_ERR_UNKNOWN_ENCODING')) throw cause;
    throw new HiveLinkError(
      'HL_ERR_INVALID_ENVELOPE',
      `encrypted envelope field "${field}" is not valid ${encoding}`,
      {
        cause,
      },
    );
  }
}

/**
 * Decrypts a parsed legacy JSON envelope; returns the plaintext bytes. Accepts the tag-less (Web Crypto) form,
 * where `tag` is absent or null and the last 16 bytes of `ciphertext` are the tag.
 *
 * @param nonces - when given, a nonce it has seen before is refused: `HL_ERR_REPLAYED`
 * @throws HiveLinkError `HL_ERR_INVALID_ENVELOPE` (not an object, a field missing, undecodable or of impossible
 *   length), `HL_ERR_DECRYPT_FAILED` (authentication failed), `HL_ERR_INVALID_KEY`, `HL_ERR_UNKNOWN_CIPHER`,
 *   `HL_ERR_UNKNOWN_ENCODING`
 */
export function decryptJsonEnvelope(
  backend: CryptoBackend,
  cipher: LegacyCipherName,
  encoding: EncodingName,
  key: Uint8Array,
  envelope: unknown,
  nonces?: NonceGuard,
): Uint8Array {
  const alg = checkCipherKey(cipher, key);
  if (!isEncryptedEnvelope(envelope)) {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ENVELOPE',
      'encrypted envelope must be an object with a "ciphertext"',
    );
  }
  const ciphertext = decodeField(encoding, envelope, 'ciphertext');
  const nonce = decodeField(encoding, envelope, 'nonce');
  if (!nonceAccepted(cipher, nonce.length)) {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ENVELOPE',
      `${cipher} nonce of ${nonce.length} bytes is impossible`,
    );
  }
  let sealed: Uint8Array;
  if (envelope.tag === undefined || envelope.tag === null) {
    if (ciphertext.length < AEAD_TAG_BYTES) {
      throw new HiveLinkError('HL_ERR_INVALID_ENVELOPE', 'tag-less ciphertext is shorter than a tag');
    }
    sealed = ciphertext;
  } else {
    const tag = decodeField(encoding, envelope, 'tag');
    if (tag.length !== AEAD_TAG_BYTES) {
      throw new HiveLinkError(
        'HL_ERR_INVALID_ENVELOPE',
        `tag must be ${AEAD_TAG_BYTES} bytes, got ${tag.length}`,
      );
    }
    sealed = concatBytes([ciphertext, tag]);
  }
  return admitted(open(backend, alg, key, nonce, sealed), nonce, nonces);
}

/** `plaintext`, unless `nonces` has seen `nonce` before: checked after authentication, so only real frames count. */
function admitted(plaintext: Uint8Array, nonce: Uint8Array, nonces: NonceGuard | undefined): Uint8Array {
  if (nonces !== undefined && !nonces.admit(nonce)) {
    throw new HiveLinkError('HL_ERR_REPLAYED', 'a legacy frame was replayed (its nonce was seen before)');
  }
  return plaintext;
}

/**
 * Encrypts `plaintext` (a bitstring) into a legacy binary frame: `nonce ‖ ciphertext ‖ tag`.
 *
 * @param nonce - for tests and known answers only; @default a fresh random nonce (16 bytes AES-GCM, 12 ChaCha20)
 * @throws HiveLinkError `HL_ERR_UNKNOWN_CIPHER`, `HL_ERR_INVALID_KEY`, `HL_ERR_INVALID_ARGUMENT`
 */
export function encryptBinaryFrame(
  backend: CryptoBackend,
  cipher: LegacyCipherName,
  key: Uint8Array,
  plaintext: Uint8Array,
  nonce?: Uint8Array,
): Uint8Array {
  const { iv, sealed } = seal(backend, cipher, key, plaintext, nonce);
  if (iv.length !== LEGACY_NONCE_BYTES[cipher]) {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ARGUMENT',
      `binary frames carry a ${LEGACY_NONCE_BYTES[cipher]}-byte nonce`,
    );
  }
  return concatBytes([iv, sealed]);
}

/**
 * Decrypts a legacy binary frame `nonce ‖ ciphertext ‖ tag`; returns the plaintext (a bitstring).
 *
 * @param nonces - when given, a nonce it has seen before is refused: `HL_ERR_REPLAYED`
 * @throws HiveLinkError `HL_ERR_INVALID_ENVELOPE` (shorter than nonce + tag), `HL_ERR_DECRYPT_FAILED`,
 *   `HL_ERR_INVALID_KEY`, `HL_ERR_UNKNOWN_CIPHER`
 */
export function decryptBinaryFrame(
  backend: CryptoBackend,
  cipher: LegacyCipherName,
  key: Uint8Array,
  frame: Uint8Array,
  nonces?: NonceGuard,
): Uint8Array {
  const alg = checkCipherKey(cipher, key);
  if (!(frame instanceof Uint8Array)) {
    throw new HiveLinkError('HL_ERR_INVALID_ENVELOPE', 'binary frame must be a Uint8Array');
  }
  const nonceBytes = LEGACY_NONCE_BYTES[cipher];
  if (frame.length < nonceBytes + AEAD_TAG_BYTES) {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ENVELOPE',
      `binary frame of ${frame.length} bytes is shorter than nonce and tag (${nonceBytes + AEAD_TAG_BYTES})`,
    );
  }
  const nonce = frame.subarray(0, nonceBytes);
  return admitted(open(backend, alg, key, nonce, frame.subarray(nonceBytes)), nonce, nonces);
}
