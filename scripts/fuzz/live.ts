/**
 * The live target: many fuzzing connections in parallel to a real hub in a child process, each lane reconnecting
 * whenever the hub closes it, in four sub-targets:
 *
 * - `live-preauth`: before authentication — mutated and missing tokens with frames sent at once, and raw TCP
 *   (mutated HTTP upgrade requests, then mutated websocket frame bytes); each upgrade request counts as a frame;
 * - `live-prehandshake`: an authenticated connection fed mutated client HANDSHAKEs (legacy envelope, Noise msg1,
 *   msg3 after a real msg2), stray HELLOs, garbage text and binary frames, frames sent before the hub's HELLO;
 * - `live-legacy`, `live-v3`: a real session (legacy password / Noise XXpsk2 or KKpsk0), then bursts of sealed
 *   mutated messages and bitstrings (and, in some sessions, raw mutated frames, odd v3 markers, cleartext), each
 *   burst followed by an utterance the echo agent must answer — which paces the lane and proves the session alive.
 *
 * The hub closing a connection with 1011 (internal error), or sending a frame the session cannot open, is a finding.
 *
 * @module
 */
import type { X25519KeyPair } from '../../src/crypto/backend.js';
import { nodeBackend } from '../../src/crypto/backend.node.js';
import { LEGACY_CIPHERS } from '../../src/crypto/legacy-cipher.js';
import { buildNoisePrologue, NoiseHandshake, noiseProtocolName } from '../../src/crypto/noise/index.js';
import { makeEnvelope } from '../../src/crypto/password-handshake.js';
import { ENCODING_NAMES, encodeBytes } from '../../src/protocol/encodings.js';
import { canonicalJson, type JsonObject, type JsonValue } from '../../src/protocol/json.js';
import { createHiveMessage, type HiveMessage, serializeHiveMessage } from '../../src/protocol/message.js';
import { HiveMessageType } from '../../src/protocol/message-types.js';
import { encodeUtf8 } from '../../src/session/channel.js';
import type { WireFrame } from '../../src/session/types.js';
import type { Finding } from './finding.js';
import type { HubProcess, HubSetup } from './hub-process.js';
import { FuzzConn, rawExchange, wsFrameBytes } from './live-conn.js';
import { clientHello, type FuzzSession, legacyHandshake, readOpening, v3Handshake } from './live-session.js';
import { concat, mutateBytes, mutateText } from './mutate.js';
import { Rng } from './rng.js';
import type { TargetContext } from './target.js';
import { mutatedMessageText } from './targets-protocol.js';

export const LIVE_TARGETS = ['live-preauth', 'live-prehandshake', 'live-legacy', 'live-v3'] as const;
export type LiveTarget = (typeof LIVE_TARGETS)[number];

/** What one sub-target did. */
export interface LiveTally {
  frames: number;
  connections: number;
  sessions: number;
  /** Barrier utterances the echo agent did not answer in time (the session is then closed). */
  unanswered: number;
  /** Close codes the hub sent, by code. */
  closes: Record<string, number>;
  /** Close reasons, digits masked, by code and reason. */
  reasons: Record<string, number>;
  ms: number;
}

export interface LiveOptions {
  readonly ctx: TargetContext;
  readonly hub: HubProcess;
  readonly setup: HubSetup;
  /** Frames per sub-target. */
  readonly budget: Readonly<Record<LiveTarget, number>>;
  /** Lanes per sub-target. */
  readonly lanes: Readonly<Record<LiveTarget, number>>;
  readonly deadline: number;
  readonly onFinding: (finding: Finding) => void;
  /** Filled in as the lanes work (for progress lines). @default a fresh map */
  readonly tallies?: Map<LiveTarget, LiveTally>;
}

const BURST = 16;
const FRAMES_PER_SESSION = 4000;
const BARRIER_TIMEOUT_MS = 10_000;

function newTally(): LiveTally {
  return { frames: 0, connections: 0, sessions: 0, unanswered: 0, closes: {}, reasons: {}, ms: 0 };
}

