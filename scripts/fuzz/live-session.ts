/**
 * The client side of a live fuzz session, written out (rather than the SDK's ClientHandshake) because the fuzzer
 * needs what the SDK keeps private: the legacy session key and the v3 cipher states, to seal plaintext that is not
 * a valid message, and v3 frames with any marker.
 *
 * @module
 */
import type { CryptoBackend, X25519KeyPair } from '../../src/crypto/backend.js';
import {
  encryptBinaryFrame,
  encryptJsonEnvelope,
  isLegacyCipherName,
  type LegacyCipherName,
} from '../../src/crypto/legacy-cipher.js';
import {
  buildNoisePrologue,
  type CipherState,
  NoiseHandshake,
  type NoisePattern,
  type NoiseSuite,
  noiseProtocolName,
} from '../../src/crypto/noise/index.js';
import {
  deriveSalt,
  deriveSessionKey,
  makeEnvelope,
  verifyEnvelope,
} from '../../src/crypto/password-handshake.js';
import { decodeBytes, type EncodingName, encodeBytes, isEncodingName } from '../../src/protocol/encodings.js';
import { canonicalJson, type JsonObject } from '../../src/protocol/json.js';
import {
  createHiveMessage,
  type HiveMessage,
  parseHiveMessage,
  serializeHiveMessage,
} from '../../src/protocol/message.js';
import { HiveMessageType } from '../../src/protocol/message-types.js';
import { encodeUtf8, LegacyChannel, V3Channel } from '../../src/session/channel.js';
import type { SecureChannel, WireFrame } from '../../src/session/types.js';
import { V3Transport } from '../../src/session/v3-transport.js';
import type { FuzzConn } from './live-conn.js';
import type { Rng } from './rng.js';

/** An open session the fuzzer can push anything through. */
export interface FuzzSession {
  readonly version: 2 | 3;
  /** Opens the hub's frames (and seals valid messages). */
  readonly channel: SecureChannel;
  /** Seals arbitrary bytes as a JSON message body. */
  sealJson(bytes: Uint8Array): WireFrame[];
  /** Seals arbitrary bytes as a bitstring. */
  sealBitstring(bytes: Uint8Array): WireFrame[];
  /** v3: one transport frame around any plaintext (marker byte included); legacy: a binary frame around it. */
  sealRaw(plaintext: Uint8Array): WireFrame;
  /** The hub's Noise static key, after a v3 handshake. */
  readonly hubKey: Uint8Array | null;
}

const TIMEOUT_MS = 10_000;

/** The HELLO and HANDSHAKE request the hub opens with (parsed), or null when it closed or sent something else. */
export async function readOpening(
  conn: FuzzConn,
): Promise<{ hello: JsonObject; request: JsonObject } | null> {
  const first = await clearMessage(conn);
  const second = await clearMessage(conn);
  if (first?.msg_type !== HiveMessageType.HELLO || second?.msg_type !== HiveMessageType.HANDSHAKE)
    return null;
  return { hello: first.payload as JsonObject, request: second.payload as JsonObject };
}

async function clearMessage(conn: FuzzConn): Promise<HiveMessage | null> {
  const frame = await conn.next(TIMEOUT_MS);
  if (frame === null || frame.kind !== 'text') return null;
  return parseHiveMessage(frame.text);
}

function sendClear(conn: FuzzConn, message: HiveMessage): void {
  conn.send({ kind: 'text', text: serializeHiveMessage(message) });
}

export interface LegacyOptions {
  readonly backend: CryptoBackend;
  readonly password: string;
  readonly binarize: boolean;
  readonly encoding: EncodingName;
  readonly cipher: LegacyCipherName;
}

