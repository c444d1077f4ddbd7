/**
 * Speech to text with pocketsphinx (Debian `pocketsphinx` + `pocketsphinx-en-us`), one `pocketsphinx_continuous`
 * child process per utterance: the PCM (resampled to 16 kHz, padded, faint noise mixed in) is written to a file
 * in a private temp dir (node's stdin is a socket, which `-infile /dev/stdin` cannot open), the words come back on
 * stdout.
 *
 * - `tuned` (the default): first with the trigram language model compiled from the assistant's intents
 *   (`grammar.ts`, language weight 10) and a dictionary of just its words (it loads in a fraction of the time),
 *   rebuilt by {@link setVocabulary} when a skill loads; when it finds nothing, once more with the generic model.
 * - `generic`: the generic en-us language model and the full dictionary (free speech).
 * - {@link spot}: keyphrase spotting (`hivelink voice --wake "hey hive"`).
 *
 * Every run has the engine limits: `timeoutMs` (killed) and `maxOutputBytes` of stdout.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HiveLinkError } from '../errors.js';
import { runChild } from './child.js';
import {
  type CompiledGrammar,
  compileLanguageModel,
  dictionarySubset,
  loadDictionary,
  spokenToText,
} from './grammar.js';
import type { PcmAudio, SpeechToText, TranscribeOptions, Transcript, Vocabulary } from './types.js';
import { pcmBytesFor, resample, STT_RATE, samplesOf } from './wav.js';

/** Where Debian's `pocketsphinx-en-us` puts the US English model. */
export const DEBIAN_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';

export interface PocketsphinxInit {
  /** @default 'pocketsphinx_continuous' (on PATH) */
  readonly command?: string;
  /** A directory with `en-us/` (acoustic model), `en-us.lm.bin` and `cmudict-en-us.dict`. @default {@link DEBIAN_MODEL_DIR} */
  readonly modelDir?: string;
  /** Each run is killed after this long. */
  readonly timeoutMs: number;
  /** Most bytes of text a run may print. */
  readonly maxOutputBytes: number;
}

/** Silence added before and after the speech: pocketsphinx's VAD needs a little to find the edges. */
const PAD_MS = 300;
/** Peak of the white noise mixed in (1% of full scale, about -43 dBFS RMS). */
const NOISE_PEAK = 328;

/**
 * The samples to recognise: padded with {@link PAD_MS} on both ends, and with faint white noise mixed in. Digital
 * silence (synthesized speech, a muted microphone, the padding) throws pocketsphinx's noise estimate and
 * cepstral normalisation off; measured on espeak-ng speech, the noise roughly doubles the words recognised.
 */