/** Runs every lane until its sub-target's budget is spent or the deadline passes. */
export async function runLive(o: LiveOptions): Promise<Map<LiveTarget, LiveTally>> {
  const tallies = o.tallies ?? new Map<LiveTarget, LiveTally>();
  for (const t of LIVE_TARGETS) tallies.set(t, newTally());
  const lanes: Promise<void>[] = [];
  let laneNo = 0;
  for (const target of LIVE_TARGETS) {
    const t0 = performance.now();
    const tally = tallies.get(target)!;
    const running: Promise<void>[] = [];
    for (let i = 0; i < o.lanes[target] && o.budget[target] > 0; i++) {
      running.push(new Lane(o, target, laneNo++, tally).run());
    }
    lanes.push(
      Promise.all(running).then(() => {
        tally.ms = performance.now() - t0;
      }),
    );
  }
  await Promise.all(lanes);
  return tallies;
}

class Lane {
  readonly #o: LiveOptions;
  readonly #target: LiveTarget;
  readonly #lane: number;
  readonly #tally: LiveTally;
  readonly #keys: X25519KeyPair = nodeBackend.x25519KeyPair();
  #hubKey: Uint8Array | null = null;
  #n = 0;
  /** The corpus without HANDSHAKE messages (one inside an open session ends it, by design). */
  readonly #sessionCtx: TargetContext;

  constructor(o: LiveOptions, target: LiveTarget, lane: number, tally: LiveTally) {
    this.#o = o;
    const c = o.ctx.corpus;
    this.#sessionCtx = { ...o.ctx, corpus: { ...c, jsonTexts: c.sessionTexts, jsonValues: c.sessionValues } };
    this.#target = target;
    this.#lane = lane;
    this.#tally = tally;
  }

