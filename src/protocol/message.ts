/**
 * The HiveMessage envelope (docs/PROTOCOL.md §5.1): building, strict validation, and the JSON form Python peers put on
 * the wire.
 *
 * Validation follows the newest reference line ([N]): exactly the eight wire keys, a known `msg_type`, a payload
 * object for every JSON type (PING may omit it), no empty payload for BUS, SHARED_BUS or wrappers, a string `type`
 * in every BUS payload, and a nested HiveMessage in every wrapper, itself validated the same way. Every value must
 * be plain JSON, and nesting is capped (`maxJsonDepth`, `maxWrapperDepth`) so no input can exhaust the stack.
 *
 * @module
 */
import { HiveLinkError } from '../errors.js';
import { LIMIT_DEFS } from '../limits.js';
import { type JsonObject, nestingOverflow, pythonJson } from './json.js';
import {
  HiveMessageType,
  type HiveMessageTypeName,
  isHiveMessageType,
  WRAPPER_TYPES,
} from './message-types.js';

/** One routing hop: the peer a message came from and the peers it was sent to. */
export interface RouteHop {
  source: string;
  targets: string[];
}

/**
 * A HiveMessage. `payload` depends on `msg_type`: a nested HiveMessage for the wrapper types (broadcast, propagate,
 * escalate, query, cascade), raw bytes for BINARY (`bin`, with `bin_type`), and a JSON object for every other type.
 */
export interface HiveMessage {
  msg_type: HiveMessageTypeName;
  payload: JsonObject | HiveMessage | Uint8Array;
  metadata: JsonObject;
  route: RouteHop[];
  /** Unused by every known peer; carried for completeness. */
  node: string | null;
  /** Targets a wrapped BUS message at one site. Lost in bitstrings. */
  target_site_id: string | null;
  /** Addresses an INTERCOM message to the holder of this public key. */
  target_pubkey: string | null;
  /** The hub's peer id of the sender or recipient. */
  source_peer: string | null;
  /** BINARY only: what the bytes are (`BinaryType`, 4 bits). Never serialised to JSON. */
  bin_type?: number;
}

/** Caps applied while validating a HiveMessage. */
export interface ParseOptions {
  /**
   * Deepest nesting of JSON objects and arrays, counting the envelope as 1.
   * @default LIMIT_DEFS.maxJsonDepth.default (128)
   */
  maxJsonDepth?: number;
  /**
   * Deepest nesting of wrapper messages inside one another; a wrapper around a BUS message is 1.
   * @default LIMIT_DEFS.maxWrapperDepth.default (8)
   */
  maxWrapperDepth?: number;
}

/** The eight top-level keys of a HiveMessage, in the order Python emits them. */
export const HIVE_MESSAGE_KEYS = Object.freeze([
  'msg_type',
  'payload',
  'metadata',
  'route',
  'node',
  'target_site_id',
  'target_pubkey',
  'source_peer',
] as const);

const KEY_SET: ReadonlySet<string> = new Set(HIVE_MESSAGE_KEYS);
const NULLABLE_STRING_KEYS = ['node', 'target_site_id', 'target_pubkey', 'source_peer'] as const;

interface Context {
  readonly maxJsonDepth: number;
  readonly maxWrapperDepth: number;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `option ${name} must be a whole number >= 1`);
  }
  return value;
}

function contextOf(options: ParseOptions): Context {
  return {
    maxJsonDepth: positiveInteger('maxJsonDepth', options.maxJsonDepth, LIMIT_DEFS.maxJsonDepth.default),
    maxWrapperDepth: positiveInteger(
      'maxWrapperDepth',
      options.maxWrapperDepth,
      LIMIT_DEFS.maxWrapperDepth.default,
    ),
  };
}

type Code = 'HL_ERR_INVALID_MESSAGE' | 'HL_ERR_INVALID_PAYLOAD';

