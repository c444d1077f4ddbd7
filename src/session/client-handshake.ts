/**
 * The client (initiator) side of the opening: reads the hub's HELLO and HANDSHAKE request, picks Noise v3 when
 * both sides can (or the legacy password handshake), and yields the secure channel plus the hub's Noise key to pin.
 *
 * ```
 *  AWAITING_HELLO ──HELLO──▶ AWAITING_REQUEST ──request──▶ AWAITING_RESPONSE ──response──▶ ESTABLISHED
 *                                                   (v3 XX: the response step also sends msg3)
 * ```
 *
 * @module
 */
import type { CryptoBackend, X25519KeyPair } from '../crypto/backend.js';
import { isLegacyCipherName, LEGACY_CIPHERS, type LegacyCipherName } from '../crypto/legacy-cipher.js';
import {
  buildNoisePrologue,
  NoiseHandshake,
  type NoisePattern,
  type NoiseSuite,
  noiseProtocolName,
  selectNoiseOffer,
} from '../crypto/noise/index.js';
import { deriveSalt, deriveSessionKey, makeEnvelope, verifyEnvelope } from '../crypto/password-handshake.js';
import { HiveLinkError } from '../errors.js';
import { ENCODING_NAMES, type EncodingName, isEncodingName } from '../protocol/encodings.js';
import { canonicalJson, isJsonObject, type JsonObject, shownValue } from '../protocol/json.js';
import { createHiveMessage, type HiveMessage } from '../protocol/message.js';
import { HiveMessageType } from '../protocol/message-types.js';
import { type ChannelLimits, encodeUtf8, LegacyChannel, V3Channel } from './channel.js';
import { equalBytes, parseNoisePayload } from './hub-handshake.js';
import { noiseField, noiseMessageBytes, stringList, toHex } from './offer.js';
import type { HubHelloPayload, ProtocolVersion, SecureChannel } from './types.js';
import { V3Transport } from './v3-transport.js';

/** Which generation the client may use: `auto` prefers v3 when the hub offers it. */
export type ProtocolChoice = 'auto' | 'legacy' | 'v3';

export interface ClientHandshakeInit {
  backend: CryptoBackend;
  /** The client's password. Required for legacy; for v3 a provisioned `psk` can replace it. */
  password: string | null;
  /** A provisioned v3 PSK (32 bytes); otherwise derived from the password and the hub's node id. */
  psk?: Uint8Array | null;
  /** Derives the v3 PSK from password and node id (argon2id); injected so callers can cache it. */
  derivePsk: (password: string, nodeId: string) => Promise<Uint8Array>;
  protocol?: ProtocolChoice;
  /** Noise suites in preference order. @default ['25519_ChaChaPoly_SHA256', '25519_AESGCM_SHA256'] */
  suites?: NoiseSuite[];
  /** Encodings in preference order (legacy). @default every encoding, {@link DEFAULT_LEGACY_ENCODINGS} */
  encodings?: EncodingName[];
  /** Ciphers in preference order (legacy). @default ['AES-GCM', 'CHACHA20-POLY1305'] */
  ciphers?: LegacyCipherName[];
  /** Ask for bitstring framing. @default false */
  binarize?: boolean;
  /** The hub's pinned Noise static key for this host:port (enables KKpsk0 and is enforced). */
  pinnedHubKey: Uint8Array | null;
  /**
   * A Noise key is pinned for this hub, even when this attempt does not use it (the XXpsk2 retry after a failed
   * KKpsk0). With `protocol: 'auto'` the legacy fallback is then refused unless {@link allowLegacyFallback}.
   * @default pinnedHubKey !== null
   */
  hubKeyPinned?: boolean;
  /**
   * Let `protocol: 'auto'` fall back to the legacy password handshake with a hub whose Noise key is pinned. Off by
   * default: such a hub spoke v3 before, so an offer without Noise is what a downgrade attack looks like.
   * @default false
   */
  allowLegacyFallback?: boolean;
  /** This client's Noise static key. */
  staticKeyPair: X25519KeyPair;
  limits?: ChannelLimits & { chunkBytes?: number; maxReassemblyBytes?: number };
}