  get #left(): boolean {
    return this.#tally.frames < this.#o.budget[this.#target] && Date.now() < this.#o.deadline;
  }

  /** The lane's client: one record per lane, so that each v3 lane keeps its own pinned Noise key. */
  get #accessKey(): string {
    const keys = this.#o.setup.accessKeys;
    return keys[this.#lane % keys.length]!;
  }

  #token(accessKey = this.#accessKey): string {
    return Buffer.from(`hivelink-fuzz:${accessKey}`, 'utf8').toString('base64');
  }

  #url(token: string | null): string {
    return token === null ? this.#o.hub.url : `${this.#o.hub.url}/?authorization=${token}`;
  }

  async run(): Promise<void> {
    while (this.#left) {
      if (!this.#o.hub.running) {
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      const rng = Rng.forInput(this.#o.ctx.seed, `${this.#target}-${this.#lane}`, this.#n++);
      try {
        if (this.#target === 'live-preauth') await this.#preauth(rng);
        else if (this.#target === 'live-prehandshake') await this.#prehandshake(rng);
        else await this.#session(rng);
      } catch (err) {
        // a fuzzer-side failure (never the hub's): report it, so that a lane cannot fail silently
        this.#o.onFinding({
          target: this.#target,
          kind: 'throw',
          index: null,
          seed: this.#o.ctx.seed,
          message: `live lane failed: ${(err as Error)?.message ?? String(err)}`,
          stack: (err as Error)?.stack ?? null,
          input: null,
          ms: null,
        });
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  #connect(token: string | null): FuzzConn {
    this.#tally.connections++;
    return new FuzzConn(this.#url(token), () => {
      this.#tally.frames++;
    });
  }

  /** Counts the frames and the close of a finished connection; a 1011 is a finding. */
  async #finish(conn: FuzzConn, linger = false): Promise<void> {
    const info = linger ? await conn.closed : await conn.close();
    this.#tally.closes[String(info.code)] = (this.#tally.closes[String(info.code)] ?? 0) + 1;
    const reason = `${info.code} ${info.reason.replace(/\d+/g, 'N').slice(0, 80)}`;
    this.#tally.reasons[reason] = (this.#tally.reasons[reason] ?? 0) + 1;
    if (info.code === 1011) {
      this.#o.onFinding({
        target: this.#target,
        kind: 'internal-error',
        index: null,
        seed: this.#o.ctx.seed,
        message: `the hub closed a connection with 1011: ${info.reason}`,
        stack: null,
        input: concat(...conn.recent.flatMap((r) => [r, encodeUtf8('\n---\n')])),
        ms: null,
      });
    }
  }

  async #preauth(rng: Rng): Promise<void> {
    if (rng.chance(0.4)) {
      const valid = `GET /?authorization=${this.#token()} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${Buffer.from(rng.bytes(16)).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
      const request = rng.chance(0.3) ? valid : mutateText(rng, valid);
      const chunks = [encodeUtf8(request)];
      for (let k = rng.small(8); k > 0; k--) {
        const payload = encodeUtf8(mutatedMessageText(rng, this.#o.ctx).slice(0, 2000));
        const frame = wsFrameBytes(
          rng.chance(0.8) ? rng.pick([1, 2]) : rng.int(16),
          payload,
          rng.bytes(4),
          rng.chance(0.9),
        );
        chunks.push(rng.chance(0.5) ? frame : mutateBytes(rng, frame));
      }
      this.#tally.connections++;
      this.#tally.frames += await rawExchange(this.#o.hub.port, chunks, rng.chance(0.05) ? 1500 : 100);
      return;
    }
    const token = rng.weighted<() => string | null>([
      [3, () => this.#token(mutateText(rng, this.#accessKey))],
      [2, () => uriComponent(mutateText(rng, this.#token()))],
      [1, () => this.#token(`${encodeBytes('JSON-HEX', rng.bytes(16))}`)],
      [1, () => 'A'.repeat(rng.range(1000, 8000))],
      [1, () => null],
    ])();
    const conn = this.#connect(token);
    // the upgrade request carrying the mutated token is this sub-target's input: it counts as a frame
    this.#tally.frames++;
    if (!(await conn.opened())) return this.#finish(conn, true);
    for (let k = rng.small(7); k >= 0; k--) conn.send(this.#garbageFrame(rng));
    await Promise.race([conn.closed, conn.next(rng.chance(0.05) ? 1500 : 300)]);
    await this.#finish(conn);
  }

  #garbageFrame(rng: Rng): WireFrame {
    return rng.chance(0.7)
      ? { kind: 'text', text: mutatedMessageText(rng, this.#o.ctx).slice(0, 60_000) }
      : { kind: 'binary', data: mutateBytes(rng, rng.pick(this.#o.ctx.corpus.bitstrings)) };
  }

  async #prehandshake(rng: Rng): Promise<void> {
    const conn = this.#connect(this.#token());
    if (!(await conn.opened())) return this.#finish(conn, true);
    const mode = rng.weighted([
      [3, 'legacy'],
      [3, 'msg1'],
      [2, 'msg3'],
      [2, 'garbage'],
      [1, 'early'],
    ] as const);
    if (mode === 'early') conn.send(this.#garbageFrame(rng));
    const opening = await readOpening(conn);
    if (opening === null) return this.#finish(conn);
    const clear = (m: HiveMessage) => serializeHiveMessage(m);
    const mutated = (m: HiveMessage): WireFrame => ({
      kind: 'text',
      text: rng.chance(0.5) ? mutateText(rng, clear(m)) : mutatedPayload(rng, m),
    });
    if (mode === 'legacy') {
      const envelope = rng.chance(0.8)
        ? makeEnvelope(nodeBackend, this.#o.setup.password)
        : makeEnvelope(nodeBackend, 'wrong');
      conn.send(
        mutated(
          createHiveMessage(HiveMessageType.HANDSHAKE, {
            binarize: rng.chance(0.5),
            encodings: [...ENCODING_NAMES],
            ciphers: [...LEGACY_CIPHERS],
            envelope,
          }),
        ),
      );
    } else if (mode === 'msg1' || mode === 'msg3') {
      const suite = rng.pick(['25519_ChaChaPoly_SHA256', '25519_AESGCM_SHA256'] as const);
      const hs = new NoiseHandshake(nodeBackend, {
        pattern: 'XXpsk2',
        suite,
        role: 'initiator',
        prologue: buildNoisePrologue(opening.hello, opening.request, noiseProtocolName('XXpsk2', suite)),
        psk: this.#o.setup.psk,
        staticKeyPair: this.#keys,
      });
      const msg1 = createHiveMessage(HiveMessageType.HANDSHAKE, {
        noise: {
          pattern: 'XXpsk2',
          suite,
          msg: encodeBytes(
            'JSON-HEX',
            hs.writeMessage(encodeUtf8(canonicalJson({ binarize: false, encodings: ['JSON-HEX'] }))),
          ),
        },
      });
      if (mode === 'msg1') conn.send(mutated(msg1));
      else {
        conn.send({ kind: 'text', text: clear(msg1) });
        const reply = await conn.next(5000);
        if (reply?.kind === 'text') {
          try {
            const noise = (JSON.parse(reply.text) as { payload: { noise: { msg: string } } }).payload.noise;
            hs.readMessage(Buffer.from(noise.msg, 'hex'));
            const msg3 = createHiveMessage(HiveMessageType.HANDSHAKE, {
              noise: { msg: encodeBytes('JSON-HEX', hs.writeMessage(new Uint8Array(0))) },
            });
            conn.send(mutated(msg3));
          } catch {
            conn.send(this.#garbageFrame(rng));
          }
        }
      }
    } else {
      for (let k = rng.small(3); k >= 0; k--) conn.send(this.#garbageFrame(rng));
    }
    await Promise.race([conn.closed, conn.next(rng.chance(0.05) ? 1500 : 200)]);
    await this.#finish(conn);
  }

  async #session(rng: Rng): Promise<void> {
    const conn = this.#connect(this.#token());
    if (!(await conn.opened())) return this.#finish(conn, true);
    const binarize = rng.chance(0.5);
    const session =
      this.#target === 'live-legacy'
        ? await legacyHandshake(conn, {
            backend: nodeBackend,
            password: this.#o.setup.password,
            binarize,
            encoding: rng.pick(ENCODING_NAMES),
            cipher: rng.pick(LEGACY_CIPHERS),
          })
        : await v3Handshake(conn, {
            backend: nodeBackend,
            psk: this.#o.setup.psk,
            staticKeyPair: this.#keys,
            pinnedHubKey: this.#hubKey,
            binarize,
            rng,
          });
    if (session === null) return this.#finish(conn);
    this.#hubKey = session.hubKey ?? this.#hubKey;
    this.#tally.sessions++;
    for (const f of session.channel.seal(clientHello(this.#lane, this.#n))) conn.send(f);
    // most sessions send only sealed messages (they stay open); some mix in frames that end the session
    const rawShare = rng.chance(0.15) ? 0.05 : 0;
    let barrier = 0;
    while (conn.open && conn.sent < FRAMES_PER_SESSION && this.#tally.frames < this.#o.budget[this.#target]) {
      for (let k = 0; k < BURST && conn.open; k++) {
        for (const f of this.#sessionFrames(rng, session, rawShare)) conn.send(f);
      }
      if (!conn.open) break;
      const marker = `fuzz barrier ${this.#lane} ${barrier++}`;
      for (const f of session.channel.seal(utterance(marker))) conn.send(f);
      const answered = await this.#await(conn, session, marker);
      if (!answered) break;
      if (Date.now() >= this.#o.deadline) break;
    }
    await this.#finish(conn);
  }

  #sessionFrames(rng: Rng, session: FuzzSession, rawShare: number): WireFrame[] {
    const ctx = this.#sessionCtx;
    if (rng.chance(rawShare)) {
      const valid = session.sealJson(encodeUtf8(rng.pick(ctx.corpus.jsonTexts)))[0]!;
      return [
        rng.weighted([
          [
            2,
            (): WireFrame =>
              valid.kind === 'text'
                ? { kind: 'text', text: mutateText(rng, valid.text) }
                : { kind: 'binary', data: mutateBytes(rng, valid.data) },
          ],
          [1, (): WireFrame => session.sealRaw(Uint8Array.of(rng.int(8), ...rng.bytes(rng.small(64))))],
          [1, (): WireFrame => ({ kind: 'text', text: mutatedMessageText(rng, ctx) })],
          [1, (): WireFrame => ({ kind: 'binary', data: rng.bytes(rng.small(200)) })],
        ] as const)(),
      ];
    }
    if (rng.chance(0.35)) {
      const seeds = ctx.corpus.bitstrings;
      return session.sealBitstring(
        rng.chance(0.2) ? rng.pick(seeds) : mutateBytes(rng, rng.pick(seeds), seeds),
      );
    }
    return session.sealJson(encodeUtf8(mutatedMessageText(rng, ctx)));
  }

  /** Waits for the echo of `marker`; false when the connection closed or nothing came back in time. */
  async #await(conn: FuzzConn, session: FuzzSession, marker: string): Promise<boolean> {
    const deadline = performance.now() + BARRIER_TIMEOUT_MS;
    for (;;) {
      const left = deadline - performance.now();
      const frame = left > 0 ? await conn.next(left) : null;
      if (frame === null) {
        if (conn.open) this.#tally.unanswered++;
        return false;
      }
      let message: HiveMessage | null;
      try {
        message = session.channel.open(frame);
      } catch (err) {
        this.#o.onFinding({
          target: this.#target,
          kind: 'roundtrip',
          index: null,
          seed: this.#o.ctx.seed,
          message: `the hub sent a frame the session cannot open: ${(err as Error).message}`,
          stack: (err as Error).stack ?? null,
          input: frame.kind === 'text' ? encodeUtf8(frame.text) : frame.data,
          ms: null,
        });
        return false;
      }
      const payload = message?.payload as JsonObject | undefined;
      const data = payload?.data as JsonObject | undefined;
      if (
        message?.msg_type === HiveMessageType.BUS &&
        payload?.type === 'speak' &&
        data?.utterance === marker
      )
        return true;
    }
  }
}

