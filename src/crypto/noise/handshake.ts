/**
 * Noise HandshakeState (rev 34 §5.3) for the two HiveMind v3 patterns, as a pure state object: one call per
 * handshake message, no I/O. The client is the initiator, the hub the responder (docs/PROTOCOL.md §3.5).
 *
 * ```
 *  XXpsk2                         KKpsk0  (both static keys known in advance)
 *  initiator      responder       initiator      responder
 *  write 1 ─────▶ read 1          write 1 ─────▶ read 1
 *  read 2  ◀───── write 2         read 2  ◀───── write 2
 *  write 3 ─────▶ read 3          complete       complete
 *  complete       complete
 * ```
 *
 * Any failure — a bad tag (wrong PSK, tampered prologue, wrong static key), a malformed or out-of-turn message —
 * kills the object: every later call rethrows the first error.
 *
 * @module
 */
import { HiveLinkError, isHiveLinkError } from '../../errors.js';
import { concatBytes } from '../../protocol/bytes.js';
import type { CryptoBackend, X25519KeyPair } from '../backend.js';
import type { CipherState } from './cipher-state.js';
import { resolveMaxNonce } from './cipher-state.js';
import {
  isNoisePattern,
  isNoiseSuite,
  NOISE_DH_BYTES,
  NOISE_MAX_MESSAGE_BYTES,
  NOISE_PATTERN_DEFS,
  type NoisePattern,
  type NoisePatternDef,
  type NoiseSuite,
  type NoiseToken,
  noiseProtocolName,
} from './patterns.js';
import { SymmetricState } from './symmetric-state.js';

const TAG_BYTES = 16;
const PSK_BYTES = 32;
/** The largest handshake payload: one Noise message minus the most any message here adds (e, encrypted s, tag). */
export const MAX_HANDSHAKE_PAYLOAD_BYTES =
  NOISE_MAX_MESSAGE_BYTES - NOISE_DH_BYTES - (NOISE_DH_BYTES + TAG_BYTES) - TAG_BYTES;

export type NoiseRole = 'initiator' | 'responder';

/** Construction config of a {@link NoiseHandshake}. */
export interface NoiseHandshakeInit {
  readonly pattern: NoisePattern;
  readonly suite: NoiseSuite;
  /** The client is the initiator, the hub the responder. */
  readonly role: NoiseRole;
  /** Bytes both sides must agree on, usually from `buildNoisePrologue`. */
  readonly prologue: Uint8Array;
  /** The 32-byte pre-shared key (from `derivePskArgon2id` or provisioned). */
  readonly psk: Uint8Array;
  /** This side's long-term X25519 key pair. */
  readonly staticKeyPair: X25519KeyPair;
  /**
   * The peer's pinned static public key. Required for `KKpsk0`. For `XXpsk2` it is optional: when given, the key
   * the peer sends must equal it, or the handshake fails with `HL_ERR_NOISE_KEY_MISMATCH`.
   * @default null
   */
  readonly remoteStaticPublicKey?: Uint8Array | null;
  /**
   * A fixed ephemeral key pair, for known-answer tests only. Never set this in production.
   * @default a fresh key pair from the backend
   */
  readonly ephemeralKeyPair?: X25519KeyPair;
  /**
   * `maxNonce` of the CipherStates {@link NoiseHandshake.split} returns.
   * @default LIMIT_DEFS.maxNoiseNonce.default
   */
  readonly maxNonce?: number;
}

/** The two transport directions after the handshake. */
export interface NoiseTransportCiphers {
  /** Encrypts what this side sends (initiator: k1, responder: k2). */
  readonly send: CipherState;
  /** Decrypts what this side receives. */
  readonly receive: CipherState;
}

function isBytes(value: unknown, length?: number): value is Uint8Array {
  return value instanceof Uint8Array && (length === undefined || value.length === length);
}

