/**
 * `transcribe`: a WAV → text with the hub's speech-to-text (`src/voice`, the {@link SpeechToText} of the voice
 * issue: pocketsphinx with Debian's `pocketsphinx-en-us` generic model). A WAV that is not 16-bit PCM is first
 * brought to 16 kHz mono 16-bit with sox; the engine resamples the rest itself. The recognizer's child process runs
 * under the job's memory limit (a `ulimit -v` wrapper in the work dir) and is killed when the job is cancelled. One
 * input (a WAV); result `{text, duration_ms, model}`.
 *
 * @module
 */
import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { HiveLinkError } from '../../../errors.js';
import { PocketsphinxStt } from '../../../voice/pocketsphinx.js';
import type { SpeechToText } from '../../../voice/types.js';
import { decodeWav, pcmDurationMs } from '../../../voice/wav.js';
import { defineJob, type JobContext } from '../define.js';
import { wavInfo } from './wav-info.js';

/** Longest a recognizer run may take (the job's own time limit usually ends it first). */
const RECOGNIZE_TIMEOUT_MS = 30 * 60_000;
/** Most text a run may print. */
const MAX_TEXT_BYTES = 4 * 1024 * 1024;

/** A `pocketsphinx_continuous` that starts under the job's address-space limit. */
function limitedCommand(ctx: JobContext<unknown>): string {
  const path = join(ctx.workDir, 'pocketsphinx-limited.sh');
  const kib = Math.floor(ctx.memoryBytes / 1024);
  writeFileSync(path, `#!/bin/sh\nulimit -v ${kib} && exec pocketsphinx_continuous "$@"\n`, { mode: 0o700 });
  return path;
}

export default defineJob({
  kind: 'transcribe',
  params: z.object({ lang: z.enum(['en-us', 'en-US', 'en']).default('en-us') }),
  inputs: { min: 1, max: 1 },
  onRestart: 'requeue',
  async run(ctx) {
    const input = ctx.inputs[0]!;
    const info = await wavInfo(input.path);
    if (info === null) throw new HiveLinkError('HL_ERR_JOB_FAILED', `${input.name} is not a PCM WAV file`);
    let wav = input.path;
    if (info.bits !== 16) {
      ctx.progress(10, 'converting to 16 kHz mono');
      wav = join(ctx.workDir, 'speech-16k.wav');
      await ctx.exec('sox', [input.path, '-r', '16000', '-c', '1', '-b', '16', wav]);
    }
    ctx.throwIfCancelled();
    ctx.progress(30, 'recognizing');
    const audio = decodeWav(new Uint8Array(await readFile(wav)));
    const stt: SpeechToText & { close(): void } = new PocketsphinxStt({
      command: limitedCommand(ctx),
      timeoutMs: RECOGNIZE_TIMEOUT_MS,
      maxOutputBytes: MAX_TEXT_BYTES,
    });
    try {
      const heard = await stt.transcribe(audio, { lang: 'en-US', mode: 'generic', signal: ctx.signal });
      ctx.progress(95, 'recognized');
      ctx.log(`${stt.name} (${heard.model}): ${heard.text.length} characters`);
      return {
        text: heard.text,
        duration_ms: Math.round(pcmDurationMs(audio.data.byteLength, audio.rate)),
        model: `${stt.name} en-us`,
      };
    } catch (err) {
      ctx.throwIfCancelled();
      // The engine's own codes (HL_ERR_VOICE_ENGINE…) say what broke; the job fails with its message.
      throw new HiveLinkError('HL_ERR_JOB_FAILED', err instanceof Error ? err.message : String(err), {
        cause: err,
      });
    } finally {
      stt.close();
    }
  },
});
