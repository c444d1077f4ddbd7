/**
 * BINARY (docs/PROTOCOL.md §5.2): raw bytes with a 4-bit `bin_type`. The hub hands them to the agent as
 * `hive.binary.received {bin_type, metadata, size, data}` (`data` = base64 of the bytes). A FILE's `file_name` is
 * reduced to a base name. The client needs `hive.binary.received` in its `allowedTypes`.
 *
 * @module
 */
import type { JsonObject } from '../../protocol/json.js';
import type { HiveMessage } from '../../protocol/message.js';
import { BinaryType } from '../../protocol/message-types.js';
import { BINARY_BUS_TYPE } from '../policy/index.js';
import type { HubContext, HubPeer } from '../types.js';
import { injectBus } from './bus.js';

export { BINARY_BUS_TYPE };

/** The last path segment of `name` (either slash), without control characters; `file` if nothing is left. */
export function baseName(name: string): string {
  const last = name.split(/[/\\]/).pop() ?? '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  const clean = last.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return clean === '' || clean === '.' || clean === '..' ? 'file' : clean;
}

export function handleBinary(ctx: HubContext, conn: HubPeer, message: HiveMessage): void {
  for (const tap of ctx.binaryTaps ?? []) if (tap(conn, message)) return;
  const bytes = message.payload as Uint8Array;
  const binType = message.bin_type ?? BinaryType.UNDEFINED;
  const metadata: JsonObject = { ...message.metadata };
  if (binType === BinaryType.FILE && typeof metadata.file_name === 'string') {
    metadata.file_name = baseName(metadata.file_name);
  }
  injectBus(ctx, conn, {
    type: BINARY_BUS_TYPE,
    data: {
      bin_type: binType,
      metadata,
      size: bytes.byteLength,
      data: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
    },
    context: {},
  });
}
