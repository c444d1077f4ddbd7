/**
 * The HiveMind wire protocol, pure and browser-safe: HiveMessage types and validation, Python-compatible JSON, the
 * bitstring codec, zlib, and the legacy binary-to-text encodings.
 *
 * @example
 * import { createHiveMessage, HiveMessageType, serializeHiveMessage, encodeBitstring } from 'hivelink/protocol';
 * const msg = createHiveMessage(HiveMessageType.BUS, { type: 'speak', data: { utterance: 'hi' }, context: {} });
 * serializeHiveMessage(msg); // '{"msg_type": "bus", "payload": {...}, "metadata": {}, "route": [], ...}'
 * encodeBitstring(msg);      // Uint8Array, zlib-compressed as legacy peers expect
 *
 * @packageDocumentation
 */
export {
  BITSTRING_VERSION,
  type BitstringFrame,
  type DecodeBitstringOptions,
  decodeBitstring,
  type EncodeBitstringOptions,
  encodeBitstring,
  MAX_BITSTRING_METADATA_BYTES,
  packBitstring,
  unpackBitstring,
} from './bitstring.js';
export {
  decodeBytes,
  ENCODING_NAMES,
  type EncodingName,
  encodeBytes,
  isEncodingName,
} from './encodings.js';
export {
  canonicalJson,
  isJsonObject,
  type JsonObject,
  type JsonPrimitive,
  type JsonValue,
  pythonJson,
} from './json.js';
export {
  createHiveMessage,
  HIVE_MESSAGE_KEYS,
  type HiveMessage,
  hiveMessageToJson,
  type ParseOptions,
  parseHiveMessage,
  type RouteHop,
  serializeHiveMessage,
} from './message.js';
export {
  BinaryType,
  type BinaryTypeValue,
  type CodedHiveMessageTypeName,
  HiveMessageType,
  type HiveMessageTypeName,
  isHiveMessageType,
  isWrapperType,
  MSG_TYPE_CODES,
  msgTypeFromCode,
  WRAPPER_TYPES,
} from './message-types.js';
export { deflate, inflate, pakoZlib, type ZlibCodec } from './zlib.js';
