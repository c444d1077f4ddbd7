/**
 * Pairing codes (docs/PROTOCOL.md §17): what `hivelink pair` prints and `hivelink join CODE` types, and what both
 * sides derive from it. A code is 12 Crockford base32 characters, `IIII-SSSS-SSSS`: a 4-character id (20 bits,
 * public: it names the pending pairing in the access key `pair:<id>`) and an 8-character secret (40 bits, never
 * sent). The secret, with the id and the hub's node id, is the argon2id input of the Noise PSK of an XXpsk2
 * handshake ({@link pairingPskPassword}), so the code itself never crosses the wire.
 *
 * Reading a code forgives what people do: any case, dashes or spaces anywhere, `I`/`L` for `1` and `O` for `0`.
 *
 * @module
 */
import { HiveLinkError } from '../errors.js';

/** Crockford's base32 alphabet (no I, L, O, U). */
export const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Characters of the id part. */
export const PAIRING_ID_CHARS = 4;
/** Characters of the secret part (5 bits each: 40 bits). */
export const PAIRING_SECRET_CHARS = 8;
/** The access-key prefix of a joining satellite: `pair:<id>`. */
export const PAIRING_KEY_PREFIX = 'pair:';
/** The useragent a joining satellite presents. */
export const PAIRING_USERAGENT = 'hivelink-join';
/** The BUS message type the hub sends the new credentials in, inside the encrypted channel. */
export const PAIRING_IDENTITY_TYPE = 'hivelink.pair.identity';

/** A code split into its parts (upper case, no separators). */
export interface PairingCode {
  readonly id: string;
  readonly secret: string;
}

function randomChars(n: number): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(n));
  let out = '';
  for (const b of bytes) out += CROCKFORD[b & 31];
  return out;
}

/** A fresh code: a random id and a random secret (crypto randomness, 5 bits per character). */
export function newPairingCode(): PairingCode {
  return { id: randomChars(PAIRING_ID_CHARS), secret: randomChars(PAIRING_SECRET_CHARS) };
}

/** `IIII-SSSS-SSSS`, as people read it. */
export function formatPairingCode(code: PairingCode): string {
  return `${code.id}-${code.secret.slice(0, 4)}-${code.secret.slice(4)}`;
}

/** True when `id` is a well-formed pairing id (the part after `pair:`). */
export function isPairingId(id: string): boolean {
  return id.length === PAIRING_ID_CHARS && [...id].every((c) => CROCKFORD.includes(c));
}

/**
 * Reads a code as typed (see the module documentation).
 * @throws HiveLinkError `HL_ERR_PAIRING_CODE_INVALID` for anything that is not 12 base32 characters
 */
export function parsePairingCode(text: string): PairingCode {
  const clean = text.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
  const total = PAIRING_ID_CHARS + PAIRING_SECRET_CHARS;
  if (clean.length !== total || ![...clean].every((c) => CROCKFORD.includes(c))) {
    throw new HiveLinkError(
      'HL_ERR_PAIRING_CODE_INVALID',
      `not a pairing code: expected ${total} letters and digits like ABCD-EFGH-JKMN, as hivelink pair prints`,
    );
  }
  return { id: clean.slice(0, PAIRING_ID_CHARS), secret: clean.slice(PAIRING_ID_CHARS) };
}

/**
 * The "password" both sides feed the v3 PSK derivation (argon2id, salted with the hub's node id, §3.5): the id binds
 * the PSK to this one pairing.
 */
export function pairingPskPassword(code: PairingCode): string {
  return `hivelink-pair:${code.id}:${code.secret}`;
}

/** The pairing id named by an access key `pair:<id>`, or null for any other key. */
export function pairingIdOfKey(accessKey: string): string | null {
  if (!accessKey.startsWith(PAIRING_KEY_PREFIX)) return null;
  const id = accessKey.slice(PAIRING_KEY_PREFIX.length);
  return isPairingId(id) ? id : null;
}

/** The link a QR code carries: `hivelink://join?code=…&url=…` (the hub URL is optional). */
export function pairingLink(code: PairingCode, hubUrl: string | null): string {
  const params = new URLSearchParams({ code: formatPairingCode(code) });
  if (hubUrl !== null) params.set('url', hubUrl);
  return `hivelink://join?${params.toString()}`;
}

/**
 * The code and hub URL of a `hivelink://join?…` link, so `hivelink join` takes a scanned link as well as a code;
 * null when `text` is not such a link.
 */
export function readPairingLink(text: string): { code: string; url: string | null } | null {
  if (!text.startsWith('hivelink://join?')) return null;
  const params = new URLSearchParams(text.slice('hivelink://join?'.length));
  const code = params.get('code');
  return code === null ? null : { code, url: params.get('url') };
}

/** A pairing refusal as the hub writes it in the close reason: `HL_ERR_…: message`. */
export const PAIRING_REASON = /^(HL_ERR_PAIRING_[A-Z_]+): (.*)$/s;
