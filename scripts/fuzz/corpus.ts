/**
 * The valid frames every mutation starts from: HiveMessages drawn with the protocol property tests' fast-check
 * arbitraries (seeded by the run seed, so a run is repeatable), plus hand-made ones the hub treats specially
 * (utterances, pings, every wrapper, INTERCOM, a client HELLO, the deepest nesting the limits allow).
 *
 * @module
 */
import fc from 'fast-check';
import { encodeBitstring } from '../../src/protocol/bitstring.js';
import { createHiveMessage, type HiveMessage, serializeHiveMessage } from '../../src/protocol/message.js';
import { HiveMessageType } from '../../src/protocol/message-types.js';
import { bitstringHiveMessage, jsonHiveMessage } from '../../test/unit/protocol/arbitraries.js';
import type { Json } from './mutate.js';

/** The seeds of one run. */
export interface Corpus {
  /** Messages with a JSON form (no BINARY). */
  readonly jsonMessages: readonly HiveMessage[];
  /** Their Python-style JSON text. */
  readonly jsonTexts: readonly string[];
  /** The same, parsed (for structural mutation). */
  readonly jsonValues: readonly Json[];
  /** Bitstrings of bitstring-capable messages: compressed, uncompressed and versioned. */
  readonly bitstrings: readonly Uint8Array[];
  /**
   * The JSON texts of messages that are not HANDSHAKE: what a live session sends (a HANDSHAKE inside an open
   * session ends it, by design, so the live lanes send those rarely).
   */
  readonly sessionTexts: readonly string[];
  readonly sessionValues: readonly Json[];
}

const utterance = (text: string): HiveMessage =>
  createHiveMessage(HiveMessageType.BUS, {
    type: 'recognizer_loop:utterance',
    data: { utterances: [text], lang: 'en-US' },
    context: { source: 'fuzz', destination: 'hive' },
  });

/** Messages the hub has its own handling for. */
export function handMade(): HiveMessage[] {
  const bus = utterance('what time is it');
  const ping = createHiveMessage(HiveMessageType.PING, { flood_id: 'f-1', timestamp: 1 });
  let deep: HiveMessage = bus;
  for (let i = 0; i < 7; i++) deep = createHiveMessage(HiveMessageType.PROPAGATE, deep);
  let nested: Json = 'leaf';
  for (let i = 0; i < 120; i++) nested = [nested];
  return [
    bus,
    ping,
    deep,
    createHiveMessage(HiveMessageType.BROADCAST, bus),
    createHiveMessage(HiveMessageType.ESCALATE, bus),
    createHiveMessage(HiveMessageType.QUERY, bus),
    createHiveMessage(HiveMessageType.CASCADE, bus),
    createHiveMessage(HiveMessageType.PROPAGATE, ping),
    createHiveMessage(HiveMessageType.SHARED_BUS, { type: 'speak', data: { utterance: 'hi' }, context: {} }),
    createHiveMessage(
      HiveMessageType.INTERCOM,
      { ciphertext: '00', signature: '00' },
      { target_pubkey: '-----BEGIN PUBLIC KEY-----' },
    ),
    createHiveMessage(HiveMessageType.HELLO, { pubkey: '', session: { session_id: 's-1' }, site_id: 'x' }),
    createHiveMessage(HiveMessageType.HANDSHAKE, { binarize: true, envelope: '00'.repeat(24) }),
    createHiveMessage(HiveMessageType.RENDEZVOUS, { peer: 'p' }),
    createHiveMessage(HiveMessageType.BUS, { type: 'x', data: { n: nested }, context: {} } as never, {
      metadata: { m: 1 },
      route: [{ source: 'a', targets: ['b', 'c'] }],
      source_peer: 'a::b',
    }),
  ];
}

/** Builds the corpus for `seed`: `size` generated messages plus the hand-made ones. */
export function buildCorpus(seed: number, size = 160): Corpus {
  const generated = fc.sample(jsonHiveMessage(3), { seed, numRuns: size });
  const jsonMessages = [...handMade(), ...generated];
  const jsonTexts = jsonMessages.map(serializeHiveMessage);
  const jsonValues = jsonTexts.map((t) => JSON.parse(t) as Json);
  const bitMessages = [
    ...handMade().filter(
      (m) => m.msg_type !== HiveMessageType.INTERCOM && m.msg_type !== HiveMessageType.BUS,
    ),
    utterance('hello'),
    ...fc.sample(bitstringHiveMessage, { seed: seed + 1, numRuns: Math.ceil(size / 2) }),
  ];
  const bitstrings: Uint8Array[] = [];
  bitMessages.forEach((m, i) => {
    try {
      bitstrings.push(encodeBitstring(m, { compress: i % 3 !== 1, versioned: i % 3 === 2 }));
    } catch {
      // metadata over 255 bytes: not every generated message fits a bitstring
    }
  });
  const inSession = (_: unknown, i: number) => jsonMessages[i]!.msg_type !== HiveMessageType.HANDSHAKE;
  const sessionTexts = jsonTexts.filter(inSession);
  const sessionValues = jsonValues.filter(inSession);
  return { jsonMessages, jsonTexts, jsonValues, bitstrings, sessionTexts, sessionValues };
}
