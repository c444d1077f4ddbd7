/**
 * Deeply nested JSON is refused before `JSON.parse` builds it (found by `npm run fuzz`): 16 MiB of `[` in one
 * compressed bitstring field (16 KB on the wire) held the hub's event loop for 2.5 s, and 8 MiB of `[` in a text
 * frame for 0.65 s. The refusal must be the one validation gives for the same text, with the same code.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { nodeZlib } from '../../../src/crypto/zlib.node.js';
import { isHiveLinkError } from '../../../src/errors.js';
import { decodeBitstring, packBitstring } from '../../../src/protocol/bitstring.js';
import { nestingOverflow } from '../../../src/protocol/json.js';
import { DEPTH_SCAN_MIN_CHARS, parseHiveMessage } from '../../../src/protocol/message.js';

const utf8 = new TextEncoder();

/** A compressed PING bitstring whose payload inflates to `payload` (C bit set by hand: bit 7 of byte 0). */
function compressedPing(payload: string): Uint8Array {
  const bytes = packBitstring(
    {
      msgType: 'ping',
      versioned: false,
      compressed: false,
      metadata: nodeZlib.deflate(utf8.encode('{}')),
      payload: nodeZlib.deflate(utf8.encode(payload)),
      binType: 0,
    },
    nodeZlib,
  );
  bytes[0]! |= 0x01;
  return bytes;
}

/** The error code of `fn`, or 'ok'. */
function outcome(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (err) {
    assert.ok(isHiveLinkError(err), String(err));
    return err.code;
  }
}

describe('deeply nested JSON', () => {
  it('nestingOverflow counts brackets outside strings and names the top-level key', () => {
    assert.equal(nestingOverflow('{"a": [[1]]}', 3), null);
    assert.equal(nestingOverflow('{"a": [[[1]]]}', 3), 'a');
    assert.equal(nestingOverflow('{"a": "[[[[[[", "b": {"c": {"d": {}}}}', 3), 'b');
    assert.equal(nestingOverflow('{"a\\"": "\\"[[[[", "payload": [[[[', 3), 'payload');
    assert.equal(nestingOverflow('[[[[', 3), '');
    // a string ends at a quote after an even run of backslashes; an unterminated one hides the rest
    assert.equal(nestingOverflow('{"a": "x\\\\", "b": [[[[', 3), 'b');
    assert.equal(nestingOverflow('{"a": "x\\\\\\"[[[[", "b": 1}', 3), null);
    assert.equal(nestingOverflow('{"a": "[[[[[[', 3), null);
  });

  it('a bitstring field inflating to 16 MiB of [ is refused as a payload nested too deep', () => {
    const bomb = compressedPing('['.repeat(16 * 1024 * 1024 - 64));
    assert.ok(bomb.length < 20_000);
    assert.throws(() => decodeBitstring(bomb, { zlib: nodeZlib }), {
      code: 'HL_ERR_INVALID_PAYLOAD',
      message: 'HiveMessage.payload: nested deeper than 128 levels',
    });
  });

  it('an 8 MiB text of [ is refused as a payload nested too deep', () => {
    const text = `{"msg_type": "bus", "payload": ${'['.repeat(8 * 1024 * 1024)}`;
    assert.throws(() => parseHiveMessage(text), { code: 'HL_ERR_INVALID_PAYLOAD' });
    assert.throws(
      () => parseHiveMessage(`{"metadata": ${'{"a": '.repeat(200)}`.padEnd(DEPTH_SCAN_MIN_CHARS + 1)),
      {
        code: 'HL_ERR_INVALID_MESSAGE',
      },
    );
  });

  it('large texts are refused when validation refuses the parsed value, with its code, nested or not', () => {
    const nested = fc.letrec<{ v: unknown }>((tie) => ({
      v: fc.oneof({ depthSize: 'large', maxDepth: 140 }, fc.integer(), fc.array(tie('v'), { maxLength: 2 })),
    })).v;
    fc.assert(
      fc.property(
        fc.constantFrom('bus', 'hello', 'propagate'),
        fc.constantFrom('payload', 'metadata', 'route'),
        nested,
        fc.integer({ min: 1, max: 160 }),
        (type, key, value, depth) => {
          let deep: unknown = value;
          for (let i = 0; i < depth; i++) deep = [deep];
          const envelope: Record<string, unknown> = {
            msg_type: type,
            payload: { type: 'x', pad: 'p'.repeat(DEPTH_SCAN_MIN_CHARS) },
          };
          envelope[key] =
            key === 'payload' ? { type: 'x', deep, pad: 'p'.repeat(DEPTH_SCAN_MIN_CHARS) } : { deep };
          const text = JSON.stringify(envelope);
          const scanned = outcome(() => parseHiveMessage(text));
          const validated = outcome(() => parseHiveMessage(JSON.parse(text)));
          // a wrapper whose payload is no message is refused either way; by depth first when that is too deep
          if (type === 'propagate' && validated === 'HL_ERR_INVALID_WRAPPER') assert.notEqual(scanned, 'ok');
          else assert.equal(scanned, validated);
        },
      ),
      { numRuns: 60 },
    );
  });
});
