/**
 * Fuzz targets of the session layer: the two channels' `open()` (src/session/channel.ts) fed frames whose
 * plaintext is a mutated message sealed with the right key (so the decoders behind the crypto are reached), raw
 * mutated frames, cleartext and replays; and both handshake roles (src/session/hub-handshake.ts,
 * client-handshake.ts) fed mutated HANDSHAKE and HELLO messages at every step of real legacy, XXpsk2 and KKpsk0
 * exchanges.
 *
 * @module
 */
import type { X25519KeyPair } from '../../src/crypto/backend.js';
import { encryptBinaryFrame, encryptJsonEnvelope, LEGACY_CIPHERS } from '../../src/crypto/legacy-cipher.js';
import { CipherState, NOISE_SUITES } from '../../src/crypto/noise/index.js';
import { decodeBytes, ENCODING_NAMES, encodeBytes } from '../../src/protocol/encodings.js';
import {
  createHiveMessage,
  type HiveMessage,
  parseHiveMessage,
  serializeHiveMessage,
} from '../../src/protocol/message.js';
import { HiveMessageType } from '../../src/protocol/message-types.js';
import { LegacyChannel, V3Channel } from '../../src/session/channel.js';
import { ClientHandshake } from '../../src/session/client-handshake.js';
import { HubHandshake } from '../../src/session/hub-handshake.js';
import type { HandshakeOffer } from '../../src/session/offer.js';
import type { WireFrame } from '../../src/session/types.js';
import { V3Transport } from '../../src/session/v3-transport.js';
import { type Json, mutateBytes, mutateText, mutateValue } from './mutate.js';
import type { Rng } from './rng.js';
import {
  type DecoderTarget,
  describeValue,
  type FuzzInput,
  inputTarget,
  stringifyOrUndefined,
  type TargetContext,
  tolerate,
  tolerateAsync,
  utf8Bytes,
} from './target.js';
import { mutatedMessageText } from './targets-protocol.js';

/** A mutated bitstring (byte-level) from the corpus. */
function mutatedBits(rng: Rng, ctx: TargetContext): Uint8Array {
  const seeds = ctx.corpus.bitstrings;
  return rng.chance(0.2) ? rng.pick(seeds) : mutateBytes(rng, rng.pick(seeds), seeds);
}

/** What the peer does with a message it decoded: hand it on, i.e. seal it again (errors must be HiveLinkErrors). */
function reseal(channel: { seal(m: HiveMessage): WireFrame[] }, message: HiveMessage | null): void {
  if (message !== null) tolerate(() => channel.seal(message));
}

function describeFrames(frames: readonly WireFrame[]): Uint8Array {
  return describeValue(
    frames.map((f) =>
      f.kind === 'text'
        ? { text: f.text.slice(0, 4096) }
        : { binary: encodeBytes('JSON-HEX', f.data.subarray(0, 4096)) },
    ),
  );
}

/** The input that opens `frames` on `channel` in turn; its oracle seals again each message that came out. */
function channelInput(
  channel: { open(frame: WireFrame): HiveMessage | null; seal(m: HiveMessage): WireFrame[] },
  frames: readonly WireFrame[],
): FuzzInput {
  const decoded: (HiveMessage | null)[] = [];
  return {
    get bytes() {
      return describeFrames(frames);
    },
    run() {
      for (const frame of frames) decoded.push(tolerate(() => channel.open(frame)) ?? null);
    },
    check() {
      for (const message of decoded) reseal(channel, message);
    },
  };
}

