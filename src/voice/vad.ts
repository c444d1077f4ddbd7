/**
 * Voice activity detection by energy, for RAW_AUDIO streams and `hivelink voice`: 20 ms frames, each speech when its
 * level is at least 12 dB over the noise floor (which follows the quietest frames, rising slowly) and above
 * -50 dBFS. Speech starts after 3 speech frames in a row (60 ms) and ends after `silenceMs` without speech. Simple
 * and predictable; a noisy room needs a push-to-talk or `recognizer_loop:record_end` instead.
 *
 * @module
 */
import { samplesOf } from './wav.js';

export interface VadOptions {
  readonly rate: number;
  /** Silence that ends speech. @default 700 */
  readonly silenceMs?: number;
}

/** What one chunk did to the stream. */
export type VadEvent = 'none' | 'start' | 'end';

const FRAME_MS = 20;
const START_FRAMES = 3;
const MARGIN_DB = 12;
const MIN_SPEECH_DB = -50;

export class EnergyVad {
  readonly #frame: number;
  readonly #endFrames: number;
  #carry: Int16Array = new Int16Array(0);
  #floor = -90;
  #run = 0;
  #quiet = 0;
  #speaking = false;

  constructor(options: VadOptions) {
    this.#frame = Math.max(1, Math.round((options.rate * FRAME_MS) / 1000));
    this.#endFrames = Math.max(1, Math.round((options.silenceMs ?? 700) / FRAME_MS));
  }

  get speaking(): boolean {
    return this.#speaking;
  }

  /** Feeds s16le mono bytes; returns `start` or `end` when speech began or ended in them (the last change). */
  push(data: Uint8Array): VadEvent {
    const input = samplesOf(data);
    const all = new Int16Array(this.#carry.length + input.length);
    all.set(this.#carry);
    all.set(input, this.#carry.length);
    let event: VadEvent = 'none';
    let at = 0;
    for (; at + this.#frame <= all.length; at += this.#frame) {
      let sum = 0;
      for (let i = at; i < at + this.#frame; i++) sum += all[i]! * all[i]!;
      const rms = Math.sqrt(sum / this.#frame) / 32768;
      const db = rms > 0 ? 20 * Math.log10(rms) : -100;
      const speech = db > this.#floor + MARGIN_DB && db > MIN_SPEECH_DB;
      // The floor drops to a quieter frame at once and rises by 0.05 dB a frame (1 dB in 400 ms of speech).
      this.#floor = db < this.#floor ? db : Math.min(db, this.#floor + 0.05);
      if (!this.#speaking) {
        this.#run = speech ? this.#run + 1 : 0;
        if (this.#run >= START_FRAMES) {
          this.#speaking = true;
          this.#quiet = 0;
          event = 'start';
        }
      } else {
        this.#quiet = speech ? 0 : this.#quiet + 1;
        if (this.#quiet >= this.#endFrames) {
          this.#speaking = false;
          this.#run = 0;
          event = 'end';
        }
      }
    }
    this.#carry = all.slice(at);
    return event;
  }

  /** Back to listening (after a refused or finished utterance). */
  reset(): void {
    this.#speaking = false;
    this.#run = 0;
    this.#quiet = 0;
    this.#carry = new Int16Array(0);
  }
}