function checkKeyPair(pair: unknown, name: string): X25519KeyPair {
  const p = pair as X25519KeyPair | null | undefined;
  if (
    typeof p !== 'object' ||
    p === null ||
    !isBytes(p.privateKey, NOISE_DH_BYTES) ||
    !isBytes(p.publicKey, NOISE_DH_BYTES)
  ) {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ARGUMENT',
      `${name} must hold a 32-byte privateKey and publicKey`,
    );
  }
  return { privateKey: p.privateKey.slice(), publicKey: p.publicKey.slice() };
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i += 1) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** One side of a Noise `XXpsk2` or `KKpsk0` handshake. */
export class NoiseHandshake {
  readonly #backend: CryptoBackend;
  readonly #pattern: NoisePatternDef;
  readonly #suite: NoiseSuite;
  readonly #initiator: boolean;
  readonly #psk: Uint8Array;
  readonly #s: X25519KeyPair;
  readonly #pinnedRemoteStatic: Uint8Array | null;
  readonly #presetEphemeral: X25519KeyPair | null;
  readonly #maxNonce: number;
  #symmetric: SymmetricState;
  #e: X25519KeyPair | null = null;
  #re: Uint8Array | null = null;
  #rs: Uint8Array | null = null;
  #index = 0;
  #complete = false;
  #split = false;
  #failure: HiveLinkError | null = null;

