/**
 * `hivelink voice --url U (--key K --password P | saved identity) [--input mic|FILE.wav] [--output speaker|DIR]
 * [--wake "hey hive"] [--ptt]`: a voice satellite. It streams audio to the hub as BINARY RAW_AUDIO (16 kHz s16le
 * mono, 100 ms chunks), prints what the hub heard (`hive.voice.heard`) and each spoken answer's text, and plays or
 * saves the answer's audio (BINARY TTS_AUDIO; with `--output DIR`, one WAV per answer, `answer-1.wav`, …).
 *
 * - `--input FILE.wav`: the file (any rate, 16-bit PCM), then a second of silence so the hub's VAD ends the
 *   utterance, then `recognizer_loop:record_end`; exits once the turn is over (`ovos.utterance.handled`, or a
 *   failure) and every answer's audio has arrived.
 * - `--input mic` (the default): `arecord` from the default ALSA device. Without `--wake`/`--ptt` everything is
 *   streamed and the hub's VAD finds the utterances; `--ptt`: Enter starts and ends an utterance; `--wake PHRASE`:
 *   the local energy VAD cuts segments, pocketsphinx spots the phrase in them, and the segment after it is sent.
 * - `--output speaker` (the default): each answer is played with `aplay`.
 *
 * On a terminal a status line shows listening / heard "…" / answering.
 *
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { HiveClient } from '../../client/index.js';
import { HiveLinkError } from '../../errors.js';
import { LIMIT_DEFS } from '../../limits.js';
import { createHiveMessage, type HiveMessage } from '../../protocol/message.js';
import { BinaryType, HiveMessageType } from '../../protocol/message-types.js';
import { PocketsphinxStt } from '../../voice/pocketsphinx.js';
import type { PcmAudio } from '../../voice/types.js';
import { EnergyVad } from '../../voice/vad.js';
import { decodeWav, pcmBytesFor, resample, STT_RATE } from '../../voice/wav.js';
import type { CliWriter } from '../admin.js';
import { clientFailure, seconds } from '../client-errors.js';
import { type ClientCommandOptions, openClient, parseSeconds, withClientOptions } from '../client-options.js';
import type { Env } from '../identity-file.js';
import { untilSignal } from '../signals.js';

export interface VoiceCommandOptions extends ClientCommandOptions {
  /** `mic` or a WAV file. @default 'mic' */
  input?: string;
  /** `speaker` or a directory. @default 'speaker' */
  output?: string;
  wake?: string;
  ptt?: boolean;
  /** How long a file's turn may take, in ms. @default 30000 */
  timeout?: number;
}

export interface VoiceIo {
  out: CliWriter;
  err: CliWriter;
  env?: Env;
  /** A terminal: show the status line. */
  tty?: boolean;
}

/** What one voice turn produced. */
export interface VoiceTurn {
  heard: string[];
  answers: string[];
  files: string[];
}

const CHUNK_MS = 100;
const CONNECT_TIMEOUT_MS = 10_000;

/** The bytes of `audio` as RAW_AUDIO messages of {@link CHUNK_MS}. */
function rawAudioMessages(audio: PcmAudio, lang: string): HiveMessage[] {
  const step = pcmBytesFor(CHUNK_MS, audio.rate);
  const out: HiveMessage[] = [];
  for (let at = 0; at < audio.data.byteLength; at += step) {
    out.push(
      createHiveMessage(HiveMessageType.BINARY, audio.data.slice(at, at + step), {
        bin_type: BinaryType.RAW_AUDIO,
        metadata: { sample_rate: audio.rate, sample_width: 2, lang },
      }),
    );
  }
  return out;
}

/** Plays a WAV with `aplay`; resolves when it finished. */
function play(wav: Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn('aplay', ['-q', '-'], { stdio: ['pipe', 'ignore', 'ignore'] });
    child.on('error', () => resolve());
    child.on('close', () => resolve());
    child.stdin.on('error', () => undefined);
    child.stdin.end(wav);
  });
}

/** Follows one connection's answers: prints them, saves or plays the audio, counts what is still to come. */
class Answers {
  readonly turn: VoiceTurn = { heard: [], answers: [], files: [] };
  #pendingAudio = 0;
  #ended = false;
  #waiters: (() => void)[] = [];
  readonly #offs: (() => void)[] = [];
  #serial = 0;

