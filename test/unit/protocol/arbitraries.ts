/**
 * fast-check arbitraries for protocol property tests: valid HiveMessages of every type, nested wrappers included.
 */
import fc from 'fast-check';
import type { JsonObject, JsonValue } from '../../../src/protocol/json.js';
import { createHiveMessage, type HiveMessage, type RouteHop } from '../../../src/protocol/message.js';
import { HiveMessageType, type HiveMessageTypeName } from '../../../src/protocol/message-types.js';

/** JSON values that survive a JSON round trip unchanged (-0 becomes 0, as JSON writes it). */
export const jsonValue: fc.Arbitrary<JsonValue> = fc
  .jsonValue({ maxDepth: 3 })
  .map((v) => JSON.parse(JSON.stringify(v)) as JsonValue);

export const jsonObject = (maxKeys = 5): fc.Arbitrary<JsonObject> =>
  fc.dictionary(fc.string({ maxLength: 12 }), jsonValue, { maxKeys, noNullPrototype: true });

/** Metadata small enough for a bitstring (255 bytes) even with non-ASCII escaping. */
export const smallMetadata: fc.Arbitrary<JsonObject> = fc.dictionary(
  fc.string({ maxLength: 6 }),
  fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.string({ maxLength: 8 })),
  { maxKeys: 3, noNullPrototype: true },
);

const nullableString = fc.option(fc.string({ maxLength: 20 }), { nil: null });

export const routeHop: fc.Arbitrary<RouteHop> = fc.record({
  source: fc.string({ maxLength: 20 }),
  targets: fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }),
});

const envelopeFields = fc.record({
  metadata: smallMetadata,
  route: fc.array(routeHop, { maxLength: 3 }),
  node: nullableString,
  target_site_id: nullableString,
  target_pubkey: nullableString,
  source_peer: nullableString,
});

const busPayload: fc.Arbitrary<JsonObject> = fc.record(
  {
    type: fc.string({ maxLength: 30 }),
    data: jsonObject(),
    context: jsonObject(),
  },
  { noNullPrototype: true },
);

const nonEmptyObject = fc.dictionary(fc.string({ maxLength: 12 }), jsonValue, {
  minKeys: 1,
  maxKeys: 5,
  noNullPrototype: true,
});

/** Types whose payload is a plain JSON object. */
const LEAF_TYPES: HiveMessageTypeName[] = [
  HiveMessageType.HANDSHAKE,
  HiveMessageType.HELLO,
  HiveMessageType.PING,
  HiveMessageType.RENDEZVOUS,
  HiveMessageType.THIRDPRTY,
  HiveMessageType.INTERCOM,
];
const WRAPPERS: HiveMessageTypeName[] = [
  HiveMessageType.BROADCAST,
  HiveMessageType.PROPAGATE,
  HiveMessageType.ESCALATE,
  HiveMessageType.QUERY,
  HiveMessageType.CASCADE,
];

function leaf(types: HiveMessageTypeName[]): fc.Arbitrary<HiveMessage> {
  return fc.oneof(
    fc
      .tuple(busPayload, envelopeFields)
      .map(([payload, fields]) => createHiveMessage(HiveMessageType.BUS, payload, fields)),
    fc
      .tuple(nonEmptyObject, envelopeFields)
      .map(([payload, fields]) => createHiveMessage(HiveMessageType.SHARED_BUS, payload, fields)),
    fc
      .tuple(fc.constantFrom(...types), jsonObject(), envelopeFields)
      .map(([type, payload, fields]) => createHiveMessage(type, payload, fields)),
  );
}

/**
 * A valid HiveMessage that has a JSON form (no BINARY), with wrappers nested up to `maxWrappers` deep.
 * @param types the leaf types besides BUS and SHARED_BUS.
 */
export function jsonHiveMessage(
  maxWrappers = 2,
  types: HiveMessageTypeName[] = LEAF_TYPES,
): fc.Arbitrary<HiveMessage> {
  const { message } = fc.letrec<{ message: HiveMessage }>((tie) => ({
    message: fc.oneof(
      { depthSize: 'small', maxDepth: maxWrappers },
      leaf(types),
      fc
        .tuple(fc.constantFrom(...WRAPPERS), tie('message'), envelopeFields)
        .map(([type, inner, fields]) => createHiveMessage(type, inner, fields)),
    ),
  }));
  return message;
}

/** Messages a bitstring can carry at top level: everything but INTERCOM and 3rdparty (inner messages may be any). */
export const bitstringHiveMessage: fc.Arbitrary<HiveMessage> = fc.oneof(
  jsonHiveMessage(2, [
    HiveMessageType.HANDSHAKE,
    HiveMessageType.HELLO,
    HiveMessageType.PING,
    HiveMessageType.RENDEZVOUS,
  ]),
  fc
    .tuple(fc.constantFrom(...WRAPPERS), jsonHiveMessage(1), envelopeFields)
    .map(([type, inner, fields]) => createHiveMessage(type, inner, fields)),
  fc
    .tuple(fc.uint8Array({ maxLength: 600 }), fc.integer({ min: 0, max: 15 }), envelopeFields)
    .map(([bytes, binType, fields]) =>
      createHiveMessage(HiveMessageType.BINARY, bytes, { ...fields, bin_type: binType }),
    ),
);
