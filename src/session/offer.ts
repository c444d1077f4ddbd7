/**
 * What a hub advertises in its HANDSHAKE request (docs/PROTOCOL.md §2.1), and the pieces both handshake roles share.
 *
 * @module
 */
import type { LegacyCipherName } from '../crypto/legacy-cipher.js';
import type { NoisePattern, NoiseSuite } from '../crypto/noise/index.js';
import { HiveLinkError } from '../errors.js';
import { decodeBytes, type EncodingName, encodeBytes } from '../protocol/encodings.js';
import { isJsonObject, type JsonObject } from '../protocol/json.js';
import type { ProtocolVersion } from './types.js';

/** The hub's offer to one client. */
export interface HandshakeOffer {
  /** Lowest protocol generation the hub accepts from this client (2 = legacy password, 3 = Noise only). */
  minProtocol: ProtocolVersion;
  /** Highest generation offered: 3 when Noise is available for this client. */
  maxProtocol: ProtocolVersion;
  /** The hub's preference for bitstring framing; the client's echo decides. */
  binarize: boolean;
  /** Encodings the hub allows, in its preference order. */
  encodings: readonly EncodingName[];
  /** Ciphers the hub allows, in its preference order. */
  ciphers: readonly LegacyCipherName[];
  /** Noise patterns and suites, or null when v3 is not offered. */
  noise: { patterns: readonly NoisePattern[]; suites: readonly NoiseSuite[] } | null;
}

/**
 * The HANDSHAKE request payload: the legacy keys every deployed client reads, plus `noise` for v3 clients.
 * The object returned is the exact object sent; v3 binds it into the Noise prologue.
 */
export function handshakeRequestPayload(offer: HandshakeOffer): JsonObject {
  const payload: JsonObject = {
    handshake: true,
    min_protocol_version: offer.minProtocol,
    max_protocol_version: offer.maxProtocol,
    binarize: offer.binarize,
    preshared_key: false,
    password: true,
    crypto_required: true,
    encodings: [...offer.encodings],
    ciphers: [...offer.ciphers],
  };
  if (offer.noise !== null && offer.maxProtocol >= 3) {
    payload.noise = { patterns: [...offer.noise.patterns], suites: [...offer.noise.suites] };
  }
  return payload;
}

/** The `noise` object of a HANDSHAKE payload, if it has one. */
export function noiseField(payload: unknown): JsonObject | null {
  if (!isJsonObject(payload)) return null;
  const noise = payload.noise;
  return isJsonObject(noise) ? noise : null;
}

/** A list of strings from a payload field, or `fallback` when absent; anything else is a handshake error. */
export function stringList(value: unknown, field: string, fallback: readonly string[]): string[] {
  if (value === undefined || value === null) return [...fallback];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new HiveLinkError(
      'HL_ERR_HANDSHAKE_UNEXPECTED',
      `handshake field "${field}" must be a list of strings`,
    );
  }
  return value as string[];
}

export function toHex(bytes: Uint8Array): string {
  return encodeBytes('JSON-HEX', bytes);
}

/** Hex-decodes a Noise message field; a missing or malformed one is a handshake error. */
export function noiseMessageBytes(noise: JsonObject, stage: string): Uint8Array {
  const msg = noise.msg;
  if (typeof msg !== 'string' || msg.length === 0) {
    throw new HiveLinkError('HL_ERR_NOISE_STATE', 'noise handshake message without "msg"', { stage });
  }
  try {
    return decodeBytes('JSON-HEX', msg);
  } catch (cause) {
    throw new HiveLinkError('HL_ERR_NOISE_STATE', 'noise handshake "msg" is not hex', { stage, cause });
  }
}