  constructor(
    client: HiveClient,
    readonly io: VoiceIo,
    readonly output: string,
  ) {
    this.#offs.push(
      client.onBus('hive.voice.heard', (m) => {
        const text = String(m.data?.utterance ?? '');
        this.turn.heard.push(text);
        this.#status(`heard "${text}"`);
        io.out.write(`heard: ${text}\n`);
      }),
      client.onBus('speak', (m) => {
        const text = String(m.data?.utterance ?? '');
        this.turn.answers.push(text);
        this.#pendingAudio += 1;
        this.#status('answering');
        io.out.write(`answer: ${text}\n`);
      }),
      client.onBus('hive.voice.error', (m) => {
        io.err.write(
          `hivelink: the hub refused the audio: ${String(m.data?.code)}: ${String(m.data?.reason)}\n`,
        );
        this.#end();
      }),
      client.onBus('hive.policy.denied', (m) => {
        io.err.write(`hivelink: the hub denied ${String(m.data?.denied_type)}: ${String(m.data?.reason)}\n`);
        this.#end();
      }),
      client.onBus('ovos.utterance.handled', () => this.#end()),
      client.on(HiveMessageType.BINARY, (m) => {
        if (m.bin_type !== BinaryType.TTS_AUDIO) return;
        this.#audio(m.payload as Uint8Array).catch(() => undefined);
      }),
    );
  }

  async #audio(wav: Uint8Array): Promise<void> {
    this.#serial += 1;
    if (this.output === 'speaker') await play(wav);
    else {
      const file = join(this.output, `answer-${this.#serial}.wav`);
      writeFileSync(file, wav);
      this.turn.files.push(file);
      this.io.out.write(`saved: ${file}\n`);
    }
    this.#pendingAudio = Math.max(0, this.#pendingAudio - 1);
    this.#check();
  }

  #status(text: string): void {
    if (this.io.tty === true) this.io.err.write(`\r\x1b[2K${text}`);
  }

  listening(): void {
    this.#status('listening');
  }

  #end(): void {
    this.#ended = true;
    this.#check();
  }

  #check(): void {
    if (!this.#ended || this.#pendingAudio > 0) return;
    for (const w of this.#waiters.splice(0)) w();
  }

  /** Resolves when the turn ended and every answer's audio arrived. */
  done(): Promise<void> {
    return new Promise((resolve) => {
      this.#waiters.push(resolve);
      this.#check();
    });
  }

  /** Ready for the next turn (mic mode). */
  reset(): void {
    this.#ended = false;
  }

  dispose(): void {
    for (const off of this.#offs) off();
  }
}

async function connected(opts: VoiceCommandOptions, io: VoiceIo): Promise<HiveClient> {
  const { client, failure } = await openClient(opts, { enabled: false }, io.env, io.err);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new HiveLinkError(
                'HL_ERR_CONNECT_FAILED',
                `no connection to the hub at ${failure.url} within ${seconds(CONNECT_TIMEOUT_MS)}`,
              ),
            ),
          CONNECT_TIMEOUT_MS,
        );
      }),
    ]);
  } catch (err) {
    client.close();
    throw clientFailure(err, failure);
  } finally {
    clearTimeout(timer);
  }
  return client;
}

/** `--input FILE.wav`: one turn. */
export async function runVoiceFile(opts: VoiceCommandOptions, io: VoiceIo): Promise<VoiceTurn> {
  const file = opts.input ?? '';
  const audio = resample(decodeWav(new Uint8Array(readFileSync(file))), STT_RATE);
  const output = opts.output ?? 'speaker';
  if (output !== 'speaker') mkdirSync(output, { recursive: true });
  const lang = opts.lang ?? 'en-US';
  const client = await connected(opts, io);
  const answers = new Answers(client, io, output);
  try {
    const silence = { rate: audio.rate, data: new Uint8Array(pcmBytesFor(1000, audio.rate)) };
    for (const m of [...rawAudioMessages(audio, lang), ...rawAudioMessages(silence, lang)]) client.emit(m);
    client.emitBus('recognizer_loop:record_end', {});
    const timeoutMs = opts.timeout ?? 30_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new HiveLinkError('HL_ERR_ASK_TIMEOUT', `no spoken answer within ${seconds(timeoutMs)}`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([answers.done(), late]);
    } finally {
      clearTimeout(timer);
    }
    if (answers.turn.heard.length === 0 && answers.turn.answers.length === 0) {
      throw new HiveLinkError('HL_ERR_NOT_UNDERSTOOD', 'the hub heard nothing it could answer');
    }
    return answers.turn;
  } finally {
    answers.dispose();
    client.close();
  }
}

