/**
 * `hivelink wyoming-serve [--host H] [--port P] [--stt pocketsphinx|none] [--tts espeak-ng|none] [--tts-voice V]
 * [--tts-rate WPM]`: a Wyoming server (`src/voice/wyoming/server.ts`) in front of pocketsphinx and espeak-ng, for
 * Home Assistant or a hub's `--stt/--tts wyoming://HOST:PORT`. The recognizer is tuned to the built-in skills'
 * intents. Prints `wyoming server listening on tcp://HOST:PORT` once it listens; stops on SIGINT/SIGTERM.
 *
 * @module
 */
import { type Command, InvalidArgumentError } from 'commander';
import { Assistant } from '../../assistant/assistant.js';
import { MemoryBus } from '../../bus/memory-bus.js';
import { LIMIT_DEFS } from '../../limits.js';
import { parseTtsRate } from '../../voice/config.js';
import { createStt, createTts } from '../../voice/engines.js';
import type { SpeechToText, TextToSpeech } from '../../voice/types.js';
import { vocabularyOf } from '../../voice/vocabulary.js';
import { pcmBytesFor } from '../../voice/wav.js';
import { WyomingServer } from '../../voice/wyoming/server.js';
import type { CliWriter } from '../admin.js';
import { untilSignal } from '../signals.js';
import { parsePort } from './serve.js';

export interface WyomingServeOptions {
  host?: string;
  port?: number;
  stt?: string;
  tts?: string;
  ttsVoice?: string;
  ttsRate?: number;
}

/** The engines of the options, the recognizer tuned to the built-in skills. */
export async function wyomingEngines(
  opts: WyomingServeOptions,
): Promise<{ stt: SpeechToText | null; tts: TextToSpeech | null }> {
  const limits = {
    timeoutMs: LIMIT_DEFS.voiceEngineTimeoutMs.default,
    maxOutputBytes: LIMIT_DEFS.voiceMaxSynthBytes.default,
  };
  const sttSpec = opts.stt ?? 'pocketsphinx';
  const ttsSpec = opts.tts ?? 'espeak-ng';
  const stt = sttSpec === 'none' ? null : createStt(sttSpec, limits);
  if (stt?.setVocabulary !== undefined) {
    const assistant = new Assistant({ bus: new MemoryBus() });
    await assistant.start();
    stt.setVocabulary(vocabularyOf(assistant.skills()));
    assistant.stop();
  }
  const tts =
    ttsSpec === 'none' ? null : createTts(ttsSpec, limits, { voice: opts.ttsVoice, rate: opts.ttsRate });
  return { stt, tts };
}

/** Serves until `until` settles. */
export async function runWyomingServe(
  opts: WyomingServeOptions,
  out: CliWriter,
  until: Promise<unknown>,
): Promise<void> {
  const { stt, tts } = await wyomingEngines(opts);
  const server = new WyomingServer({
    stt,
    tts,
    maxAudioBytes: pcmBytesFor(LIMIT_DEFS.voiceMaxUtteranceMs.default, 48_000),
    voices: ['en-us', 'en-gb', 'en-us+f3'],
  });
  const host = opts.host ?? '127.0.0.1';
  const port = await server.listen(opts.port ?? 10300, host);
  out.write(`wyoming server listening on tcp://${host}:${port}\n`);
  try {
    await until;
  } finally {
    await server.close();
  }
}

function engine(kind: 'stt' | 'tts') {
  return (value: string): string => {
    const ok = kind === 'stt' ? ['pocketsphinx', 'none'] : ['espeak-ng', 'none'];
    if (!ok.includes(value) && !value.startsWith('wyoming://')) {
      throw new InvalidArgumentError(`expected ${ok.join(', ')} or wyoming://HOST:PORT.`);
    }
    return value;
  };
}

/** Adds `hivelink wyoming-serve` to `program`. */
export function registerWyomingCommand(program: Command, out: CliWriter = process.stdout): Command {
  return program
    .command('wyoming-serve')
    .description(
      'serve pocketsphinx and espeak-ng over the Wyoming protocol (Home Assistant speech services)',
    )
    .option('--host <host>', 'address to listen on (default 127.0.0.1)')
    .option('--port <port>', 'port, 0 picks a free one (default 10300)', parsePort)
    .option('--stt <engine>', 'speech to text: pocketsphinx (default), none', engine('stt'))
    .option('--tts <engine>', 'text to speech: espeak-ng (default), none', engine('tts'))
    .option('--tts-voice <voice>', 'espeak-ng voice (default en-us)')
    .option('--tts-rate <wpm>', 'espeak-ng words per minute (default 160)', parseTtsRate)
    .action(async (opts: WyomingServeOptions) => {
      const signal = untilSignal();
      try {
        await runWyomingServe(opts, out, signal.signalled);
      } finally {
        signal.dispose();
      }
    });
}