export type ClientHandshakeStep =
  | { type: 'none' }
  /** Send `send` (cleartext HANDSHAKE) and keep waiting. */
  | { type: 'send'; send: HiveMessage }
  /** Send `send` if present (cleartext), then switch to `channel` and send HELLO through it. */
  | {
      type: 'established';
      send: HiveMessage | null;
      channel: SecureChannel;
      protocolVersion: ProtocolVersion;
      /** The hub's Noise static key after a v3 handshake (pin it for this host:port). */
      hubNoiseKey: Uint8Array | null;
      pattern: NoisePattern | null;
    };

type State =
  | 'awaiting-hello'
  | 'awaiting-request'
  | 'awaiting-legacy'
  | 'awaiting-noise'
  | 'established'
  | 'failed';

/**
 * What a legacy client offers when not told otherwise: every encoding it reads, the compact ones first, so it joins a
 * hub that allows any of them (a HiveMind hub may allow only one).
 */
export const DEFAULT_LEGACY_ENCODINGS: readonly EncodingName[] = Object.freeze([
  'JSON-B64',
  'JSON-HEX',
  ...ENCODING_NAMES.filter((e) => e !== 'JSON-B64' && e !== 'JSON-HEX'),
]);

/**
 * `ours`, in our order, narrowed to what the hub's HANDSHAKE request says it allows (`theirs`; absent: everything).
 * @throws HiveLinkError `HL_ERR_NEGOTIATION_FAILED` "no encoding in common" naming both lists, when nothing is left
 */
function inCommon<T extends string>(what: string, ours: readonly T[], theirs: unknown): T[] {
  if (!Array.isArray(theirs)) return [...ours];
  const common = ours.filter((x) => theirs.includes(x));
  if (common.length === 0) {
    throw new HiveLinkError(
      'HL_ERR_NEGOTIATION_FAILED',
      `no ${what} in common: the hub allows ${theirs.map(String).join(', ') || 'none'}, this client offers ${ours.join(', ')} (--${what})`,
      { stage: 'client-handshake.offer' },
    );
  }
  return common;
}
export class ClientHandshake {
  readonly #init: ClientHandshakeInit;
  #state: State = 'awaiting-hello';
  #hello: JsonObject | null = null;
  #envelope = '';
  #noise: NoiseHandshake | null = null;
  #pattern: NoisePattern | null = null;
  #suite: NoiseSuite | null = null;

  constructor(init: ClientHandshakeInit) {
    this.#init = init;
  }