const legacyChannelTarget = inputTarget({
  name: 'legacy-channel',
  summary:
    'LegacyChannel.open: sealed mutated JSON and bitstrings, raw mutated envelopes and frames, cleartext, replays',
  input(ctx, rng) {
    const cipher = rng.pick(LEGACY_CIPHERS);
    const encoding = rng.pick(ENCODING_NAMES);
    const key = rng.bytes(32);
    const binarize = rng.chance(0.5);
    const channel = new LegacyChannel(ctx.backend, {
      key,
      cipher,
      encoding,
      binarize,
      maxFrameBytes: rng.chance(0.9) ? 8 * 1024 * 1024 : 4096,
      legacyReplayWindow: 16,
    });
    const frames: WireFrame[] = [];
    for (let n = 1 + rng.small(3); n > 0; n--) {
      const kind = rng.weighted([
        [5, 'sealed-json'],
        [4, 'sealed-bits'],
        [2, 'raw-text'],
        [1, 'raw-binary'],
        [1, 'clear'],
        [1, 'replay'],
      ] as const);
      if (kind === 'sealed-json') {
        const plain = utf8Bytes(mutatedMessageText(rng, ctx));
        frames.push({ kind: 'text', text: encryptJsonEnvelope(ctx.backend, cipher, encoding, key, plain) });
      } else if (kind === 'sealed-bits') {
        frames.push({
          kind: 'binary',
          data: encryptBinaryFrame(ctx.backend, cipher, key, mutatedBits(rng, ctx)),
        });
      } else if (kind === 'raw-text') {
        const valid = encryptJsonEnvelope(
          ctx.backend,
          cipher,
          encoding,
          key,
          utf8Bytes(rng.pick(ctx.corpus.jsonTexts)),
        );
        frames.push({ kind: 'text', text: mutateText(rng, valid) });
      } else if (kind === 'raw-binary') {
        const valid = encryptBinaryFrame(ctx.backend, cipher, key, rng.pick(ctx.corpus.bitstrings));
        frames.push({ kind: 'binary', data: mutateBytes(rng, valid) });
      } else if (kind === 'clear') {
        frames.push({ kind: 'text', text: mutatedMessageText(rng, ctx) });
      } else if (frames.length > 0) {
        frames.push(rng.pick(frames));
      }
    }
    return channelInput(channel, frames);
  },
});

const v3ChannelTarget = inputTarget({
  name: 'v3-channel',
  summary:
    'V3Channel.open: sealed mutated JSON and bitstrings (chunked), odd markers, raw mutated frames, text frames',
  input(ctx, rng) {
    const suite = rng.pick(NOISE_SUITES);
    const key = rng.bytes(32);
    const send = new CipherState(ctx.backend, suite, key);
    const chunkBytes = rng.pick([64, 500, 65000]);
    const sender = new V3Transport(
      { send, receive: new CipherState(ctx.backend, suite, rng.bytes(32)) },
      { chunkBytes },
    );
    const frames: WireFrame[] = [];
    for (let n = 1 + rng.small(3); n > 0; n--) {
      const kind = rng.weighted([
        [5, 'json'],
        [4, 'bits'],
        [1, 'marker'],
        [1, 'raw'],
        [0.5, 'text'],
      ] as const);
      if (kind === 'json') {
        // a long text in small chunks would be thousands of frames: a long run of cheap frames, not one slow input
        const text = mutatedMessageText(rng, ctx).slice(
          0,
          chunkBytes < 100 ? 2048 : chunkBytes < 1000 ? 16 * 1024 : undefined,
        );
        for (const data of sender.seal('json', utf8Bytes(text))) frames.push({ kind: 'binary', data });
      } else if (kind === 'bits') {
        for (const data of sender.seal('bitstring', mutatedBits(rng, ctx)))
          frames.push({ kind: 'binary', data });
      } else if (kind === 'marker') {
        frames.push({
          kind: 'binary',
          data: send.encrypt(Uint8Array.of(rng.int(8), ...rng.bytes(rng.small(64)))),
        });
      } else if (kind === 'raw') {
        const valid = sender.seal('json', utf8Bytes(rng.pick(ctx.corpus.jsonTexts)))[0]!;
        frames.push({ kind: 'binary', data: mutateBytes(rng, valid) });
      } else {
        frames.push({ kind: 'text', text: mutatedMessageText(rng, ctx) });
      }
    }
    const receiver = new V3Transport(
      {
        send: new CipherState(ctx.backend, suite, rng.bytes(32)),
        receive: new CipherState(ctx.backend, suite, key),
      },
      { chunkBytes },
    );
    const channel = new V3Channel({
      transport: receiver,
      suite,
      binarize: rng.chance(0.5),
      zlib: ctx.backend.zlib,
      maxFrameBytes: rng.chance(0.9) ? 8 * 1024 * 1024 : 4096,
    });
    return channelInput(channel, frames);
  },
});

