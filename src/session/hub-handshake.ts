/**
 * The hub (responder) side of the opening: builds HELLO and the HANDSHAKE request, then answers the client's
 * HANDSHAKE with the legacy password exchange (v2) or Noise XXpsk2 / KKpsk0 (v3), and yields the secure channel.
 *
 * ```
 *  AWAITING_OFFER ──legacy envelope──────────────────────────────▶ ESTABLISHED (legacy; a re-sent offer re-keys)
 *        │
 *        └──noise msg1──▶ (KK) ─────────────────────────────────▶ ESTABLISHED (v3)
 *                         (XX) AWAITING_MSG3 ──noise msg3───────▶ ESTABLISHED (v3)
 * ```
 * Every failure is a HiveLinkError with close code 1008: the connection must close with it.
 *
 * @module
 */
import type { CryptoBackend, X25519KeyPair } from '../crypto/backend.js';
import { isLegacyCipherName, type LegacyCipherName } from '../crypto/legacy-cipher.js';
import {
  buildNoisePrologue,
  NoiseHandshake,
  type NoisePattern,
  type NoiseSuite,
  noiseProtocolName,
} from '../crypto/noise/index.js';
import {
  deriveSalt,
  deriveSessionKey,
  makeEnvelope,
  negotiate,
  verifyEnvelope,
} from '../crypto/password-handshake.js';
import { CLOSE_POLICY_VIOLATION, HiveLinkError } from '../errors.js';
import type { Limits } from '../limits.js';
import type { EncodingName } from '../protocol/encodings.js';
import { canonicalJson, isJsonObject, type JsonObject, shownValue } from '../protocol/json.js';
import { createHiveMessage, type HiveMessage } from '../protocol/message.js';
import { HiveMessageType } from '../protocol/message-types.js';
import { type ChannelLimits, decodeUtf8, encodeUtf8, LegacyChannel, V3Channel } from './channel.js';
import {
  type HandshakeOffer,
  handshakeRequestPayload,
  noiseField,
  noiseMessageBytes,
  stringList,
  toHex,
} from './offer.js';
import type { HubHelloPayload, ProtocolVersion, SecureChannel } from './types.js';
import { V3Transport } from './v3-transport.js';

export interface HubHandshakeInit {
  backend: CryptoBackend;
  hello: HubHelloPayload;
  offer: HandshakeOffer;
  /** This client's password (legacy key derivation, and the Noise PSK through `psk`). */
  password: string;
  /** The hub's Noise static key. */
  noiseStatic: X25519KeyPair;
  /** The client's pinned Noise static key, if any (enables KKpsk0, and is enforced for XXpsk2). */
  pinnedClientKey: Uint8Array | null;
  /** The client's v3 PSK; derived once per client and cached by the caller. */
  psk: () => Promise<Uint8Array>;
  /** The hub's policy around each attempt (its failure budget). @default none */
  guard?: HandshakeGuard;
  /** Channel limits, v3 framing, and `maxNoiseNonce` for the Noise cipher states. */
  limits?: ChannelLimits & { chunkBytes?: number; maxReassemblyBytes?: number; maxNoiseNonce?: number };
}

/** The handshake's and its channel's limits, out of the hub's. */
export function hubHandshakeLimits(limits: Limits): NonNullable<HubHandshakeInit['limits']> {
  return {
    maxFrameBytes: limits.maxFrameBytes,
    maxDecompressedBytes: limits.maxDecompressedBytes,
    chunkBytes: limits.noiseChunkBytes,
    maxReassemblyBytes: limits.maxReassemblyBytes,
    maxJsonDepth: limits.maxJsonDepth,
    maxWrapperDepth: limits.maxWrapperDepth,
    maxNoiseNonce: limits.maxNoiseNonce,
    legacyReplayWindow: limits.legacyReplayWindow,
  };
}

/**
 * What the hub's policy stage does around the handshake (`src/hub/policy/auth-throttle.ts`): the session layer only
 * says when an attempt starts.
 */
