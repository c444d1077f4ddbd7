/**
 * The voice path's two engine interfaces, kept small so more engines can be added: {@link SpeechToText} turns PCM
 * audio into text, {@link TextToSpeech} turns text into a WAV. Audio between the parts is always
 * {@link PcmAudio}: headerless signed 16-bit little-endian mono PCM at a stated rate (the HiveMind RAW_AUDIO form).
 *
 * Engines here: `pocketsphinx` (`pocketsphinx.ts`, a child process per utterance with a grammar compiled from the
 * assistant's intents), `espeak-ng` (`espeak.ts`, a child process writing a WAV), and `wyoming://HOST:PORT` for
 * both (`wyoming/client.ts`). `engines.ts` builds one from its spec string.
 *
 * @module
 */

/** Signed 16-bit little-endian mono PCM. */
export interface PcmAudio {
  /** Samples per second. */
  readonly rate: number;
  /** The samples, 2 bytes each. */
  readonly data: Uint8Array;
}

/** What a recognizer is told about one utterance. */
export interface TranscribeOptions {
  /** Language tag of the speech. @default 'en-US' */
  readonly lang?: string;
  /**
   * `tuned`: recognise with the grammar compiled from the assistant's intents first, the generic model when it
   * finds nothing; `generic`: the generic model only. Engines without a grammar ignore it. @default 'tuned'
   */
  readonly mode?: 'tuned' | 'generic';
  /** Aborts the work (the child process is killed). */
  readonly signal?: AbortSignal;
}

/** What a recognizer heard. */
export interface Transcript {
  /** The words, lowercase, '' when nothing was recognised. */
  readonly text: string;
  /** Which model produced it (`grammar`, `generic`, or the remote engine's name). */
  readonly model: string;
}

/**
 * The words the assistant can handle, for a recognizer that can be tuned to them: example-sentence templates in the
 * intent engine's syntax (`(a|b)`, `[optional]`, `{slot}`, `{slot:type}`, `*`) and the values of list entities.
 */
export interface Vocabulary {
  /** Templates, each with the intent it belongs to. */
  readonly templates: readonly { readonly intent: string; readonly source: string }[];
  /** List entities by type: their values (phrases). A pattern entity is absent. */
  readonly entities: Readonly<Record<string, readonly string[]>>;
  /** Keyword vocabulary lines (synonyms split on `|`), for keyword intents. */
  readonly keywords: readonly string[];
}

export interface SpeechToText {
  /** `pocketsphinx`, `wyoming://host:port`, … (for logs and `describe`). */
  readonly name: string;
  /** Recognises one utterance. Rejects with a `HiveLinkError` (`HL_ERR_VOICE_ENGINE*`) when the engine fails. */
  transcribe(audio: PcmAudio, options?: TranscribeOptions): Promise<Transcript>;
  /** The assistant's vocabulary changed (a skill loaded): a tunable engine rebuilds its grammar. */
  setVocabulary?(vocabulary: Vocabulary): void;
}

/** What a synthesizer is told about one text. */
export interface SynthesizeOptions {
  readonly lang?: string;
  /** Engine voice name (espeak-ng: `en-us`, `en-gb`, `en-us+f3`; Wyoming: the server's voice). */
  readonly voice?: string;
  /** Words per minute (espeak-ng). */
  readonly rate?: number;
  readonly signal?: AbortSignal;
}

export interface TextToSpeech {
  readonly name: string;
  /** Speaks `text` into PCM audio (its rate is the engine's). */
  synthesize(text: string, options?: SynthesizeOptions): Promise<PcmAudio>;
}
