/**
 * RENDEZVOUS as a raw HiveMind-shaped client speaks it (docs/PROTOCOL.md §5.5): a request with a `request_id` and
 * its answer, mail as the hub hands it out unasked, and an INTERCOM of a valid shape whose bytes nobody needs to read.
 */
import { randomBytes } from 'node:crypto';
import type { JsonObject } from '../../src/protocol/json.js';
import { createHiveMessage, type HiveMessage, serializeHiveMessage } from '../../src/protocol/message.js';
import { HiveMessageType } from '../../src/protocol/message-types.js';
import { loadVectors } from '../helpers/vectors.js';
import type { FakePeer } from './hub-harness.js';

/** The public key of the committed INTERCOM vectors' recipient: a `target_pubkey` the hub reads as RSA. */
export const VECTOR_RECIPIENT_PEM = loadVectors<{ bob: { public_key_pem: string } }>('intercom.json').bob
  .public_key_pem;

let requests = 0;

/** Sends RENDEZVOUS `payload` (with a fresh `request_id`) and resolves with the answer's payload. */
export async function rendezvous(peer: FakePeer, payload: JsonObject): Promise<JsonObject> {
  const requestId = `rdv-${++requests}`;
  peer.send(createHiveMessage(HiveMessageType.RENDEZVOUS, { ...payload, request_id: requestId }));
  const answer = await peer.waitFor(
    (m) => m.msg_type === HiveMessageType.RENDEZVOUS && (m.payload as JsonObject).request_id === requestId,
  );
  return answer.payload as JsonObject;
}

/** The next mail the hub hands out unasked (a `collect` answer without a `request_id`). */
export async function nextMail(peer: FakePeer, skip = 0): Promise<JsonObject[]> {
  let seen = 0;
  const m = await peer.waitFor((x) => {
    const p = x.payload as JsonObject;
    return (
      x.msg_type === HiveMessageType.RENDEZVOUS &&
      p.cmd === 'collect' &&
      p.request_id === undefined &&
      seen++ >= skip
    );
  });
  return (m.payload as JsonObject).messages as JsonObject[];
}

/** A hybrid-shaped INTERCOM to `targetPem` with `bytes` of (random) ciphertext: the hub accepts, nobody can read. */
export function opaqueIntercom(targetPem: string = VECTOR_RECIPIENT_PEM, bytes = 64): HiveMessage {
  const b64 = (n: number) => randomBytes(n).toString('base64');
  return createHiveMessage(
    HiveMessageType.INTERCOM,
    { encrypted_key: b64(256), ciphertext: b64(bytes), tag: b64(16), nonce: b64(16), signature: b64(256) },
    { target_pubkey: targetPem },
  );
}

/** A RENDEZVOUS `deposit` of an opaque INTERCOM for the client with access key `to`, as HiveMind sends it. */
export function deposit(peer: FakePeer, to: string, bytes = 64): Promise<JsonObject> {
  return rendezvous(peer, {
    cmd: 'deposit',
    target_key: to,
    payload: serializeHiveMessage(opaqueIntercom(undefined, bytes)),
  });
}