  /** The hub's HELLO payload (peer id, node id, RSA public key), once received. */
  get hubHello(): HubHelloPayload | null {
    if (this.#hello === null) return null;
    return {
      pubkey: primitiveText(this.#hello.pubkey),
      peer: primitiveText(this.#hello.peer),
      node_id: primitiveText(this.#hello.node_id),
    };
  }

  get established(): boolean {
    return this.#state === 'established';
  }

  /** Handles one cleartext message from the hub. Throws HiveLinkError on failure; the object is then dead. */
  async handle(message: HiveMessage): Promise<ClientHandshakeStep> {
    if (this.#state === 'failed') throw unexpected('handshake already failed');
    try {
      return await this.#dispatch(message);
    } catch (err) {
      this.#state = 'failed';
      throw err;
    }
  }

  async #dispatch(message: HiveMessage): Promise<ClientHandshakeStep> {
    const payload = message.payload;
    if (!isJsonObject(payload)) throw unexpected('handshake payload must be an object');
    if (message.msg_type === HiveMessageType.HELLO) {
      if (this.#state !== 'awaiting-hello') return { type: 'none' }; // a repeated HELLO changes nothing
      this.#hello = payload;
      this.#state = 'awaiting-request';
      return { type: 'none' };
    }
    if (message.msg_type !== HiveMessageType.HANDSHAKE) {
      throw unexpected(`unexpected "${message.msg_type}" before the handshake completed`);
    }
    switch (this.#state) {
      case 'awaiting-request':
        return this.#start(payload);
      case 'awaiting-legacy':
        return this.#finishLegacy(payload);
      case 'awaiting-noise':
        return this.#finishNoise(payload);
      default:
        throw unexpected(`unexpected HANDSHAKE in state ${this.#state}`);
    }
  }

  async #start(request: JsonObject): Promise<ClientHandshakeStep> {
    const init = this.#init;
    const choice = init.protocol ?? 'auto';
    const maxVersion = typeof request.max_protocol_version === 'number' ? request.max_protocol_version : 1;
    const offer = noiseField(request);
    const canV3 = init.password !== null || (init.psk !== undefined && init.psk !== null);
    const selected =
      choice !== 'legacy' && maxVersion >= 3 && offer !== null && canV3
        ? selectNoiseOffer(
            {
              patterns: stringList(offer.patterns, 'noise.patterns', []),
              suites: stringList(offer.suites, 'noise.suites', []),
            },
            { ...(init.suites ? { suites: init.suites } : {}), pinnedServerKey: init.pinnedHubKey },
          )
        : null;
    if (selected !== null) return this.#startNoise(request, selected.pattern, selected.suite);
    if (choice === 'v3') {
      throw new HiveLinkError(
        'HL_ERR_NEGOTIATION_FAILED',
        'the hub does not offer a Noise v3 handshake we support',
      );
    }
    const pinned = init.hubKeyPinned ?? init.pinnedHubKey !== null;
    if (choice === 'auto' && pinned && init.allowLegacyFallback !== true) {
      throw new HiveLinkError(
        'HL_ERR_DOWNGRADE_REFUSED',
        "the hub's Noise key is pinned, but it offered no Noise handshake this client supports: refusing to fall back to the legacy handshake (a downgrade?); allow it with allowLegacyFallback (--allow-legacy-fallback)",
        { stage: 'client-handshake.offer' },
      );
    }
    if (init.password === null) {
      throw new HiveLinkError('HL_ERR_NEGOTIATION_FAILED', 'the legacy handshake needs a password');
    }
    if (request.password === false) {
      throw new HiveLinkError('HL_ERR_NEGOTIATION_FAILED', 'the hub does not offer the password handshake');
    }
    const encodings = inCommon('encoding', init.encodings ?? DEFAULT_LEGACY_ENCODINGS, request.encodings);
    const ciphers = inCommon('cipher', init.ciphers ?? LEGACY_CIPHERS, request.ciphers);
    this.#envelope = makeEnvelope(init.backend, init.password);
    this.#state = 'awaiting-legacy';
    return {
      type: 'send',
      send: createHiveMessage(HiveMessageType.HANDSHAKE, {
        binarize: init.binarize ?? false,
        encodings,
        ciphers,
        envelope: this.#envelope,
      }),
    };
  }

  async #startNoise(
    request: JsonObject,
    pattern: NoisePattern,
    suite: NoiseSuite,
  ): Promise<ClientHandshakeStep> {
    const init = this.#init;
    const nodeId = this.#hello?.node_id ?? '';
    if (typeof nodeId !== 'string') throw unexpected("the hub's HELLO node_id is not a string");
    const psk = init.psk ?? (await init.derivePsk(init.password!, nodeId));
    const protocolName = noiseProtocolName(pattern, suite);
    const hs = new NoiseHandshake(init.backend, {
      pattern,
      suite,
      role: 'initiator',
      prologue: buildNoisePrologue(this.#hello ?? {}, request, protocolName),
      psk,
      staticKeyPair: init.staticKeyPair,
      ...(pattern === 'KKpsk0' ? { remoteStaticPublicKey: init.pinnedHubKey! } : {}),
    });
    const encodings = [...(init.encodings ?? ['JSON-HEX'])];
    const msg1 = hs.writeMessage(encodeUtf8(canonicalJson({ binarize: init.binarize ?? false, encodings })));
    this.#noise = hs;
    this.#pattern = pattern;
    this.#suite = suite;
    this.#state = 'awaiting-noise';
    return {
      type: 'send',
      send: createHiveMessage(HiveMessageType.HANDSHAKE, { noise: { pattern, suite, msg: toHex(msg1) } }),
    };
  }

  async #finishLegacy(response: JsonObject): Promise<ClientHandshakeStep> {
    const init = this.#init;
    const serverEnvelope = response.envelope;
    if (typeof serverEnvelope !== 'string') throw unexpected('legacy handshake response without envelope');
    if (!verifyEnvelope(init.backend, init.password!, serverEnvelope)) {
      throw new HiveLinkError(
        'HL_ERR_HANDSHAKE_VERIFY_FAILED',
        "the hub's password proof is wrong: wrong password",
        {
          stage: 'client-handshake.legacy',
        },
      );
    }
    const encoding = response.encoding ?? 'JSON-HEX';
    const cipher = response.cipher ?? 'AES-GCM';
    if (typeof encoding !== 'string' || !isEncodingName(encoding)) {
      throw new HiveLinkError(
        'HL_ERR_NEGOTIATION_FAILED',
        `the hub chose an unknown encoding ${shownValue(encoding)}`,
      );
    }
    if (typeof cipher !== 'string' || !isLegacyCipherName(cipher)) {
      throw new HiveLinkError(
        'HL_ERR_NEGOTIATION_FAILED',
        `the hub chose an unknown cipher ${shownValue(cipher)}`,
      );
    }
    const key = await deriveSessionKey(
      init.backend,
      init.password!,
      deriveSalt(this.#envelope, serverEnvelope),
    );
    this.#state = 'established';
    return {
      type: 'established',
      send: null,
      channel: new LegacyChannel(init.backend, {
        key,
        cipher,
        encoding,
        binarize: init.binarize ?? false,
        ...init.limits,
      }),
      protocolVersion: 2,
      hubNoiseKey: null,
      pattern: null,
    };
  }

  #finishNoise(response: JsonObject): ClientHandshakeStep {
    const hs = this.#noise!;
    const noise = noiseField(response);
    if (noise === null) throw unexpected('Noise handshake response without "noise"');
    parseNoisePayload(hs.readMessage(noiseMessageBytes(noise, 'client-handshake.msg2')));
    let send: HiveMessage | null = null;
    if (!hs.complete) {
      const msg3 = hs.writeMessage(new Uint8Array(0));
      send = createHiveMessage(HiveMessageType.HANDSHAKE, { noise: { msg: toHex(msg3) } });
    }
    const hubKey = hs.remoteStaticPublicKey();
    const pinned = this.#init.pinnedHubKey;
    if (pinned !== null && (hubKey === null || !equalBytes(pinned, hubKey))) {
      throw new HiveLinkError(
        'HL_ERR_NOISE_KEY_MISMATCH',
        "the hub's Noise key differs from the pinned key",
        {
          stage: 'client-handshake.msg2',
        },
      );
    }
    const { send: sendCipher, receive } = hs.split();
    const limits = this.#init.limits ?? {};
    const transport = new V3Transport(
      { send: sendCipher, receive },
      {
        ...(limits.chunkBytes === undefined ? {} : { chunkBytes: limits.chunkBytes }),
        ...(limits.maxReassemblyBytes === undefined ? {} : { maxReassemblyBytes: limits.maxReassemblyBytes }),
      },
    );
    this.#state = 'established';
    return {
      type: 'established',
      send,
      channel: new V3Channel({
        transport,
        suite: this.#suite!,
        binarize: this.#init.binarize ?? false,
        zlib: this.#init.backend.zlib,
        ...limits,
      }),
      protocolVersion: 3,
      hubNoiseKey: hubKey,
      pattern: this.#pattern,
    };
  }
}

/** A HELLO field as text: a string, number or boolean as written, anything else (an object, null) as ''. */
function primitiveText(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : '';
}

function unexpected(message: string): HiveLinkError {
  return new HiveLinkError('HL_ERR_HANDSHAKE_UNEXPECTED', message, { stage: 'client-handshake' });
}
