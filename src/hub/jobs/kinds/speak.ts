/**
 * `speak`: text → WAV with espeak-ng (the Debian package), in a child process. Params `{text, voice?, rate?}`;
 * one output, `speech.wav`; result `{voice, bytes, duration_ms}`.
 *
 * @module
 */
import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { defineJob } from '../define.js';
import { wavDurationMs } from './wav-info.js';

export default defineJob({
  kind: 'speak',
  params: z.object({
    text: z.string().min(1).max(10_000),
    voice: z
      .string()
      .regex(/^[A-Za-z0-9+_-]{1,40}$/)
      .default('en-us'),
    rate: z.number().int().min(80).max(450).optional(),
  }),
  inputs: { max: 0 },
  onRestart: 'requeue',
  async run(ctx) {
    const { text, voice, rate } = ctx.params;
    ctx.progress(10, 'synthesizing');
    const out = ctx.output('speech.wav', 'audio/wav');
    const args = ['-v', voice, '-w', out, ...(rate === undefined ? [] : ['-s', String(rate)]), '--stdin'];
    await ctx.exec('espeak-ng', args, { input: text });
    ctx.progress(90, 'written');
    const bytes = (await stat(out)).size;
    ctx.log(`espeak-ng ${voice}: ${bytes} bytes`);
    return { voice, bytes, duration_ms: await wavDurationMs(out) };
  },
});