/** `encodeURIComponent`, with lone surrogates (which it refuses) replaced. */
function uriComponent(text: string): string {
  return encodeURIComponent(text.replace(/[\ud800-\udfff]/g, '?'));
}

function utterance(text: string): HiveMessage {
  return createHiveMessage(HiveMessageType.BUS, {
    type: 'recognizer_loop:utterance',
    data: { utterances: [text], lang: 'en-US' },
    context: {},
  });
}

/** A cleartext message with its payload mutated structurally (a Noise msg's bytes, an envelope, any field). */
function mutatedPayload(rng: Rng, message: HiveMessage): string {
  const value = JSON.parse(serializeHiveMessage(message)) as { payload: JsonObject };
  const noise = value.payload.noise as JsonObject | undefined;
  if (noise !== undefined && typeof noise.msg === 'string' && rng.chance(0.6)) {
    noise.msg = encodeBytes('JSON-HEX', mutateBytes(rng, Buffer.from(noise.msg, 'hex')));
  } else if (typeof value.payload.envelope === 'string' && rng.chance(0.5)) {
    value.payload.envelope = mutateText(rng, value.payload.envelope);
  } else {
    const keys = Object.keys(value.payload);
    const key =
      rng.chance(0.8) && keys.length > 0 ? rng.pick(keys) : rng.pick(['noise', 'envelope', 'binarize', 'x']);
    const odd: JsonValue[] = [
      null,
      1,
      -1,
      1e308,
      '',
      'x'.repeat(rng.range(1, 70_000)),
      [],
      {},
      [1],
      { msg: 1 },
      true,
    ];
    value.payload[key] = rng.pick(odd);
  }
  return JSON.stringify(value);
}