const PASSWORD = 'fuzz-Kq9vLw-3Zt8';

/** Keys and the PSK every handshake input uses (X25519 key generation is not what is fuzzed). */
interface HandshakeKeys {
  readonly hub: X25519KeyPair;
  readonly client: X25519KeyPair;
  readonly psk: Uint8Array;
}

function handshakeKeys(ctx: TargetContext): HandshakeKeys {
  return {
    hub: ctx.backend.x25519KeyPair(),
    client: ctx.backend.x25519KeyPair(),
    psk: ctx.backend.randomBytes(32),
  };
}

function hubHandshake(rng: Rng, ctx: TargetContext, keys: HandshakeKeys, pinned: boolean): HubHandshake {
  const offer: HandshakeOffer = {
    minProtocol: rng.chance(0.8) ? 2 : 3,
    maxProtocol: rng.chance(0.9) ? 3 : 2,
    binarize: rng.chance(0.5),
    encodings: rng.chance(0.8) ? ENCODING_NAMES : [rng.pick(ENCODING_NAMES)],
    ciphers: rng.chance(0.8) ? LEGACY_CIPHERS : [rng.pick(LEGACY_CIPHERS)],
    noise: rng.chance(0.9)
      ? { patterns: pinned ? ['XXpsk2', 'KKpsk0'] : ['XXpsk2'], suites: NOISE_SUITES }
      : null,
  };
  return new HubHandshake({
    backend: ctx.fastKdfBackend,
    hello: { pubkey: '-----BEGIN PUBLIC KEY-----', peer: 'fuzz::1', node_id: 'fuzz-node' },
    offer,
    password: PASSWORD,
    noiseStatic: keys.hub,
    pinnedClientKey: pinned ? keys.client.publicKey : null,
    psk: () => Promise.resolve(keys.psk),
    guard: { attempt: () => undefined },
    limits: { legacyReplayWindow: 16 },
  });
}

function clientHandshake(
  rng: Rng,
  ctx: TargetContext,
  keys: HandshakeKeys,
  pinned: boolean,
): ClientHandshake {
  return new ClientHandshake({
    backend: ctx.fastKdfBackend,
    password: PASSWORD,
    derivePsk: () => Promise.resolve(keys.psk),
    protocol: rng.pick(['auto', 'auto', 'legacy', 'v3'] as const),
    binarize: rng.chance(0.5),
    pinnedHubKey: pinned ? keys.hub.publicKey : null,
    staticKeyPair: keys.client,
  });
}

/** A HANDSHAKE/HELLO message mutated: its payload's structure, a hex Noise message's bytes, or its text. */
function mutateMessage(rng: Rng, message: HiveMessage, others: readonly Json[]): string {
  const text = serializeHiveMessage(message);
  const value = JSON.parse(text) as { payload: Record<string, Json> };
  const payload = value.payload;
  const noise = payload.noise as Record<string, Json> | undefined;
  switch (rng.int(5)) {
    case 0:
      if (noise !== undefined && typeof noise.msg === 'string') {
        noise.msg = encodeBytes('JSON-HEX', mutateBytes(rng, decodeBytes('JSON-HEX', noise.msg)));
        return JSON.stringify(value);
      }
      if (typeof payload.envelope === 'string') {
        payload.envelope = mutateText(rng, payload.envelope);
        return JSON.stringify(value);
      }
      return stringifyOrUndefined(mutateValue(rng, value as unknown as Json, others)) ?? text;
    case 1:
    case 2:
      return stringifyOrUndefined(mutateValue(rng, value as unknown as Json, others)) ?? text;
    case 3:
      return mutateText(rng, text);
    default:
      return text;
  }
}

/** Parses a (mutated) cleartext frame as the session machine does: a frame that does not parse ends there. */
function parsed(text: string): HiveMessage | undefined {
  return tolerate(() => parseHiveMessage(text));
}

