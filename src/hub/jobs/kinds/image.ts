/**
 * `image`: resize, convert or thumbnail one image with sharp (libvips), in the job's worker thread. Params
 * `{op: 'resize' | 'convert' | 'thumbnail', width?, height?, format?, fit?, quality?}`; one output named after the
 * input with the new format's extension; result `{width, height, format, bytes}`.
 *
 * @module
 */
import { z } from 'zod';
import { HiveLinkError } from '../../../errors.js';
import { defineJob } from '../define.js';

const FORMATS = ['png', 'jpeg', 'webp', 'avif', 'tiff', 'gif'] as const;
const MIME: Record<(typeof FORMATS)[number], string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  avif: 'image/avif',
  tiff: 'image/tiff',
  gif: 'image/gif',
};
const EXT: Record<(typeof FORMATS)[number], string> = {
  png: 'png',
  jpeg: 'jpg',
  webp: 'webp',
  avif: 'avif',
  tiff: 'tiff',
  gif: 'gif',
};
const side = z.number().int().min(1).max(16_384);

export default defineJob({
  kind: 'image',
  params: z
    .object({
      op: z.enum(['resize', 'convert', 'thumbnail']),
      width: side.optional(),
      height: side.optional(),
      format: z.enum(FORMATS).optional(),
      fit: z.enum(['cover', 'contain', 'fill', 'inside', 'outside']).optional(),
      quality: z.number().int().min(1).max(100).optional(),
    })
    .refine((p) => p.op !== 'resize' || p.width !== undefined || p.height !== undefined, {
      message: 'resize needs a width or a height',
    })
    .refine((p) => p.op !== 'convert' || p.format !== undefined, { message: 'convert needs a format' }),
  inputs: { min: 1, max: 1 },
  onRestart: 'requeue',
  async run(ctx) {
    const { default: sharp } = await import('sharp');
    const input = ctx.inputs[0]!;
    const { op, width, height, fit, quality } = ctx.params;
    ctx.progress(10, 'reading');
    const meta = await sharp(input.path).metadata();
    const source = meta.format as string | undefined;
    const format =
      ctx.params.format ?? (FORMATS.includes(source as never) ? (source as (typeof FORMATS)[number]) : 'png');
    if (meta.width === undefined)
      throw new HiveLinkError('HL_ERR_JOB_FAILED', `${input.name} is not an image`);
    let pipeline = sharp(input.path).rotate();
    if (op === 'thumbnail')
      pipeline = pipeline.resize(width ?? 128, height ?? width ?? 128, { fit: fit ?? 'cover' });
    else if (op === 'resize')
      pipeline = pipeline.resize(width ?? null, height ?? null, { fit: fit ?? 'inside' });
    ctx.throwIfCancelled();
    ctx.progress(40, op === 'convert' ? `converting to ${format}` : 'resizing');
    const stem = input.name.replace(/\.[^.]*$/, '') || 'image';
    const out = ctx.output(`${stem}${op === 'thumbnail' ? '-thumb' : ''}.${EXT[format]}`, MIME[format]);
    const info = await pipeline.toFormat(format, quality === undefined ? {} : { quality }).toFile(out);
    ctx.progress(95, 'written');
    ctx.log(`${source ?? '?'} ${meta.width}x${meta.height} -> ${format} ${info.width}x${info.height}`);
    return { width: info.width, height: info.height, format, bytes: info.size };
  },
});