/** `arecord` from the default device: 16 kHz s16le mono on stdout. */
function record(): ChildProcess {
  return spawn('arecord', ['-q', '-f', 'S16_LE', '-r', String(STT_RATE), '-c', '1', '-t', 'raw'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

/** `--input mic`: listens until SIGINT/SIGTERM. */
export async function runVoiceMic(opts: VoiceCommandOptions, io: VoiceIo): Promise<void> {
  const output = opts.output ?? 'speaker';
  if (output !== 'speaker') mkdirSync(output, { recursive: true });
  const lang = opts.lang ?? 'en-US';
  const client = await connected(opts, io);
  const answers = new Answers(client, io, output);
  const mic = record();
  const signal = untilSignal();
  const spotter =
    opts.wake === undefined
      ? null
      : new PocketsphinxStt({
          timeoutMs: LIMIT_DEFS.voiceEngineTimeoutMs.default,
          maxOutputBytes: 64 * 1024,
        });
  const sendUtterance = (pcm: Uint8Array) =>
    client.emit(
      createHiveMessage(HiveMessageType.BINARY, pcm, {
        bin_type: BinaryType.STT_AUDIO_HANDLE,
        metadata: { sample_rate: STT_RATE, sample_width: 2, lang },
      }),
    );
  let recording = false;
  let held: Buffer[] = [];
  const vad = new EnergyVad({ rate: STT_RATE });
  let segment: Buffer[] = [];
  let armed = false;
  const maxBytes = pcmBytesFor(LIMIT_DEFS.voiceMaxUtteranceMs.default, STT_RATE);
  answers.listening();
  mic.stdout?.on('data', (chunk: Buffer) => {
    if (opts.ptt === true) {
      if (recording) held.push(chunk);
      return;
    }
    if (spotter === null) {
      client.emit(rawAudioMessages({ rate: STT_RATE, data: new Uint8Array(chunk) }, lang)[0]!);
      return;
    }
    const event = vad.push(new Uint8Array(chunk));
    if (vad.speaking || event === 'end') segment.push(chunk);
    if (segment.reduce((n, b) => n + b.byteLength, 0) > maxBytes) segment = [];
    if (event !== 'end') return;
    const pcm = new Uint8Array(Buffer.concat(segment));
    segment = [];
    if (armed) {
      armed = false;
      sendUtterance(pcm);
      return;
    }
    spotter
      .spot({ rate: STT_RATE, data: pcm }, opts.wake!)
      .then((woke) => {
        if (woke) {
          armed = true;
          io.out.write('wake word heard\n');
        }
      })
      .catch(() => undefined);
  });
  let lines: ReturnType<typeof createInterface> | null = null;
  if (opts.ptt === true) {
    lines = createInterface({ input: process.stdin });
    io.err.write('press Enter to speak, Enter again to send\n');
    lines.on('line', () => {
      if (!recording) {
        recording = true;
        held = [];
        return;
      }
      recording = false;
      sendUtterance(new Uint8Array(Buffer.concat(held)));
      held = [];
    });
  }
  try {
    await signal.signalled;
  } finally {
    signal.dispose();
    lines?.close();
    mic.kill();
    spotter?.close();
    answers.dispose();
    client.close();
  }
}

/** Adds `hivelink voice` to `program`. */
export function registerVoiceCommand(
  program: Command,
  io: VoiceIo = { out: process.stdout, err: process.stderr, tty: process.stderr.isTTY === true },
): Command {
  return withClientOptions(
    program
      .command('voice')
      .description(
        'a voice satellite: speak to the hub (a microphone or a WAV file) and hear or save its answers',
      ),
  )
    .option('--input <source>', 'mic (default, arecord) or a WAV file')
    .option('--output <sink>', 'speaker (default, aplay) or a directory for one WAV per answer')
    .option(
      '--wake <phrase>',
      'listen for a wake phrase first (pocketsphinx keyphrase spotting), e.g. "hey hive"',
    )
    .option('--ptt', 'push to talk: Enter starts and ends each utterance')
    .option(
      '--timeout <seconds>',
      'with --input FILE, how long the answer may take (default 30)',
      parseSeconds,
    )
    .action(async (opts: VoiceCommandOptions) => {
      if (opts.input !== undefined && opts.input !== 'mic') await runVoiceFile(opts, io);
      else await runVoiceMic(opts, io);
    });
}
