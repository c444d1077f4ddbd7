/**
 * What the job kinds read of a WAV header: its rate, channels, sample width and length (RIFF chunks walked, not
 * assumed at fixed offsets).
 *
 * @module
 */
import { open } from 'node:fs/promises';

export interface WavInfo {
  readonly rate: number;
  readonly channels: number;
  readonly bits: number;
  readonly dataBytes: number;
}

/** The header of the WAV at `path`, or null when it is not a PCM WAV. */
export async function wavInfo(path: string): Promise<WavInfo | null> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    if (
      bytesRead < 12 ||
      head.toString('ascii', 0, 4) !== 'RIFF' ||
      head.toString('ascii', 8, 12) !== 'WAVE'
    ) {
      return null;
    }
    let at = 12;
    let fmt: Omit<WavInfo, 'dataBytes'> | null = null;
    while (at + 8 <= bytesRead) {
      const id = head.toString('ascii', at, at + 4);
      const size = head.readUInt32LE(at + 4);
      if (id === 'fmt ' && at + 24 <= bytesRead) {
        fmt = {
          channels: head.readUInt16LE(at + 10),
          rate: head.readUInt32LE(at + 12),
          bits: head.readUInt16LE(at + 22),
        };
      } else if (id === 'data' && fmt !== null) {
        // espeak-ng writing to a pipe leaves the size unset: take what the file holds.
        const { size: fileSize } = await handle.stat();
        const dataBytes =
          size === 0 || size === 0xffffffff ? fileSize - at - 8 : Math.min(size, fileSize - at - 8);
        return { ...fmt, dataBytes };
      }
      at += 8 + size + (size % 2);
    }
    return null;
  } finally {
    await handle.close();
  }
}

/** Milliseconds of audio in the WAV at `path` (0 when it is not one). */
export async function wavDurationMs(path: string): Promise<number> {
  const info = await wavInfo(path);
  if (info === null || info.rate === 0) return 0;
  return Math.round((info.dataBytes / (info.channels * (info.bits / 8)) / info.rate) * 1000);
}
