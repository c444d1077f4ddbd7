/**
 * Fuzz targets of the crypto framing: the legacy JSON envelope and binary frame (src/crypto/legacy-cipher.ts) and
 * the v3 transport (src/session/v3-transport.ts). Besides the contract, each checks that nothing but the frame as
 * sent authenticates: a mutated frame that decrypts is a forgery.
 *
 * @module
 */
import {
  decryptBinaryFrame,
  decryptJsonEnvelope,
  encryptBinaryFrame,
  encryptJsonEnvelope,
  LEGACY_CIPHERS,
  type LegacyCipherName,
} from '../../src/crypto/legacy-cipher.js';
import { CipherState, NOISE_MAX_MESSAGE_BYTES, NOISE_SUITES } from '../../src/crypto/noise/index.js';
import { decodeBytes, ENCODING_NAMES, encodeBytes } from '../../src/protocol/encodings.js';
import { NonceWindow } from '../../src/session/nonce-window.js';
import { V3_MARKER, V3Transport } from '../../src/session/v3-transport.js';
import { concat, type Json, mutateBytes, mutateText, mutateValue, tryParse } from './mutate.js';
import type { Rng } from './rng.js';
import {
  type DecoderTarget,
  describeValue,
  inputTarget,
  OracleFailure,
  sameBytes,
  type TargetContext,
  tolerate,
  utf8Bytes,
} from './target.js';

/** A legacy key for `cipher` (AES-GCM also takes 16 and 24 bytes). */
function legacyKey(rng: Rng, cipher: LegacyCipherName): Uint8Array {
  return rng.bytes(cipher === 'AES-GCM' ? rng.pick([16, 24, 32, 32, 32]) : 32);
}

function plaintextOf(rng: Rng, ctx: TargetContext): Uint8Array {
  return rng.chance(0.8) ? utf8Bytes(rng.pick(ctx.corpus.jsonTexts)) : rng.bytes(rng.small(100));
}

const legacyEnvelopeTarget = inputTarget({
  name: 'legacy-envelope',
  summary:
    'decryptJsonEnvelope: mutated envelopes (text, structure, re-encoded field bytes, tag-less form, wrong cipher)',
  input(ctx, rng) {
    const cipher = rng.pick(LEGACY_CIPHERS);
    const encoding = rng.pick(ENCODING_NAMES);
    const key = legacyKey(rng, cipher);
    const plaintext = plaintextOf(rng, ctx);
    const text = encryptJsonEnvelope(ctx.backend, cipher, encoding, key, plaintext);
    const envelope = JSON.parse(text) as Record<string, Json>;
    let value: unknown = envelope;
    let openCipher = cipher;
    let openEncoding = encoding;
    switch (
      rng.weighted([
        [3, 'text'],
        [3, 'struct'],
        [4, 'field'],
        [1, 'tagless'],
        [1, 'other'],
      ] as const)
    ) {
      case 'text': {
        const mutated = mutateText(rng, text);
        value = tryParse(mutated) ?? mutated;
        break;
      }
      case 'struct':
        value = mutateValue(rng, envelope);
        break;
      case 'field': {
        const field = rng.pick(['ciphertext', 'tag', 'nonce']);
        const bytes = decodeBytes(encoding, envelope[field] as string);
        const reEncoding = rng.chance(0.9) ? encoding : rng.pick(ENCODING_NAMES);
        value = { ...envelope, [field]: encodeBytes(reEncoding, mutateBytes(rng, bytes)) };
        break;
      }
      case 'tagless': {
        // the Web Crypto form: tag appended to the ciphertext, no tag key (or null); valid unless mutated
        const joined = concat(
          decodeBytes(encoding, envelope.ciphertext as string),
          decodeBytes(encoding, envelope.tag as string),
        );
        const ct = rng.chance(0.5) ? joined : mutateBytes(rng, joined);
        value = rng.chance(0.5)
          ? { ciphertext: encodeBytes(encoding, ct), nonce: envelope.nonce! }
          : { ciphertext: encodeBytes(encoding, ct), tag: null, nonce: envelope.nonce! };
        break;
      }
      default:
        openCipher = rng.pick(LEGACY_CIPHERS);
        openEncoding = rng.pick(ENCODING_NAMES);
    }
    const nonces = rng.chance(0.5) ? new NonceWindow(16) : undefined;
    return {
      get bytes() {
        return describeValue(value);
      },
      run() {
        const opened = decryptJsonEnvelope(ctx.backend, openCipher, openEncoding, key, value, nonces);
        if (!sameBytes(opened, plaintext)) {
          throw new OracleFailure('forgery', 'a mutated legacy envelope decrypted to other plaintext');
        }
        if (nonces !== undefined) {
          // the same frame again is a replay
          const again = tolerate(() =>
            decryptJsonEnvelope(ctx.backend, openCipher, openEncoding, key, value, nonces),
          );
          if (again !== undefined)
            throw new OracleFailure('forgery', 'a replayed legacy envelope was accepted');
        }
      },
    };
  },
});