function fail(code: HiveLinkError['code'], where: string, why: string): HiveLinkError {
  return new HiveLinkError(code, `${where}: ${why}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Throws unless `value` is plain JSON no deeper than the cap; `depth` is the nesting level of `value` itself. */
function assertJson(value: unknown, depth: number, ctx: Context, code: Code, where: string): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw fail(code, where, `${value} is not a JSON number`);
      return;
    case 'object': {
      if (value === null) return;
      if (depth > ctx.maxJsonDepth) throw fail(code, where, `nested deeper than ${ctx.maxJsonDepth} levels`);
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (item === undefined) throw fail(code, `${where}[${i}]`, 'undefined is not JSON');
          assertJson(item, depth + 1, ctx, code, where);
        }
        return;
      }
      if (!isPlainObject(value)) throw fail(code, where, 'contains a value that is not plain JSON');
      for (const key of Object.keys(value)) {
        const item = value[key];
        // undefined members are allowed in objects: the serialisers leave them out, as JSON.stringify does.
        if (item !== undefined) assertJson(item, depth + 1, ctx, code, where);
      }
      return;
    }
    default:
      throw fail(code, where, `a ${typeof value} is not JSON`);
  }
}

function checkRoute(value: unknown, where: string): RouteHop[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw fail('HL_ERR_INVALID_MESSAGE', `${where}.route`, 'is not a list');
  return value.map((hop: unknown, i): RouteHop => {
    const at = `${where}.route[${i}]`;
    if (!isPlainObject(hop)) throw fail('HL_ERR_INVALID_MESSAGE', at, 'is not an object');
    for (const key of Object.keys(hop)) {
      if (key !== 'source' && key !== 'targets')
        throw fail('HL_ERR_INVALID_MESSAGE', at, `unexpected key "${key}"`);
    }
    const { source, targets } = hop;
    if (typeof source !== 'string') throw fail('HL_ERR_INVALID_MESSAGE', at, 'source is not a string');
    if (!Array.isArray(targets) || !targets.every((t: unknown) => typeof t === 'string')) {
      throw fail('HL_ERR_INVALID_MESSAGE', at, 'targets is not a list of strings');
    }
    return { source, targets: [...(targets as string[])] };
  });
}

function checkMetadata(value: unknown, depth: number, ctx: Context, where: string): JsonObject {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw fail('HL_ERR_INVALID_MESSAGE', `${where}.metadata`, 'is not an object');
  assertJson(value, depth + 1, ctx, 'HL_ERR_INVALID_MESSAGE', `${where}.metadata`);
  return value as JsonObject;
}

function checkNullableString(value: unknown, key: string, where: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string')
    throw fail('HL_ERR_INVALID_MESSAGE', `${where}.${key}`, 'is not a string or null');
  return value;
}

/**
 * Validates one envelope.
 * @param depth JSON nesting level of the envelope object (1 at the top).
 * @param wrappers how many wrappers enclose this envelope.
 * @param binary whether a BINARY message with a Uint8Array payload is acceptable here (only when building one).
 */
function checkEnvelope(
  value: unknown,
  depth: number,
  wrappers: number,
  binary: boolean,
  ctx: Context,
  where: string,
): HiveMessage {
  if (!isPlainObject(value)) throw fail('HL_ERR_INVALID_MESSAGE', where, 'is not a JSON object');
  const type = value.msg_type;
  if (type === undefined) throw fail('HL_ERR_INVALID_MESSAGE', where, 'has no msg_type');
  if (typeof type !== 'string') throw fail('HL_ERR_INVALID_MESSAGE', `${where}.msg_type`, 'is not a string');
  if (!isHiveMessageType(type)) {
    throw fail(
      'HL_ERR_UNKNOWN_MSG_TYPE',
      `${where}.msg_type`,
      `unknown message type ${JSON.stringify(type)}`,
    );
  }
  if (type === HiveMessageType.BINARY && !binary) {
    throw fail('HL_ERR_INVALID_PAYLOAD', where, 'bin messages carry raw bytes and never travel as JSON');
  }
  for (const key of Object.keys(value)) {
    if (!KEY_SET.has(key) && !(binary && key === 'bin_type')) {
      throw fail('HL_ERR_EXTRA_KEY', where, `unexpected top-level key ${JSON.stringify(key)}`);
    }
  }
  const message: HiveMessage = {
    msg_type: type,
    payload: checkPayload(type, value.payload, depth, wrappers, ctx, where),
    metadata: checkMetadata(value.metadata, depth, ctx, where),
    route: checkRoute(value.route, where),
    node: null,
    target_site_id: null,
    target_pubkey: null,
    source_peer: null,
  };
  for (const key of NULLABLE_STRING_KEYS) message[key] = checkNullableString(value[key], key, where);
  if (type === HiveMessageType.BINARY) {
    const binType = value.bin_type ?? 0;
    if (typeof binType !== 'number' || !Number.isInteger(binType) || binType < 0 || binType > 15) {
      throw fail('HL_ERR_INVALID_MESSAGE', `${where}.bin_type`, 'is not an integer in 0-15');
    }
    message.bin_type = binType;
  }
  return message;
}

function checkPayload(
  type: HiveMessageTypeName,
  payload: unknown,
  depth: number,
  wrappers: number,
  ctx: Context,
  where: string,
): HiveMessage['payload'] {
  const at = `${where}.payload`;
  if (type === HiveMessageType.BINARY) {
    if (!(payload instanceof Uint8Array))
      throw fail('HL_ERR_INVALID_PAYLOAD', at, 'bin payload is not bytes');
    return payload;
  }
  if (payload === undefined) {
    if (type === HiveMessageType.PING) return {};
    throw fail('HL_ERR_INVALID_PAYLOAD', at, `is missing (required for ${type})`);
  }
  if (!isPlainObject(payload)) throw fail('HL_ERR_INVALID_PAYLOAD', at, 'is not a JSON object');
  const empty = Object.keys(payload).length === 0;
  if (WRAPPER_TYPES.has(type)) {
    if (empty) throw fail('HL_ERR_INVALID_PAYLOAD', at, `must not be empty for ${type}`);
    if (payload.msg_type === undefined) {
      throw fail('HL_ERR_INVALID_WRAPPER', at, `${type} payload is not a HiveMessage (no msg_type)`);
    }
    if (wrappers + 1 > ctx.maxWrapperDepth) {
      throw fail('HL_ERR_INVALID_WRAPPER', at, `wrappers nested deeper than ${ctx.maxWrapperDepth}`);
    }
    return checkEnvelope(payload, depth + 1, wrappers + 1, false, ctx, at);
  }
  if (type === HiveMessageType.BUS || type === HiveMessageType.SHARED_BUS) {
    if (empty) throw fail('HL_ERR_INVALID_PAYLOAD', at, `must not be empty for ${type}`);
    if (type === HiveMessageType.BUS && typeof payload.type !== 'string') {
      throw fail('HL_ERR_INVALID_PAYLOAD', at, 'bus payload has no string "type"');
    }
  }
  assertJson(payload, depth + 1, ctx, 'HL_ERR_INVALID_PAYLOAD', at);
  return payload as JsonObject;
}

/**
 * Builds a HiveMessage, filling the optional fields with their defaults (`{}`, `[]`, `null`; `bin_type` 0 for
 * BINARY), and validates it with the rules of {@link parseHiveMessage}. A wrapper's payload must be a HiveMessage
 * (or its JSON form); BINARY's must be a `Uint8Array`. JSON payload objects are kept by reference.
 *
 * @example
 * createHiveMessage(HiveMessageType.BUS, { type: 'recognizer_loop:utterance', data: { utterances: ['hi'] }, context: {} });
 * createHiveMessage(HiveMessageType.PROPAGATE, createHiveMessage(HiveMessageType.PING, { flood_id: 'f' }));
 * @throws HiveLinkError with the codes {@link parseHiveMessage} uses.
 */
export function createHiveMessage(
  msgType: HiveMessageTypeName,
  payload: HiveMessage['payload'],
  fields: Partial<Omit<HiveMessage, 'msg_type' | 'payload'>> = {},
  options: ParseOptions = {},
): HiveMessage {
  // Object.assign and assignments, not a spread with extra keys (and no delete unless needed): V8 makes such an
  // object slow, and this runs for every message the hub sends.
  const candidate: Record<string, unknown> = Object.assign({}, fields);
  candidate.msg_type = msgType;
  candidate.payload = payload;
  if (msgType !== HiveMessageType.BINARY && Object.hasOwn(candidate, 'bin_type')) delete candidate.bin_type;
  return checkEnvelope(candidate, 1, 0, true, contextOf(options), 'HiveMessage');
}

/**
 * Texts longer than this are scanned for nesting deeper than `maxJsonDepth` before `JSON.parse` (see
 * {@link nestingOverflow}): below it, parsing even the deepest text is quick (64 KiB of `[` take a few ms).
 */
export const DEPTH_SCAN_MIN_CHARS = 64 * 1024;

/**
 * Throws what validation would, without building the tree, when `text` nests deeper than `max` levels counting the
 * envelope as 1. `text` is the envelope itself, or (with `field`) the JSON of one of its fields, one level inside:
 * `HL_ERR_INVALID_PAYLOAD` for depth in the payload, `HL_ERR_INVALID_MESSAGE` elsewhere (a wrapper whose payload
 * is no message at all, which validation calls `HL_ERR_INVALID_WRAPPER`, is refused for its depth first).
 */
export function refuseDeepText(text: string, max: number, field?: 'metadata' | 'payload'): void {
  const under = nestingOverflow(text, field === undefined ? max : max - 1);
  if (under === null) return;
  const at = field ?? under;
  throw fail(
    at === 'payload' ? 'HL_ERR_INVALID_PAYLOAD' : 'HL_ERR_INVALID_MESSAGE',
    at === '' ? 'HiveMessage' : `HiveMessage.${at}`,
    `nested deeper than ${max} levels`,
  );
}

/**
 * Parses and strictly validates a HiveMessage from JSON text or an already-parsed value (docs/PROTOCOL.md §5.1).
 * Missing optional keys get their defaults. The result is a fresh envelope; JSON payloads are the parsed objects.
 *
 * @throws HiveLinkError — and nothing else —
 *   `HL_ERR_INVALID_JSON` (text is not JSON),
 *   `HL_ERR_INVALID_MESSAGE` (not an object, no msg_type, a field of the wrong type, non-JSON values),
 *   `HL_ERR_EXTRA_KEY` (a key outside the eight),
 *   `HL_ERR_UNKNOWN_MSG_TYPE`,
 *   `HL_ERR_INVALID_PAYLOAD` (missing, not an object, `{}` where forbidden, BUS without `type`, any `bin`),
 *   `HL_ERR_INVALID_WRAPPER` (a wrapper not nesting a HiveMessage, or nested too deep).
 */
export function parseHiveMessage(input: string | unknown, options: ParseOptions = {}): HiveMessage {
  let value: unknown = input;
  if (typeof input === 'string') {
    if (input.length > DEPTH_SCAN_MIN_CHARS) refuseDeepText(input, contextOf(options).maxJsonDepth);
    try {
      value = JSON.parse(input);
    } catch (err) {
      throw new HiveLinkError('HL_ERR_INVALID_JSON', 'HiveMessage text is not valid JSON', { cause: err });
    }
  }
  try {
    return checkEnvelope(value, 1, 0, false, contextOf(options), 'HiveMessage');
  } catch (err) {
    if (err instanceof HiveLinkError) throw err;
    // Only reachable with hostile objects (throwing getters, proxies); never with parsed JSON.
    throw new HiveLinkError('HL_ERR_INVALID_MESSAGE', 'HiveMessage could not be read', { cause: err });
  }
}

/**
 * The JSON form of a message: the eight keys in Python's order, wrappers converted recursively. BINARY messages
 * have no JSON form.
 *
 * @throws HiveLinkError `HL_ERR_INVALID_ARGUMENT` for a BINARY message (at any level).
 */
export function hiveMessageToJson(msg: HiveMessage): JsonObject {
  if (msg.msg_type === HiveMessageType.BINARY || msg.payload instanceof Uint8Array) {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ARGUMENT',
      'a bin message has no JSON form; send it as a bitstring',
    );
  }
  const payload = WRAPPER_TYPES.has(msg.msg_type)
    ? hiveMessageToJson(msg.payload as HiveMessage)
    : (msg.payload as JsonObject);
  return {
    msg_type: msg.msg_type,
    payload,
    metadata: msg.metadata ?? {},
    route: (msg.route ?? []).map((hop) => ({ source: hop.source, targets: [...hop.targets] })),
    node: msg.node ?? null,
    target_site_id: msg.target_site_id ?? null,
    target_pubkey: msg.target_pubkey ?? null,
    source_peer: msg.source_peer ?? null,
  };
}

/**
 * The message as the reference Python peers write it: `json.dumps` of {@link hiveMessageToJson}, with `", "` and
 * `": "` separators and non-ASCII escaped.
 *
 * @throws HiveLinkError `HL_ERR_INVALID_ARGUMENT` for a BINARY message or a value JSON cannot carry.
 */
export function serializeHiveMessage(msg: HiveMessage): string {
  return pythonJson(hiveMessageToJson(msg));
}