/** Both ends of one opening, and the way a message passes from one to the other. */
interface Opening {
  readonly hub: HubHandshake;
  readonly client: ClientHandshake;
  /**
   * `message` as the other end receives it: serialized (mutated when `mutate`), recorded for the input's bytes,
   * and parsed; undefined when the text does not parse.
   */
  transmit(message: HiveMessage, mutate: boolean): HiveMessage | undefined;
}

/** A handshake target: each input is a fresh {@link Opening} (pinned keys or not) that `play` runs. */
function handshakeTarget(
  name: string,
  summary: string,
  play: (rng: Rng, opening: Opening) => Promise<void>,
): DecoderTarget {
  return {
    name,
    summary,
    make(ctx) {
      const keys = handshakeKeys(ctx);
      const others = ctx.corpus.jsonValues.slice(0, 20);
      return (rng) => {
        const pinned = rng.chance(0.4);
        const sent: string[] = [];
        const opening: Opening = {
          hub: hubHandshake(rng, ctx, keys, pinned),
          client: clientHandshake(rng, ctx, keys, pinned),
          transmit(message, mutate) {
            const text = mutate ? mutateMessage(rng, message, others) : serializeHiveMessage(message);
            sent.push(text);
            return parsed(text);
          },
        };
        return {
          get bytes() {
            return utf8Bytes(sent.join('\n'));
          },
          run: () => play(rng, opening),
        };
      };
    },
  };
}

const hubHandshakeTarget = handshakeTarget(
  'hub-handshake',
  'HubHandshake.handle: mutated client HANDSHAKE/HELLO at each step of legacy, XXpsk2 and KKpsk0 openings',
  async (rng, { hub, client, transmit }) => {
    // the client message to mutate: its 1st (legacy envelope or Noise msg1) or 2nd (XX msg3), or a stray HELLO
    const mutateAt = rng.weighted([
      [5, 0],
      [3, 1],
      [1, 2],
    ] as const);
    await tolerateAsync(() => client.handle(hub.helloMessage()));
    let step = await tolerateAsync(() => client.handle(hub.requestMessage()));
    for (let i = 0; i < 3; i++) {
      let message: HiveMessage | null =
        step !== undefined && (step.type === 'send' || step.type === 'established') ? step.send : null;
      if (i === mutateAt && rng.chance(0.15)) {
        message = createHiveMessage(HiveMessageType.HELLO, { pubkey: '', session: {}, site_id: 's' });
      }
      if (message === null) return;
      const incoming = transmit(message, i === mutateAt);
      if (incoming === undefined) return;
      const reply = await tolerateAsync(() => hub.handle(incoming));
      if (reply === undefined || reply.type === 'ignored' || reply.reply === null) return;
      step = await tolerateAsync(() => client.handle(reply.reply!));
      if (rng.chance(0.05)) await tolerateAsync(() => hub.handle(incoming)); // the same message again
    }
  },
);

const clientHandshakeTarget = handshakeTarget(
  'client-handshake',
  "ClientHandshake.handle: the hub's HELLO, HANDSHAKE request and response mutated, each step of a real opening",
  async (rng, { hub, client, transmit }) => {
    const mutateAt = rng.int(3); // HELLO, request, response
    const deliver = async (message: HiveMessage, i: number) => {
      const incoming = transmit(message, i === mutateAt);
      return incoming === undefined ? undefined : tolerateAsync(() => client.handle(incoming));
    };
    await deliver(hub.helloMessage(), 0);
    const step = await deliver(hub.requestMessage(), 1);
    if (step === undefined || step.type !== 'send') return;
    const reply = await tolerateAsync(() => hub.handle(step.send));
    if (reply === undefined || reply.type === 'ignored' || reply.reply === null) return;
    await deliver(reply.reply, 2);
  },
);

export const SESSION_TARGETS: readonly DecoderTarget[] = [
  legacyChannelTarget,
  v3ChannelTarget,
  hubHandshakeTarget,
  clientHandshakeTarget,
];
