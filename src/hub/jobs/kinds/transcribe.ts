/**
 * `transcribe`: a WAV → text with pocketsphinx (the Debian packages `pocketsphinx` and `pocketsphinx-en-us`): the
 * audio is brought to 16 kHz mono 16-bit with sox when it is not already, then `pocketsphinx_continuous -infile`
 * runs on it in a child process. One input (a WAV); result `{text, duration_ms, model}`.
 *
 * @module
 */
import { join } from 'node:path';
import { z } from 'zod';
import { HiveLinkError } from '../../../errors.js';
import { defineJob } from '../define.js';
import { wavDurationMs, wavInfo } from './wav-info.js';

/** Where Debian's pocketsphinx-en-us puts the US English model. */
export const POCKETSPHINX_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';

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
    if (info.rate !== 16_000 || info.channels !== 1 || info.bits !== 16) {
      ctx.progress(10, 'converting to 16 kHz mono');
      wav = join(ctx.workDir, 'speech-16k.wav');
      await ctx.exec('sox', [input.path, '-r', '16000', '-c', '1', '-b', '16', wav]);
    }
    ctx.throwIfCancelled();
    ctx.progress(30, 'recognizing');
    const model = POCKETSPHINX_MODEL_DIR;
    const { stdout } = await ctx.exec('pocketsphinx_continuous', [
      '-infile',
      wav,
      '-hmm',
      join(model, 'en-us'),
      '-lm',
      join(model, 'en-us.lm.bin'),
      '-dict',
      join(model, 'cmudict-en-us.dict'),
      '-logfn',
      '/dev/null',
    ]);
    const text = stdout
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.length > 0)
      .join(' ')
      .toLowerCase();
    ctx.progress(95, 'recognized');
    ctx.log(`pocketsphinx: ${text.length} characters`);
    return { text, duration_ms: await wavDurationMs(wav), model: 'pocketsphinx en-us' };
  },
});
