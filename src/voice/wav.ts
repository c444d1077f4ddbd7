/**
 * WAV files and PCM helpers: reading a RIFF/WAVE file's PCM (s16le, mono or the first channel of several),
 * writing one, resampling s16 mono to another rate (a windowed-sinc low-pass when going down, so 22.05 kHz speech
 * keeps its consonants at 16 kHz), and a stream's length in milliseconds.
 *
 * @module
 */
import { HiveLinkError } from '../errors.js';
import type { PcmAudio } from './types.js';

/** The rate every recognizer here works at (the pocketsphinx en-us model and Wyoming's usual ASR rate). */
export const STT_RATE = 16_000;

/** Milliseconds of `bytes` of s16 mono at `rate`. */
export function pcmDurationMs(bytes: number, rate: number): number {
  return rate > 0 ? Math.floor((bytes / 2) * (1000 / rate)) : 0;
}

/** Bytes of s16 mono at `rate` for `ms`. */
export function pcmBytesFor(ms: number, rate: number): number {
  return Math.floor((ms * rate) / 1000) * 2;
}

/** A WAV file (44-byte header, PCM s16le mono) holding `audio`. */
export function encodeWav(audio: PcmAudio): Uint8Array {
  const data = audio.data;
  const out = new Uint8Array(44 + data.byteLength);
  const view = new DataView(out.buffer);
  const ascii = (at: number, s: string) => {
    for (let i = 0; i < s.length; i++) out[at + i] = s.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + data.byteLength, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, audio.rate, true);
  view.setUint32(28, audio.rate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, data.byteLength, true);
  out.set(data, 44);
  return out;
}

function bad(why: string): never {
  throw new HiveLinkError('HL_ERR_AUDIO_FORMAT', `not a usable WAV file: ${why}`);
}

/**
 * The PCM of a WAV file: 16-bit PCM, any channel count (the first channel is kept). A data chunk whose size says
 * "unknown" (0 or 0x7fffffff, as `espeak-ng --stdout` writes to a pipe) runs to the end of the file.
 *
 * @throws HiveLinkError `HL_ERR_AUDIO_FORMAT` for anything else (not RIFF/WAVE, not PCM, not 16-bit, no data).
 */
export function decodeWav(bytes: Uint8Array): PcmAudio {
  if (bytes.byteLength < 12) bad('too short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (tag(0) !== 'RIFF' || tag(8) !== 'WAVE') bad('no RIFF/WAVE header');
  let at = 12;
  let rate = 0;
  let channels = 0;
  while (at + 8 <= bytes.byteLength) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > bytes.byteLength) bad('short fmt chunk');
      const format = view.getUint16(body, true);
      channels = view.getUint16(body + 2, true);
      rate = view.getUint32(body + 4, true);
      const bits = view.getUint16(body + 14, true);
      if (format !== 1 && format !== 0xfffe) bad(`format ${format} is not PCM`);
      if (bits !== 16) bad(`${bits}-bit samples (16-bit needed)`);
      if (channels < 1 || rate < 1) bad('no channels or no rate');
    } else if (id === 'data') {
      if (rate === 0) bad('data before fmt');
      const unknown = size === 0 || size >= 0x7fff0000 || body + size > bytes.byteLength;
      const end = unknown ? bytes.byteLength : body + size;
      let data: Uint8Array = bytes.slice(body, end - ((end - body) % (2 * channels)));
      if (channels > 1) data = firstChannel(data, channels);
      return { rate, data };
    }
    at = body + size + (size % 2);
  }
  return bad('no data chunk');
}

function firstChannel(data: Uint8Array, channels: number): Uint8Array {
  const frames = data.byteLength / (2 * channels);
  const out = new Uint8Array(frames * 2);
  for (let i = 0; i < frames; i++) {
    out[2 * i] = data[2 * i * channels]!;
    out[2 * i + 1] = data[2 * i * channels + 1]!;
  }
  return out;
}

/** The samples of s16le bytes (copied when unaligned). */
export function samplesOf(data: Uint8Array): Int16Array {
  const aligned = data.byteOffset % 2 === 0 ? data : data.slice();
  return new Int16Array(aligned.buffer, aligned.byteOffset, Math.floor(aligned.byteLength / 2));
}

function bytesOf(samples: Int16Array): Uint8Array {
  return new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
}

/** Half-width of the resampling kernel, in input samples at the cutoff. */
const TAPS = 12;

/**
 * `audio` at `rate` (s16 mono). Going down, a Hann-windowed sinc low-pass at 0.95 × the new Nyquist frequency
 * keeps what would alias out; going up, the same kernel interpolates.
 */
export function resample(audio: PcmAudio, rate: number): PcmAudio {
  if (audio.rate === rate) return audio;
  const input = samplesOf(audio.data);
  const ratio = rate / audio.rate;
  const outLength = Math.floor(input.length * ratio);
  const out = new Int16Array(outLength);
  const cutoff = Math.min(1, ratio) * 0.95; // relative to the input Nyquist
  const half = Math.ceil(TAPS / cutoff);
  for (let i = 0; i < outLength; i++) {
    const center = i / ratio;
    const first = Math.max(0, Math.ceil(center - half));
    const last = Math.min(input.length - 1, Math.floor(center + half));
    let sum = 0;
    let weights = 0;
    for (let j = first; j <= last; j++) {
      const x = j - center;
      const arg = Math.PI * x * cutoff;
      const sinc = arg === 0 ? 1 : Math.sin(arg) / arg;
      const window = 0.5 + 0.5 * Math.cos((Math.PI * x) / (half + 1));
      const w = sinc * window;
      sum += input[j]! * w;
      weights += w;
    }
    const v = weights === 0 ? 0 : Math.round(sum / weights);
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
  return { rate, data: bytesOf(out) };
}