function prepared(audio: PcmAudio): Uint8Array {
  const input = samplesOf(audio.data);
  const pad = pcmBytesFor(PAD_MS, audio.rate) / 2;
  const out = new Int16Array(pad + input.length + pad);
  let seed = 0x2545f491;
  for (let i = 0; i < out.length; i++) {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    const noise = ((seed >>> 0) / 4294967296 - 0.5) * 2 * NOISE_PEAK;
    const j = i - pad;
    const v = Math.round((j >= 0 && j < input.length ? input[j]! : 0) + noise);
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
  return new Uint8Array(out.buffer);
}

function words(stdout: Uint8Array): string {
  const lines = Buffer.from(stdout)
    .toString('utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('INFO:') && !l.startsWith('ERROR:') && !l.startsWith('WARN'));
  return spokenToText(lines.join(' ').toLowerCase());
}

export class PocketsphinxStt implements SpeechToText {
  readonly name = 'pocketsphinx';
  readonly #command: string;
  readonly #hmm: string;
  readonly #lm: string;
  readonly #dictPath: string;
  readonly #init: PocketsphinxInit;
  #workDir: string | null = null;
  #grammar: { gram: string; dict: string; compiled: CompiledGrammar } | null = null;
  #version = 0;

  constructor(init: PocketsphinxInit) {
    this.#init = init;
    this.#command = init.command ?? 'pocketsphinx_continuous';
    const dir = init.modelDir ?? DEBIAN_MODEL_DIR;
    this.#hmm = join(dir, 'en-us');
    this.#lm = join(dir, 'en-us.lm.bin');
    this.#dictPath = join(dir, 'cmudict-en-us.dict');
  }

  /** The grammar in use (null before {@link setVocabulary}). */
  get grammar(): CompiledGrammar | null {
    return this.#grammar?.compiled ?? null;
  }

  /**
   * Compiles `vocabulary` into the grammar and its small dictionary, written to a private temp dir (the previous
   * version stays until the next change, for runs that are still starting).
   *
   * @throws HiveLinkError `HL_ERR_VOICE_ENGINE` when the model's dictionary cannot be read.
   */
  setVocabulary(vocabulary: Vocabulary): void {
    let dict: ReadonlyMap<string, string[]>;
    try {
      dict = loadDictionary(this.#dictPath);
    } catch (err) {
      throw new HiveLinkError(
        'HL_ERR_VOICE_ENGINE',
        `pocketsphinx dictionary ${this.#dictPath}: ${String(err)}`,
        {
          cause: err,
        },
      );
    }
    const compiled = compileLanguageModel(vocabulary, dict);
    const dir = this.#dir();
    this.#version += 1;
    const gram = join(dir, `intents-${this.#version}.lm`);
    const dictFile = join(dir, `intents-${this.#version}.dict`);
    writeFileSync(gram, compiled.text);
    writeFileSync(dictFile, dictionarySubset(dict, compiled.words));
    const old = this.#grammar;
    this.#grammar = { gram, dict: dictFile, compiled };
    if (old !== null && this.#version > 2) {
      const stale = this.#version - 2;
      rmSync(join(dir, `intents-${stale}.lm`), { force: true });
      rmSync(join(dir, `intents-${stale}.dict`), { force: true });
    }
  }

  async transcribe(audio: PcmAudio, options: TranscribeOptions = {}): Promise<Transcript> {
    const pcm = prepared(resample(audio, STT_RATE));
    const grammar = this.#grammar;
    if ((options.mode ?? 'tuned') === 'tuned' && grammar !== null) {
      const text = await this.#run(
        pcm,
        ['-lm', grammar.gram, '-dict', grammar.dict, '-lw', '10'],
        options.signal,
      );
      if (text !== '') return { text, model: 'grammar' };
    }
    const text = await this.#run(pcm, ['-lm', this.#lm, '-dict', this.#dictPath], options.signal);
    return { text, model: 'generic' };
  }

  /** True when `phrase` (words of the dictionary) is spoken in `audio`. */
  async spot(audio: PcmAudio, phrase: string, signal?: AbortSignal): Promise<boolean> {
    const pcm = prepared(resample(audio, STT_RATE));
    const said = await this.#run(
      pcm,
      ['-keyphrase', phrase.toLowerCase(), '-kws_threshold', '1e-20', '-dict', this.#dictPath],
      signal,
    );
    return said.includes(phrase.toLowerCase());
  }

  /** Removes the grammar files. */
  close(): void {
    if (this.#workDir !== null) rmSync(this.#workDir, { recursive: true, force: true });
    this.#workDir = null;
    this.#grammar = null;
  }

  #dir(): string {
    this.#workDir ??= mkdtempSync(join(tmpdir(), 'hivelink-sphinx-'));
    return this.#workDir;
  }

  async #run(pcm: Uint8Array, model: readonly string[], signal: AbortSignal | undefined): Promise<string> {
    const input = join(this.#dir(), `${randomUUID()}.raw`);
    await writeFile(input, pcm, { mode: 0o600 });
    try {
      const stdout = await runChild({
        command: this.#command,
        args: [
          '-infile',
          input,
          '-hmm',
          this.#hmm,
          ...model,
          '-samprate',
          String(STT_RATE),
          '-logfn',
          '/dev/null',
        ],
        timeoutMs: this.#init.timeoutMs,
        maxOutputBytes: this.#init.maxOutputBytes,
        ...(signal === undefined ? {} : { signal }),
      });
      return words(stdout);
    } finally {
      await rm(input, { force: true });
    }
  }
}
