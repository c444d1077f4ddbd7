/**
 * The v1/v2 password handshake (docs/PROTOCOL.md §3.2): each side proves knowledge of the password with an envelope
 * `hex(iv8 ‖ SHA256(iv8 ‖ utf8(password)))[:48]`, the two IVs XOR into a salt, and the session key is
 * `PBKDF2-HMAC-SHA256(utf8(password), salt, 100000, 32)`.
 *
 * Unlike the reference hub, {@link PasswordHandshake} verifies the peer's envelope on **both** roles, so a wrong
 * password fails at the handshake with `HL_ERR_HANDSHAKE_VERIFY_FAILED` instead of as AEAD failures later.
 *
 * ```
 *  client: createEnvelope() ─send─▶            hub: receiveEnvelope(client) → key
 *          receiveEnvelope(hub) → key  ◀─send─      createEnvelope()
 * ```
 *
 * @module
 */
import { HiveLinkError } from '../errors.js';
import type { CryptoBackend } from './backend.js';

/** IV length of an envelope, in bytes. */
export const ENVELOPE_IV_BYTES = 8;
/** Length of the envelope a sender makes, in hex characters (16 for the IV, 32 of the digest). */
export const ENVELOPE_HEX_LENGTH = 48;
/** Longest envelope a verifier accepts: the IV and the whole digest (the reference accepts 48–80). */
export const ENVELOPE_MAX_HEX_LENGTH = 80;
/** PBKDF2 iterations of the legacy session key. */
export const SESSION_KEY_ITERATIONS = 100_000;
/** Length of the legacy session key, in bytes. */
export const SESSION_KEY_BYTES = 32;

const utf8 = new TextEncoder();
const HEX_RE = /^[0-9a-fA-F]*$/;

function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** Parses even-length hex; returns null for anything else. */
function fromHex(text: string): Uint8Array | null {
  if (text.length % 2 !== 0 || !HEX_RE.test(text)) return null;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function checkPassword(password: unknown): asserts password is string {
  if (typeof password !== 'string')
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'password must be a string');
}

/** `hex(iv ‖ SHA256(iv ‖ utf8(password)))`, the full 80-character form. */
function fullEnvelope(backend: CryptoBackend, password: string, iv: Uint8Array): string {
  const pw = utf8.encode(password);
  const input = new Uint8Array(iv.length + pw.length);
  input.set(iv);
  input.set(pw, iv.length);
  return toHex(iv) + toHex(backend.sha256(input));
}

/** Equal-length string compare whose time does not depend on where the strings differ. */
function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Makes a password envelope: 48 lowercase hex characters, `hex(iv)` then the first 32 hex of
 * `SHA256(iv ‖ utf8(password))`.
 *
 * @param iv - 8 bytes; @default 8 fresh random bytes
 * @throws HiveLinkError `HL_ERR_INVALID_ARGUMENT` for an IV that is not 8 bytes or a non-string password
 */
export function makeEnvelope(backend: CryptoBackend, password: string, iv?: Uint8Array): string {
  checkPassword(password);
  const ivBytes = iv ?? backend.randomBytes(ENVELOPE_IV_BYTES);
  if (!(ivBytes instanceof Uint8Array) || ivBytes.length !== ENVELOPE_IV_BYTES) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `envelope IV must be ${ENVELOPE_IV_BYTES} bytes`);
  }
  return fullEnvelope(backend, password, ivBytes).slice(0, ENVELOPE_HEX_LENGTH);
}

/**
 * True when `envelope` proves knowledge of `password`: 48–80 hex characters whose first 16 are the IV and the rest
 * a prefix of the lowercase hex digest. Compares in constant time; never throws for junk (returns false).
 */
export function verifyEnvelope(backend: CryptoBackend, password: string, envelope: unknown): boolean {
  if (typeof password !== 'string' || typeof envelope !== 'string') return false;
  if (envelope.length < ENVELOPE_HEX_LENGTH || envelope.length > ENVELOPE_MAX_HEX_LENGTH) return false;
  const iv = fromHex(envelope.slice(0, 2 * ENVELOPE_IV_BYTES));
  if (iv === null) return false;
  const expected = fullEnvelope(backend, password, iv).slice(0, envelope.length);
  return constantTimeEqual(expected, envelope);
}

function envelopeIv(envelope: string, which: string): Uint8Array {
  const iv = typeof envelope === 'string' ? fromHex(envelope.slice(0, 2 * ENVELOPE_IV_BYTES)) : null;
  if (iv === null || iv.length !== ENVELOPE_IV_BYTES) {
    throw new HiveLinkError(
      'HL_ERR_HANDSHAKE_VERIFY_FAILED',
      `${which} envelope does not start with a hex IV`,
    );
  }
  return iv;
}

