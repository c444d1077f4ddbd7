/**
 * `hivelink bench protocol` (`npm run bench -- protocol`): encode+encrypt and decrypt+decode of a typical ~300-byte BUS message through the real
 * channels (legacy JSON envelopes, legacy encrypted bitstrings, Noise v3 transport), next to raw node:crypto AEAD of
 * the same plaintext bytes in the same run, so the overhead of hivelink's own code is visible.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { nodeBackend } from '../crypto/backend.node.js';
import type { LegacyCipherName } from '../crypto/legacy-cipher.js';
import { type NoiseSuite, xxTransportCiphers } from '../crypto/noise/index.js';
import type { EncodingName } from '../protocol/encodings.js';
import { createHiveMessage, type HiveMessage } from '../protocol/message.js';
import { HiveMessageType } from '../protocol/message-types.js';
import { encodeUtf8, LegacyChannel, messageJson, V3Channel } from '../session/channel.js';
import type { SecureChannel, WireFrame } from '../session/types.js';
import { V3Transport } from '../session/v3-transport.js';
import { formatTable, measure, type Row, WARMUP_OPS } from './micro.js';

/** A realistic utterance as a Python satellite sends it: ~300 bytes of HiveMessage JSON. */
export function typicalBusMessage(): HiveMessage {
  return createHiveMessage(HiveMessageType.BUS, {
    type: 'recognizer_loop:utterance',
    data: { utterances: ['what is the weather in lisbon'], lang: 'en-US' },
    context: {
      source: 'hivelink-bench',
      destination: 'HiveMind',
      session: { session_id: 'c7347086-3561-4d58-9a05-e0c759eded85', site_id: 'kitchen' },
    },
  });
}

function legacyPair(
  cipher: LegacyCipherName,
  encoding: EncodingName,
  binarize: boolean,
): [SecureChannel, SecureChannel] {
  const key = new Uint8Array(randomBytes(32));
  const init = { key, cipher, encoding, binarize };
  return [new LegacyChannel(nodeBackend, init), new LegacyChannel(nodeBackend, init)];
}

function v3Pair(suite: NoiseSuite): [SecureChannel, SecureChannel] {
  const [i, r] = xxTransportCiphers(suite, nodeBackend);
  return [
    new V3Channel({ transport: new V3Transport(i), suite, binarize: false }),
    new V3Channel({ transport: new V3Transport(r), suite, binarize: false }),
  ];
}

function rawAead(
  alg: 'aes-256-gcm' | 'chacha20-poly1305',
  nonceBytes: number,
  plaintext: Uint8Array,
): [() => Buffer, () => void] {
  const key = randomBytes(32);
  const seal = () => {
    const nonce = randomBytes(nonceBytes);
    const c = createCipheriv(alg as 'aes-256-gcm', key, nonce, { authTagLength: 16 });
    return Buffer.concat([nonce, c.update(plaintext), c.final(), c.getAuthTag()]);
  };
  const sealed = seal();
  const open = () => {
    const nonce = sealed.subarray(0, nonceBytes);
    const d = createDecipheriv(alg as 'aes-256-gcm', key, nonce, { authTagLength: 16 });
    d.setAuthTag(sealed.subarray(sealed.length - 16));
    d.update(sealed.subarray(nonceBytes, sealed.length - 16));
    d.final();
  };
  return [seal, open];
}

/**
 * Measures every wire form for about `durationMs` each (seal, then open) and the raw AEAD baselines. A benchmark:
 * it reports rates and asserts none.
 */
export async function runProtocolBench(durationMs = 1000): Promise<Row[]> {
  const message = typicalBusMessage();
  const plaintext = encodeUtf8(messageJson(message));
  const rows: Row[] = [];
  const forms: [string, () => [SecureChannel, SecureChannel]][] = [
    ['legacy AES-GCM JSON-HEX', () => legacyPair('AES-GCM', 'JSON-HEX', false)],
    ['legacy AES-GCM JSON-B64', () => legacyPair('AES-GCM', 'JSON-B64', false)],
    ['legacy AES-GCM JSON-B91', () => legacyPair('AES-GCM', 'JSON-B91', false)],
    ['legacy AES-GCM binary bitstring', () => legacyPair('AES-GCM', 'JSON-HEX', true)],
    ['legacy ChaCha20 JSON-HEX', () => legacyPair('CHACHA20-POLY1305', 'JSON-HEX', false)],
    ['legacy ChaCha20 JSON-B64', () => legacyPair('CHACHA20-POLY1305', 'JSON-B64', false)],
    ['legacy ChaCha20 binary bitstring', () => legacyPair('CHACHA20-POLY1305', 'JSON-HEX', true)],
    ['v3 ChaChaPoly JSON', () => v3Pair('25519_ChaChaPoly_SHA256')],
    ['v3 AESGCM JSON', () => v3Pair('25519_AESGCM_SHA256')],
  ];
  for (const [name, make] of forms) {
    const [sender, receiver] = make();
    const seal = measure(() => sender.seal(message), durationMs);
    // v3 nonces are counters: open frames in the order they were sealed, from a fresh pair.
    const [s2, r2] = make();
    const frames: WireFrame[] = [];
    const n = Math.max(1000, Math.ceil(seal.opsPerSec * (durationMs / 1000)));
    for (let k = 0; k < n + WARMUP_OPS; k++) frames.push(...s2.seal(message));
    let idx = 0;
    const open = measure(() => r2.open(frames[idx++ % frames.length]!), durationMs, n);
    void receiver;
    rows.push({ name, 'encode+encrypt ops/s': seal.opsPerSec, 'decrypt+decode ops/s': open.opsPerSec });
  }
  for (const [name, alg, nonce] of [
    ['raw node:crypto AES-256-GCM', 'aes-256-gcm', 16],
    ['raw node:crypto ChaCha20-Poly1305', 'chacha20-poly1305', 12],
  ] as const) {
    const [seal, open] = rawAead(alg, nonce, plaintext);
    rows.push({
      name: `${name} (${plaintext.length} B)`,
      'encode+encrypt ops/s': measure(seal, durationMs).opsPerSec,
      'decrypt+decode ops/s': measure(open, durationMs).opsPerSec,
    });
  }
  return rows;
}

/** The rows of {@link runProtocolBench} as a titled Markdown table (with the machine). */
export function formatProtocolBench(rows: readonly Row[]): string {
  const bytes = encodeUtf8(messageJson(typicalBusMessage())).length;
  return formatTable(`protocol: one ${bytes}-byte BUS message`, rows);
}