/** The legacy password handshake after the opening; null when the hub closed or refused. */
export async function legacyHandshake(conn: FuzzConn, o: LegacyOptions): Promise<FuzzSession | null> {
  if ((await readOpening(conn)) === null) return null;
  const envelope = makeEnvelope(o.backend, o.password);
  sendClear(
    conn,
    createHiveMessage(HiveMessageType.HANDSHAKE, {
      binarize: o.binarize,
      encodings: [o.encoding],
      ciphers: [o.cipher],
      envelope,
    }),
  );
  const reply = await clearMessage(conn);
  const payload = reply?.payload as JsonObject | undefined;
  if (payload === undefined || typeof payload.envelope !== 'string') return null;
  if (!verifyEnvelope(o.backend, o.password, payload.envelope)) return null;
  const encoding = payload.encoding;
  const cipher = payload.cipher;
  if (typeof encoding !== 'string' || !isEncodingName(encoding) || !isLegacyCipherName(cipher)) return null;
  const key = await deriveSessionKey(o.backend, o.password, deriveSalt(envelope, payload.envelope));
  const channel = new LegacyChannel(o.backend, { key, cipher, encoding, binarize: o.binarize });
  return {
    version: 2,
    channel,
    hubKey: null,
    sealJson: (bytes) => [
      { kind: 'text', text: encryptJsonEnvelope(o.backend, cipher, encoding, key, bytes) },
    ],
    sealBitstring: (bytes) => [{ kind: 'binary', data: encryptBinaryFrame(o.backend, cipher, key, bytes) }],
    sealRaw: (plaintext) => ({ kind: 'binary', data: encryptBinaryFrame(o.backend, cipher, key, plaintext) }),
  };
}

export interface V3Options {
  readonly backend: CryptoBackend;
  readonly psk: Uint8Array;
  readonly staticKeyPair: X25519KeyPair;
  /** The hub's key from an earlier session: KKpsk0 becomes possible. */
  readonly pinnedHubKey: Uint8Array | null;
  readonly binarize: boolean;
  readonly rng: Rng;
}

/** The Noise v3 handshake (XXpsk2, or KKpsk0 with a pinned hub key) after the opening; null on refusal. */
export async function v3Handshake(conn: FuzzConn, o: V3Options): Promise<FuzzSession | null> {
  const opening = await readOpening(conn);
  if (opening === null) return null;
  const offer = opening.request.noise as { patterns?: string[]; suites?: string[] } | undefined;
  if (offer === undefined || !Array.isArray(offer.suites) || !Array.isArray(offer.patterns)) return null;
  const suite = o.rng.pick(offer.suites) as NoiseSuite;
  const pattern: NoisePattern =
    o.pinnedHubKey !== null && offer.patterns.includes('KKpsk0') && o.rng.chance(0.5) ? 'KKpsk0' : 'XXpsk2';
  const hs = new NoiseHandshake(o.backend, {
    pattern,
    suite,
    role: 'initiator',
    prologue: buildNoisePrologue(opening.hello, opening.request, noiseProtocolName(pattern, suite)),
    psk: o.psk,
    staticKeyPair: o.staticKeyPair,
    ...(pattern === 'KKpsk0' ? { remoteStaticPublicKey: o.pinnedHubKey } : {}),
  });
  const msg1 = hs.writeMessage(encodeUtf8(canonicalJson({ binarize: o.binarize, encodings: ['JSON-HEX'] })));
  sendClear(
    conn,
    createHiveMessage(HiveMessageType.HANDSHAKE, {
      noise: { pattern, suite, msg: encodeBytes('JSON-HEX', msg1) },
    }),
  );
  const reply = await clearMessage(conn);
  const noise = (reply?.payload as JsonObject | undefined)?.noise as JsonObject | undefined;
  if (typeof noise?.msg !== 'string') return null;
  hs.readMessage(decodeBytes('JSON-HEX', noise.msg));
  if (!hs.complete) {
    const msg3 = hs.writeMessage(new Uint8Array(0));
    sendClear(
      conn,
      createHiveMessage(HiveMessageType.HANDSHAKE, { noise: { msg: encodeBytes('JSON-HEX', msg3) } }),
    );
  }
  const hubKey = hs.remoteStaticPublicKey();
  const { send, receive } = hs.split();
  const transport = new V3Transport({ send, receive });
  const channel = new V3Channel({ transport, suite, binarize: o.binarize, zlib: o.backend.zlib });
  const frames = (data: Uint8Array[]): WireFrame[] => data.map((d) => ({ kind: 'binary', data: d }));
  return {
    version: 3,
    channel,
    hubKey,
    sealJson: (bytes) => frames(transport.seal('json', bytes)),
    sealBitstring: (bytes) => frames(transport.seal('bitstring', bytes)),
    sealRaw: (plaintext) => ({ kind: 'binary', data: (send as CipherState).encrypt(plaintext) }),
  };
}

/** The client HELLO every session sends first, through the channel. */
export function clientHello(lane: number, n: number): HiveMessage {
  return createHiveMessage(HiveMessageType.HELLO, {
    pubkey: '',
    session: { session_id: `fuzz-${lane}-${n}` },
    site_id: 'fuzz',
  });
}