/**
 * The session salt: the bytewise XOR of the two envelopes' 8-byte IVs (order does not matter).
 *
 * @throws HiveLinkError `HL_ERR_HANDSHAKE_VERIFY_FAILED` if an envelope does not start with 16 hex characters
 */
export function deriveSalt(envelopeA: string, envelopeB: string): Uint8Array {
  const a = envelopeIv(envelopeA, 'first');
  const b = envelopeIv(envelopeB, 'second');
  const salt = new Uint8Array(ENVELOPE_IV_BYTES);
  for (let i = 0; i < ENVELOPE_IV_BYTES; i++) salt[i] = a[i]! ^ b[i]!;
  return salt;
}

/** The legacy session key: `PBKDF2-HMAC-SHA256(utf8(password), salt, 100000, 32)`. */
export function deriveSessionKey(
  backend: CryptoBackend,
  password: string,
  salt: Uint8Array,
): Promise<Uint8Array> {
  checkPassword(password);
  return backend.pbkdf2Sha256(utf8.encode(password), salt, SESSION_KEY_ITERATIONS, SESSION_KEY_BYTES);
}

/**
 * Picks the first entry of the client's list that the hub allows, in **client** order (what the reference hub
 * does for encodings and ciphers). Non-string entries are skipped.
 *
 * @param what - named in the error, e.g. `'encoding'`
 * @throws HiveLinkError `HL_ERR_NEGOTIATION_FAILED` when nothing is in common
 */
export function negotiate<T extends string>(
  clientOrder: readonly string[],
  allowed: readonly T[],
  what: string,
): T {
  if (Array.isArray(clientOrder)) {
    for (const entry of clientOrder) {
      const hit = allowed.find((candidate) => candidate === entry);
      if (hit !== undefined) return hit;
    }
  }
  throw new HiveLinkError(
    'HL_ERR_NEGOTIATION_FAILED',
    `no ${what} in common (hub allows ${allowed.join(', ')})`,
    {
      stage: `negotiate.${what}`,
    },
  );
}

/** Which side of the password handshake this object plays. */
export type PasswordHandshakeRole = 'client' | 'hub';

export interface PasswordHandshakeInit {
  readonly backend: CryptoBackend;
  readonly role: PasswordHandshakeRole;
  readonly password: string;
  /** This side's envelope IV, for known-answer tests. @default 8 fresh random bytes */
  readonly iv?: Uint8Array;
}

/**
 * One side of a password handshake. `createEnvelope()` returns this side's envelope (made once, the same on every
 * call); `receiveEnvelope()` verifies the peer's and resolves to the 32-byte session key. Either order works, so the
 * hub can verify the client before it answers. A second `receiveEnvelope()` is refused.
 */
export class PasswordHandshake {
  readonly role: PasswordHandshakeRole;
  readonly #backend: CryptoBackend;
  readonly #password: string;
  readonly #iv: Uint8Array | undefined;
  #envelope: string | undefined;
  #received = false;

  constructor(init: PasswordHandshakeInit) {
    if (init.role !== 'client' && init.role !== 'hub') {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'role must be "client" or "hub"');
    }
    checkPassword(init.password);
    this.role = init.role;
    this.#backend = init.backend;
    this.#password = init.password;
    this.#iv = init.iv;
  }

  /** This side's 48-hex envelope. */
  createEnvelope(): string {
    this.#envelope ??= makeEnvelope(this.#backend, this.#password, this.#iv);
    return this.#envelope;
  }

  /**
   * Verifies the peer's envelope and derives the session key.
   *
   * @throws HiveLinkError `HL_ERR_HANDSHAKE_VERIFY_FAILED` (stage `password.<role>.verifyPeerEnvelope`) when the
   *   envelope does not prove the password; `HL_ERR_INVALID_ARGUMENT` when called twice
   */
  async receiveEnvelope(peerEnvelope: unknown): Promise<Uint8Array> {
    const stage = `password.${this.role}.verifyPeerEnvelope`;
    if (this.#received) {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'the peer envelope was already received', { stage });
    }
    this.#received = true;
    if (!verifyEnvelope(this.#backend, this.#password, peerEnvelope) || typeof peerEnvelope !== 'string') {
      const peer = this.role === 'hub' ? 'client' : 'hub';
      throw new HiveLinkError(
        'HL_ERR_HANDSHAKE_VERIFY_FAILED',
        `password handshake verification failed (${peer} envelope)`,
        {
          stage,
        },
      );
    }
    const salt = deriveSalt(this.createEnvelope(), peerEnvelope);
    return deriveSessionKey(this.#backend, this.#password, salt);
  }
}
