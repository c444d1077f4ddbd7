/**
 * HiveMessage types, their 5-bit bitstring codes and the `bin_type` values of BINARY messages (docs/PROTOCOL.md §5.2).
 *
 * @module
 */
import { HiveLinkError } from '../errors.js';

/** Every HiveMessage type, by name, with its wire string. */
export const HiveMessageType = {
  HANDSHAKE: 'shake',
  BUS: 'bus',
  SHARED_BUS: 'shared_bus',
  BROADCAST: 'broadcast',
  PROPAGATE: 'propagate',
  ESCALATE: 'escalate',
  HELLO: 'hello',
  QUERY: 'query',
  CASCADE: 'cascade',
  PING: 'ping',
  RENDEZVOUS: 'rendezvous',
  THIRDPRTY: '3rdparty',
  BINARY: 'bin',
  INTERCOM: 'intercom',
} as const;

/** A HiveMessage type as it appears in `msg_type` on the wire. */
export type HiveMessageTypeName = (typeof HiveMessageType)[keyof typeof HiveMessageType];

/** The types that have a 5-bit bitstring code: every type but INTERCOM, which always travels as JSON. */
export type CodedHiveMessageTypeName = Exclude<HiveMessageTypeName, 'intercom'>;

/**
 * Wire string → 5-bit bitstring type code. INTERCOM has none. `3rdparty` keeps its legacy code 11, which current
 * peers have retired: {@link msgTypeFromCode} rejects it.
 */
export const MSG_TYPE_CODES: Readonly<Record<CodedHiveMessageTypeName, number>> = Object.freeze({
  shake: 0,
  bus: 1,
  shared_bus: 2,
  broadcast: 3,
  propagate: 4,
  escalate: 5,
  hello: 6,
  query: 7,
  cascade: 8,
  ping: 9,
  rendezvous: 10,
  '3rdparty': 11,
  bin: 12,
});

/** Code → type for the codes a decoder accepts (0–10 and 12). */
const TYPES_BY_CODE: readonly (CodedHiveMessageTypeName | undefined)[] = (() => {
  const out: (CodedHiveMessageTypeName | undefined)[] = new Array(32).fill(undefined);
  for (const [name, code] of Object.entries(MSG_TYPE_CODES) as [CodedHiveMessageTypeName, number][]) {
    if (name !== HiveMessageType.THIRDPRTY) out[code] = name;
  }
  return out;
})();

/**
 * The message type of a 5-bit bitstring type code.
 *
 * @throws HiveLinkError `HL_ERR_UNKNOWN_MSG_TYPE` for code 11 (retired `3rdparty`), 13–31, or anything that is not
 *   an integer in 0–31.
 */
export function msgTypeFromCode(code: number): CodedHiveMessageTypeName {
  const name = Number.isInteger(code) && code >= 0 ? TYPES_BY_CODE[code] : undefined;
  if (name === undefined) {
    throw new HiveLinkError('HL_ERR_UNKNOWN_MSG_TYPE', `unknown bitstring message type code ${String(code)}`);
  }
  return name;
}

const TYPE_NAMES: ReadonlySet<string> = new Set(Object.values(HiveMessageType));

/** True when `value` is the wire string of a HiveMessage type. */
export function isHiveMessageType(value: unknown): value is HiveMessageTypeName {
  return typeof value === 'string' && TYPE_NAMES.has(value);
}

/** The types whose payload is a nested HiveMessage: broadcast, propagate, escalate, query and cascade. */
export const WRAPPER_TYPES: ReadonlySet<HiveMessageTypeName> = new Set<HiveMessageTypeName>([
  HiveMessageType.BROADCAST,
  HiveMessageType.PROPAGATE,
  HiveMessageType.ESCALATE,
  HiveMessageType.QUERY,
  HiveMessageType.CASCADE,
]);

/** True when messages of type `type` wrap a nested HiveMessage (see {@link WRAPPER_TYPES}). */
export function isWrapperType(type: HiveMessageTypeName): boolean {
  return WRAPPER_TYPES.has(type);
}

/** The 4-bit `bin_type` of a BINARY message: what its bytes are (docs/PROTOCOL.md §5.2). Values 7–15 are unassigned. */
export const BinaryType = {
  UNDEFINED: 0,
  /** PCM s16le mono; metadata `sample_rate`, `sample_width`. */
  RAW_AUDIO: 1,
  /** Metadata `camera_id`. */
  NUMPY_IMAGE: 2,
  /** Metadata `file_name`. */
  FILE: 3,
  /** Metadata `lang`, `sample_rate`, `sample_width`; answered with BUS `recognizer_loop:transcribe.response`. */
  STT_AUDIO_TRANSCRIBE: 4,
  /** As STT_AUDIO_TRANSCRIBE; the transcript is injected as `recognizer_loop:utterance`. */
  STT_AUDIO_HANDLE: 5,
  /** Hub → satellite speech; metadata `lang`, `utterance`, `file_name`. */
  TTS_AUDIO: 6,
} as const;

/** A known `bin_type` value. */
export type BinaryTypeValue = (typeof BinaryType)[keyof typeof BinaryType];
