/**
 * `archive`: several input files → one zip or tar.gz with archiver (streamed to the output, entry by entry). Params
 * `{format: 'zip' | 'tar.gz', name?}`; result `{format, entries, bytes}`. Entry names are the inputs' names, made
 * unique (`a.txt`, `a (2).txt`).
 *
 * @module
 */
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { fileNameProblem } from '../../../protocol/files.js';
import { defineJob } from '../define.js';

function uniqueNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((name) => {
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    if (n === 1) return name;
    const dot = name.lastIndexOf('.');
    return dot > 0 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
  });
}

export default defineJob({
  kind: 'archive',
  params: z.object({
    format: z.enum(['zip', 'tar.gz']).default('zip'),
    name: z
      .string()
      .max(200)
      .refine((n) => fileNameProblem(n) === null, 'a name without a path or control characters')
      .optional(),
  }),
  inputs: { min: 1, max: 256 },
  onRestart: 'requeue',
  async run(ctx) {
    const { ZipArchive, TarArchive } = await import('archiver');
    const { format } = ctx.params;
    const base = ctx.params.name ?? 'archive';
    const ext = format === 'zip' ? '.zip' : '.tar.gz';
    const out = ctx.output(
      base.endsWith(ext) ? base : `${base}${ext}`,
      format === 'zip' ? 'application/zip' : 'application/gzip',
    );
    const archive =
      format === 'zip'
        ? new ZipArchive({ zlib: { level: 6 } })
        : new TarArchive({ gzip: true, gzipOptions: { level: 6 } });
    const sink = createWriteStream(out, { mode: 0o600 });
    const written = new Promise<void>((resolve, reject) => {
      sink.on('close', resolve);
      sink.on('error', reject);
      archive.on('error', reject);
    });
    const abort = () => archive.abort();
    ctx.signal.addEventListener('abort', abort);
    archive.pipe(sink);
    const names = uniqueNames(ctx.inputs.map((i) => i.name));
    let done = 0;
    archive.on('entry', () => {
      done += 1;
      ctx.progress(5 + (90 * done) / ctx.inputs.length, `${done} of ${ctx.inputs.length} files`);
    });
    ctx.inputs.forEach((input, i) => {
      archive.file(input.path, { name: names[i]! });
    });
    await archive.finalize();
    await written;
    ctx.signal.removeEventListener('abort', abort);
    ctx.throwIfCancelled();
    const bytes = (await stat(out)).size;
    ctx.log(`${format}: ${ctx.inputs.length} entries, ${bytes} bytes`);
    return { format, entries: ctx.inputs.length, bytes };
  },
});