const legacyBinaryTarget = inputTarget({
  name: 'legacy-binary',
  summary: 'decryptBinaryFrame: mutated nonce ‖ ciphertext ‖ tag frames; only the frame as sent may decrypt',
  input(ctx, rng) {
    const cipher = rng.pick(LEGACY_CIPHERS);
    const key = legacyKey(rng, cipher);
    const plaintext = plaintextOf(rng, ctx);
    const frame = encryptBinaryFrame(ctx.backend, cipher, key, plaintext);
    const bytes = rng.chance(0.03) ? frame : mutateBytes(rng, frame, [frame]);
    const openCipher = rng.chance(0.95) ? cipher : rng.pick(LEGACY_CIPHERS);
    return {
      bytes,
      run() {
        const opened = decryptBinaryFrame(ctx.backend, openCipher, key, bytes);
        if (!sameBytes(bytes, frame) || !sameBytes(opened, plaintext)) {
          throw new OracleFailure('forgery', 'a mutated legacy binary frame decrypted');
        }
      },
    };
  },
});

/** One frame on a v3 connection, as a sender made it (or a mutation of one). */
interface SentFrame {
  readonly data: Uint8Array;
  /** The receive counter at which this exact frame decrypts, or -1 for a mutated frame (must never decrypt). */
  readonly nonce: number;
}

/**
 * A v3 sender and receiver on a fresh key, and a sequence of frames: messages sealed with small chunks, frames
 * sealed directly with any marker (valid AEAD, odd sequence), then dropped, repeated, reordered, mutated, emptied or
 * made larger than one Noise message.
 */
export function v3Frames(rng: Rng, ctx: TargetContext): { frames: SentFrame[]; receiver: () => V3Transport } {
  const suite = rng.pick(NOISE_SUITES);
  const key = rng.bytes(32);
  const send = new CipherState(ctx.backend, suite, key);
  const chunkBytes = rng.pick([64, 100, 1000, 65000]);
  const sender = new V3Transport(
    { send, receive: new CipherState(ctx.backend, suite, rng.bytes(32)) },
    { chunkBytes },
  );
  const frames: SentFrame[] = [];
  for (let m = 1 + rng.small(4); m > 0; m--) {
    if (rng.chance(0.7)) {
      const body = rng.chance(0.7) ? utf8Bytes(rng.pick(ctx.corpus.jsonTexts)) : rng.bytes(rng.small(3000));
      const first = send.nonce;
      sender.seal(rng.chance(0.5) ? 'json' : 'bitstring', body).forEach((data, i) => {
        frames.push({ data, nonce: first + i });
      });
    } else {
      const marker = rng.chance(0.8) ? rng.int(6) : rng.int(256);
      const body = rng.chance(0.1) ? new Uint8Array(0) : Uint8Array.of(marker, ...rng.bytes(rng.small(200)));
      frames.push({ data: send.encrypt(body), nonce: send.nonce - 1 });
    }
  }
  for (let k = rng.small(3); k > 0 && frames.length > 0; k--) {
    const i = rng.int(frames.length);
    switch (rng.int(6)) {
      case 0:
        frames.splice(i, 1);
        break;
      case 1:
        frames.splice(i, 0, frames[i]!);
        break;
      case 2: {
        const j = rng.int(frames.length);
        [frames[i], frames[j]] = [frames[j]!, frames[i]!];
        break;
      }
      case 3: {
        const data = mutateBytes(
          rng,
          frames[i]!.data,
          frames.map((f) => f.data),
        );
        frames[i] = { data, nonce: sameBytes(data, frames[i]!.data) ? frames[i]!.nonce : -1 };
        break;
      }
      case 4:
        frames.splice(i, 0, { data: rng.bytes(rng.small(64)), nonce: -1 });
        break;
      default:
        frames.splice(i, 0, {
          data: new Uint8Array(NOISE_MAX_MESSAGE_BYTES + 1 + rng.small(100)),
          nonce: -1,
        });
    }
  }
  const receiver = () =>
    new V3Transport(
      {
        send: new CipherState(ctx.backend, suite, rng.bytes(32)),
        receive: new CipherState(ctx.backend, suite, key),
      },
      { chunkBytes, maxReassemblyBytes: rng.pick([65_000, 100_000, 32 * 1024 * 1024]) },
    );
  return { frames, receiver };
}

/** Whether a successful open of `frame` at receive counter `at` is legitimate. */
export function checkAuthentic(frame: SentFrame, at: number): void {
  if (frame.nonce !== at)
    throw new OracleFailure('forgery', `a v3 frame decrypted at counter ${at} that was not sent there`);
}

const v3TransportTarget = inputTarget({
  name: 'v3-transport',
  summary:
    'V3Transport.open: v3 frame sequences (chunked, odd markers, dropped, repeated, reordered, mutated)',
  input(ctx, rng) {
    const { frames, receiver } = v3Frames(rng, ctx);
    const rx = receiver();
    return {
      bytes: concat(
        ...frames.map((f) =>
          concat(Uint8Array.of(f.data.length >> 8, f.data.length & 0xff), f.data.subarray(0, 2048)),
        ),
      ),
      run() {
        let at = 0;
        for (const frame of frames) {
          let ok = false;
          tolerate(() => {
            rx.open(frame.data);
            ok = true;
          });
          if (ok) checkAuthentic(frame, at++);
          else if (!rx.failed)
            throw new OracleFailure('roundtrip', 'a v3 open failed without poisoning the transport');
        }
        if (rx.failed && frames.length > 0) {
          // a poisoned transport refuses everything after
          if (tolerate(() => rx.open(frames[0]!.data)) !== undefined)
            throw new OracleFailure('forgery', 'a poisoned v3 transport opened another frame');
        }
      },
    };
  },
});

export const CRYPTO_TARGETS: readonly DecoderTarget[] = [
  legacyEnvelopeTarget,
  legacyBinaryTarget,
  v3TransportTarget,
];

export { V3_MARKER };