export interface HandshakeGuard {
  /**
   * A client handshake message is about to cost the hub work an attacker could use: verifying a legacy envelope and
   * deriving its key (PBKDF2), or answering Noise msg1 (for XXpsk2, msg2 is material to test passwords offline).
   * Throws a HiveLinkError to refuse it.
   */
  attempt(): void;
  /**
   * A legacy client envelope that verified, before the hub derives the session key from it: throws a HiveLinkError
   * to refuse it (a replay of an envelope another connection sent).
   */
  envelope?(envelope: string): void;
}

/** What the connection must do after one handshake message. */
export type HubHandshakeStep =
  /** Send `reply` (cleartext) and keep waiting for handshake messages. */
  | { type: 'reply'; reply: HiveMessage }
  /** Send `reply` if present (cleartext), then switch to `channel`. */
  | {
      type: 'established';
      reply: HiveMessage | null;
      channel: SecureChannel;
      protocolVersion: ProtocolVersion;
      /** The client's Noise static key after a v3 handshake (to pin on first use). */
      clientNoiseKey: Uint8Array | null;
      /**
       * True when the handshake itself proved the client holds the key (XXpsk2 msg3 answers the hub's fresh
       * ephemeral). False for the legacy exchange and KKpsk0: a replayed first message completes them, so only the
       * client's first authentic frame on the channel proves it.
       */
      proven: boolean;
    }
  /** A repeated offer that changes nothing. */
  | { type: 'ignored' };

type State = 'awaiting-offer' | 'awaiting-msg3' | 'established-legacy' | 'established-v3' | 'failed';

const DEFAULT_ENCODING: EncodingName = 'JSON-HEX';
const DEFAULT_CIPHER: LegacyCipherName = 'AES-GCM';

function fail(
  code: 'HL_ERR_PROTOCOL_VERSION' | 'HL_ERR_HANDSHAKE_UNEXPECTED' | 'HL_ERR_NOISE_UNSUPPORTED',
  msg: string,
) {
  return new HiveLinkError(code, msg, { closeCode: CLOSE_POLICY_VIOLATION, stage: 'hub-handshake' });
}

export class HubHandshake {
  readonly helloPayload: JsonObject;
  readonly requestPayload: JsonObject;
  readonly #init: HubHandshakeInit;
  #state: State = 'awaiting-offer';
  #noise: NoiseHandshake | null = null;
  #noiseSuite: NoiseSuite | null = null;
  #binarize = false;

  constructor(init: HubHandshakeInit) {
    this.#init = init;
    this.helloPayload = { pubkey: init.hello.pubkey, peer: init.hello.peer, node_id: init.hello.node_id };
    this.requestPayload = handshakeRequestPayload(init.offer);
  }

  /** The hub's first frame: HELLO with the exact payload the Noise prologue binds. */
  helloMessage(): HiveMessage {
    return createHiveMessage(HiveMessageType.HELLO, this.helloPayload);
  }

  /** The hub's second frame: the HANDSHAKE request. */
  requestMessage(): HiveMessage {
    return createHiveMessage(HiveMessageType.HANDSHAKE, this.requestPayload);
  }

  get established(): boolean {
    return this.#state === 'established-legacy' || this.#state === 'established-v3';
  }