  /** Initialize(): checks the config, mixes the protocol name, the prologue and any pre-message keys. */
  constructor(backend: CryptoBackend, init: NoiseHandshakeInit) {
    if (!isNoisePattern(init.pattern)) {
      throw new HiveLinkError('HL_ERR_NOISE_UNSUPPORTED', `unknown Noise pattern "${String(init.pattern)}"`);
    }
    if (!isNoiseSuite(init.suite)) {
      throw new HiveLinkError('HL_ERR_NOISE_UNSUPPORTED', `unknown Noise suite "${String(init.suite)}"`);
    }
    if (init.role !== 'initiator' && init.role !== 'responder') {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'role must be "initiator" or "responder"');
    }
    if (!isBytes(init.prologue)) {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'prologue must be a Uint8Array');
    }
    if (!isBytes(init.psk, PSK_BYTES)) {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'psk must be 32 bytes');
    }
    const remote = init.remoteStaticPublicKey ?? null;
    if (remote !== null && !isBytes(remote, NOISE_DH_BYTES)) {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'remoteStaticPublicKey must be 32 bytes');
    }
    this.#pattern = NOISE_PATTERN_DEFS[init.pattern];
    if (this.#pattern.responderStaticPremessage && remote === null) {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `${init.pattern} needs remoteStaticPublicKey`);
    }
    this.#backend = backend;
    this.#suite = init.suite;
    this.#initiator = init.role === 'initiator';
    this.#psk = init.psk.slice();
    this.#s = checkKeyPair(init.staticKeyPair, 'staticKeyPair');
    this.#pinnedRemoteStatic = remote === null ? null : remote.slice();
    this.#presetEphemeral =
      init.ephemeralKeyPair === undefined ? null : checkKeyPair(init.ephemeralKeyPair, 'ephemeralKeyPair');
    this.#maxNonce = resolveMaxNonce(init.maxNonce);

    this.#symmetric = new SymmetricState(backend, init.suite, noiseProtocolName(init.pattern, init.suite), {
      maxNonce: this.#maxNonce,
    });
    this.#symmetric.mixHash(init.prologue);
    // Pre-messages: the initiator's key first, then the responder's (§7.1).
    if (this.#pattern.initiatorStaticPremessage) {
      this.#symmetric.mixHash(this.#initiator ? this.#s.publicKey : this.#pinnedRemoteStatic!);
    }
    if (this.#pattern.responderStaticPremessage) {
      this.#symmetric.mixHash(this.#initiator ? this.#pinnedRemoteStatic! : this.#s.publicKey);
    }
    if (this.#pattern.initiatorStaticPremessage || this.#pattern.responderStaticPremessage) {
      this.#rs = this.#pinnedRemoteStatic;
    }
  }

  /** True once every handshake message has been written or read; {@link split} may then be called. */
  get complete(): boolean {
    return this.#complete;
  }

  /** True once a call has failed; the object is then unusable. */
  get failed(): boolean {
    return this.#failure !== null;
  }

  /** True when it is this side's turn to call {@link writeMessage} (false when complete or failed). */
  get isMyTurnToWrite(): boolean {
    return this.#failure === null && !this.#complete && this.#index % 2 === (this.#initiator ? 0 : 1);
  }

  /**
   * Writes the next handshake message, carrying `payload` (encrypted once a key exists; at most
   * {@link MAX_HANDSHAKE_PAYLOAD_BYTES} bytes).
   * @throws HiveLinkError `HL_ERR_NOISE_STATE` when it is not this side's turn or the handshake is complete.
   */
  writeMessage(payload: Uint8Array): Uint8Array {
    const stage = `writeMessage${this.#index + 1}`;
    return this.#guard(stage, () => {
      this.#checkTurn(true, stage);
      if (!isBytes(payload))
        throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'payload must be a Uint8Array');
      if (payload.length > MAX_HANDSHAKE_PAYLOAD_BYTES) {
        throw new HiveLinkError(
          'HL_ERR_INVALID_ARGUMENT',
          `a Noise handshake payload may be at most ${MAX_HANDSHAKE_PAYLOAD_BYTES} bytes`,
        );
      }
      const parts: Uint8Array[] = [];
      for (const token of this.#pattern.messages[this.#index]!) {
        if (token === 'e') {
          const e = this.#presetEphemeral ?? this.#backend.x25519KeyPair();
          this.#e = { privateKey: e.privateKey.slice(), publicKey: e.publicKey.slice() };
          parts.push(this.#e.publicKey.slice());
          this.#symmetric.mixHash(this.#e.publicKey);
          this.#symmetric.mixKey(this.#e.publicKey); // both patterns carry a psk modifier (§9.2)
        } else if (token === 's') {
          parts.push(this.#symmetric.encryptAndHash(this.#s.publicKey));
        } else {
          this.#mixToken(token);
        }
      }
      parts.push(this.#symmetric.encryptAndHash(payload));
      this.#advance();
      return concatBytes(parts);
    });
  }

  /**
   * Reads the peer's next handshake message and returns its payload.
   * @throws HiveLinkError `HL_ERR_NOISE_HANDSHAKE_FAILED` when it does not authenticate (wrong PSK, tampered
   *   prologue, wrong static key); `HL_ERR_NOISE_STATE` when out of turn or malformed (too short or too long);
   *   `HL_ERR_NOISE_KEY_MISMATCH` when the peer's static key is not the pinned one.
   */
  readMessage(message: Uint8Array): Uint8Array {
    const stage = `readMessage${this.#index + 1}`;
    return this.#guard(stage, () => {
      this.#checkTurn(false, stage);
      if (!isBytes(message)) throw new HiveLinkError('HL_ERR_NOISE_STATE', 'message must be a Uint8Array');
      if (message.length > NOISE_MAX_MESSAGE_BYTES) {
        throw new HiveLinkError('HL_ERR_NOISE_STATE', 'Noise handshake message is too long', { stage });
      }
      let offset = 0;
      const take = (n: number): Uint8Array => {
        if (message.length - offset < n) {
          throw new HiveLinkError('HL_ERR_NOISE_STATE', 'Noise handshake message is too short', { stage });
        }
        const out = message.slice(offset, offset + n);
        offset += n;
        return out;
      };
      for (const token of this.#pattern.messages[this.#index]!) {
        if (token === 'e') {
          this.#re = take(NOISE_DH_BYTES);
          this.#symmetric.mixHash(this.#re);
          this.#symmetric.mixKey(this.#re);
        } else if (token === 's') {
          const sealed = take(NOISE_DH_BYTES + (this.#symmetric.hasKey ? TAG_BYTES : 0));
          this.#rs = this.#symmetric.decryptAndHash(sealed);
        } else {
          this.#mixToken(token);
        }
      }
      if (this.#symmetric.hasKey && message.length - offset < TAG_BYTES) {
        throw new HiveLinkError('HL_ERR_NOISE_STATE', 'Noise handshake message is too short', { stage });
      }
      const payload = this.#symmetric.decryptAndHash(message.slice(offset));
      if (this.#pinnedRemoteStatic !== null && this.#rs !== null) {
        if (!equalBytes(this.#rs, this.#pinnedRemoteStatic)) {
          throw new HiveLinkError(
            'HL_ERR_NOISE_KEY_MISMATCH',
            "the peer's Noise static key is not the pinned one",
            {
              stage,
            },
          );
        }
      }
      this.#advance();
      return payload;
    });
  }

  /** The final handshake hash `h` (32 bytes), usable for channel binding. Only once complete. */
  handshakeHash(): Uint8Array {
    return this.#guard('handshakeHash', () => {
      if (!this.#complete) {
        throw new HiveLinkError('HL_ERR_NOISE_STATE', 'the Noise handshake is not complete', {
          stage: 'handshakeHash',
        });
      }
      return this.#symmetric.handshakeHash();
    });
  }

  /** The peer's static public key once known (at once for KK, after it arrives for XX), else null. */
  remoteStaticPublicKey(): Uint8Array | null {
    return this.#guard('remoteStaticPublicKey', () => (this.#rs === null ? null : this.#rs.slice()));
  }

  /**
   * Split(): the transport CipherStates, oriented for this side. May be called once, after completion.
   * @throws HiveLinkError `HL_ERR_NOISE_STATE` before completion or on a second call.
   */
  split(): NoiseTransportCiphers {
    return this.#guard('split', () => {
      if (!this.#complete || this.#split) {
        throw new HiveLinkError(
          'HL_ERR_NOISE_STATE',
          this.#split ? 'the Noise handshake was already split' : 'the Noise handshake is not complete',
          { stage: 'split' },
        );
      }
      const [c1, c2] = this.#symmetric.split();
      this.#split = true;
      return this.#initiator ? { send: c1, receive: c2 } : { send: c2, receive: c1 };
    });
  }

  #mixToken(token: Exclude<NoiseToken, 'e' | 's'>): void {
    if (token === 'psk') {
      this.#symmetric.mixKeyAndHash(this.#psk);
      return;
    }
    // ee, es, se, ss: the first letter is the initiator's key, the second the responder's (§7.1).
    const mineFirst = this.#initiator;
    const [first, second] = [token[0] as 'e' | 's', token[1] as 'e' | 's'];
    const localKind = mineFirst ? first : second;
    const remoteKind = mineFirst ? second : first;
    const local = localKind === 'e' ? this.#e : this.#s;
    const remote = remoteKind === 'e' ? this.#re : this.#rs;
    if (local === null || remote === null) {
      throw new HiveLinkError('HL_ERR_INTERNAL', `Noise token ${token} has no key`);
    }
    this.#symmetric.mixKey(this.#backend.x25519(local.privateKey, remote));
  }

  #checkTurn(writing: boolean, stage: string): void {
    if (this.#complete) {
      throw new HiveLinkError('HL_ERR_NOISE_STATE', 'the Noise handshake is already complete', { stage });
    }
    const initiatorTurn = this.#index % 2 === 0;
    const mine = initiatorTurn === this.#initiator;
    if (mine !== writing) {
      throw new HiveLinkError(
        'HL_ERR_NOISE_STATE',
        writing ? 'it is the peer’s turn to send' : 'it is this side’s turn to send',
        { stage },
      );
    }
  }

  #advance(): void {
    this.#index += 1;
    if (this.#index === this.#pattern.messages.length) {
      this.#complete = true;
      this.#wipeSecrets();
    }
  }

  /** Zeroes this object's copies of the private keys and the PSK once they can no longer be needed. */
  #wipeSecrets(): void {
    if (this.#e !== null) this.#e.privateKey.fill(0);
    this.#e = null;
    this.#s.privateKey.fill(0);
    this.#psk.fill(0);
  }

  /** Runs `fn`; the first failure kills the object, and every later call rethrows it. */
  #guard<T>(stage: string, fn: () => T): T {
    if (this.#failure !== null) throw this.#failure;
    try {
      return fn();
    } catch (cause) {
      this.#failure = NoiseHandshake.#classify(cause, stage);
      this.#wipeSecrets();
      throw this.#failure;
    }
  }

  static #classify(cause: unknown, stage: string): HiveLinkError {
    if (
      isHiveLinkError(cause) &&
      (cause.code === 'HL_ERR_NOISE_STATE' ||
        cause.code === 'HL_ERR_NOISE_KEY_MISMATCH' ||
        cause.code === 'HL_ERR_INVALID_ARGUMENT' ||
        cause.code === 'HL_ERR_INTERNAL')
    ) {
      return cause.stage === undefined
        ? new HiveLinkError(cause.code, cause.message, { stage, cause: cause.cause })
        : cause;
    }
    // A bad tag, a DH on a low-order point, anything else the primitives reject.
    return new HiveLinkError('HL_ERR_NOISE_HANDSHAKE_FAILED', `Noise handshake failed at ${stage}`, {
      stage,
      cause,
    });
  }
}