  /** Handles one client HANDSHAKE message. Throws HiveLinkError (close 1008) on any failure. */
  async handle(message: HiveMessage): Promise<HubHandshakeStep> {
    if (this.#state === 'failed') throw fail('HL_ERR_HANDSHAKE_UNEXPECTED', 'handshake already failed');
    if (message.msg_type !== HiveMessageType.HANDSHAKE) {
      throw fail(
        'HL_ERR_HANDSHAKE_UNEXPECTED',
        `unexpected "${message.msg_type}" before the handshake completed`,
      );
    }
    const payload = message.payload;
    if (!isJsonObject(payload))
      throw fail('HL_ERR_HANDSHAKE_UNEXPECTED', 'handshake payload must be an object');
    try {
      const noise = noiseField(payload);
      if (noise !== null) return await this.#handleNoise(noise);
      if (typeof payload.envelope === 'string') return await this.#handleLegacy(payload);
      if (typeof payload.pubkey === 'string') {
        throw fail('HL_ERR_HANDSHAKE_UNEXPECTED', 'RSA handshake is not supported; use a password');
      }
      throw fail('HL_ERR_HANDSHAKE_UNEXPECTED', 'handshake without envelope or noise message');
    } catch (err) {
      this.#state = 'failed';
      throw err;
    }
  }

  async #handleLegacy(payload: JsonObject): Promise<HubHandshakeStep> {
    if (this.#state === 'awaiting-msg3' || this.#state === 'established-v3') {
      throw fail('HL_ERR_HANDSHAKE_UNEXPECTED', 'legacy handshake after a Noise handshake began');
    }
    const { offer, backend, password } = this.#init;
    if (offer.minProtocol > 2) {
      throw fail(
        'HL_ERR_PROTOCOL_VERSION',
        `legacy handshake at protocol v2 is below the configured minimum v${offer.minProtocol}`,
      );
    }
    this.#init.guard?.attempt();
    const clientEnvelope = payload.envelope as string;
    if (!verifyEnvelope(backend, password, clientEnvelope)) {
      throw new HiveLinkError('HL_ERR_HANDSHAKE_VERIFY_FAILED', 'password handshake verification failed', {
        stage: 'hub-handshake.legacy',
      });
    }
    this.#init.guard?.envelope?.(clientEnvelope);
    const encoding = negotiate(
      stringList(payload.encodings, 'encodings', [DEFAULT_ENCODING]),
      offer.encodings,
      'encoding',
    );
    const cipher = negotiate(
      stringList(payload.ciphers, 'ciphers', [DEFAULT_CIPHER]),
      offer.ciphers,
      'cipher',
    );
    if (!isLegacyCipherName(cipher)) throw fail('HL_ERR_HANDSHAKE_UNEXPECTED', `unknown cipher ${cipher}`);
    const serverEnvelope = makeEnvelope(backend, password);
    const key = await deriveSessionKey(backend, password, deriveSalt(clientEnvelope, serverEnvelope));
    const binarize = payload.binarize === true;
    this.#state = 'established-legacy';
    return {
      type: 'established',
      reply: createHiveMessage(HiveMessageType.HANDSHAKE, { envelope: serverEnvelope, encoding, cipher }),
      channel: new LegacyChannel(backend, { key, cipher, encoding, binarize, ...this.#init.limits }),
      protocolVersion: 2,
      clientNoiseKey: null,
      proven: false,
    };
  }

  async #handleNoise(noise: JsonObject): Promise<HubHandshakeStep> {
    if (this.#state === 'established-legacy' || this.#state === 'established-v3') {
      throw fail('HL_ERR_HANDSHAKE_UNEXPECTED', 'handshake after the session was established');
    }
    if (this.#state === 'awaiting-msg3') {
      // XXpsk2 message 3, or a repeated message 1 from an impatient client (ignored).
      if (typeof noise.pattern === 'string') return { type: 'ignored' };
      return this.#finishXX(noise);
    }
    const { offer, backend } = this.#init;
    const pattern = noise.pattern;
    const suite = noise.suite;
    if (offer.noise === null || offer.maxProtocol < 3) {
      throw fail('HL_ERR_NOISE_UNSUPPORTED', 'Noise v3 is not offered to this client');
    }
    if (typeof pattern !== 'string' || !(offer.noise.patterns as readonly string[]).includes(pattern)) {
      throw fail('HL_ERR_NOISE_UNSUPPORTED', `Noise pattern ${shownValue(pattern)} was not offered`);
    }
    if (typeof suite !== 'string' || !(offer.noise.suites as readonly string[]).includes(suite)) {
      throw fail('HL_ERR_NOISE_UNSUPPORTED', `Noise suite ${shownValue(suite)} was not offered`);
    }
    if (pattern === 'KKpsk0' && this.#init.pinnedClientKey === null) {
      throw fail('HL_ERR_NOISE_UNSUPPORTED', 'KKpsk0 needs a pinned client key');
    }
    const msg1 = noiseMessageBytes(noise, 'hub-handshake.msg1');
    this.#init.guard?.attempt();
    const psk = await this.#init.psk();
    const protocolName = noiseProtocolName(pattern as NoisePattern, suite as NoiseSuite);
    const hs = new NoiseHandshake(backend, {
      pattern: pattern as NoisePattern,
      suite: suite as NoiseSuite,
      role: 'responder',
      prologue: buildNoisePrologue(this.helloPayload, this.requestPayload, protocolName),
      psk,
      staticKeyPair: this.#init.noiseStatic,
      ...(pattern === 'KKpsk0' ? { remoteStaticPublicKey: this.#init.pinnedClientKey! } : {}),
      ...(this.#init.limits?.maxNoiseNonce === undefined
        ? {}
        : { maxNonce: this.#init.limits.maxNoiseNonce }),
    });
    const first = parseNoisePayload(hs.readMessage(msg1));
    this.#binarize = first.binarize === true;
    const encodings = stringList(first.encodings, 'encodings', [DEFAULT_ENCODING]);
    const msg2 = hs.writeMessage(encodeUtf8(canonicalJson({ encoding: encodings[0] ?? DEFAULT_ENCODING })));
    const reply = createHiveMessage(HiveMessageType.HANDSHAKE, { noise: { msg: toHex(msg2) } });
    this.#noise = hs;
    this.#noiseSuite = suite as NoiseSuite;
    if (hs.complete) {
      this.#state = 'established-v3';
      return { type: 'established', reply, ...this.#v3Channel(hs), proven: false };
    }
    this.#state = 'awaiting-msg3';
    return { type: 'reply', reply };
  }

  #finishXX(noise: JsonObject): HubHandshakeStep {
    const hs = this.#noise!;
    hs.readMessage(noiseMessageBytes(noise, 'hub-handshake.msg3'));
    const clientKey = hs.remoteStaticPublicKey();
    const pinned = this.#init.pinnedClientKey;
    if (pinned !== null && (clientKey === null || !equalBytes(pinned, clientKey))) {
      throw new HiveLinkError('HL_ERR_NOISE_KEY_MISMATCH', "client's Noise key differs from the pinned key", {
        stage: 'hub-handshake.msg3',
      });
    }
    this.#state = 'established-v3';
    return { type: 'established', reply: null, ...this.#v3Channel(hs), proven: true };
  }

  #v3Channel(hs: NoiseHandshake) {
    const { send, receive } = hs.split();
    const limits = this.#init.limits ?? {};
    const transport = new V3Transport(
      { send, receive },
      {
        ...(limits.chunkBytes === undefined ? {} : { chunkBytes: limits.chunkBytes }),
        ...(limits.maxReassemblyBytes === undefined ? {} : { maxReassemblyBytes: limits.maxReassemblyBytes }),
      },
    );
    return {
      channel: new V3Channel({
        transport,
        suite: this.#noiseSuite!,
        binarize: this.#binarize,
        zlib: this.#init.backend.zlib,
        ...limits,
      }),
      protocolVersion: 3 as const,
      clientNoiseKey: hs.remoteStaticPublicKey(),
    };
  }
}

/** Parses a Noise handshake payload (canonical JSON object); an empty payload is `{}`. */
export function parseNoisePayload(bytes: Uint8Array): JsonObject {
  if (bytes.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(decodeUtf8(bytes));
  } catch (cause) {
    throw new HiveLinkError('HL_ERR_NOISE_STATE', 'Noise handshake payload is not JSON', { cause });
  }
  if (!isJsonObject(value))
    throw new HiveLinkError('HL_ERR_NOISE_STATE', 'Noise handshake payload is not an object');
  return value;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
