/**
 * Helpers for relay hops (docs/PROTOCOL.md §13, "Relay hops"): a fake child hub — an SDK client of a hub that says
 * `hive.relay.hop.hello`, then records every BUS frame the hub sends it and answers the hop requests as told (or
 * not at all) — and envelopes sealed to any key.
 */

import { createHiveClient, type HiveClient } from '../../src/client/index.js';
import type { E2eIdentity } from '../../src/crypto/sealed.js';
import { e2eFingerprint, e2eIdentity, sealEnvelope } from '../../src/crypto/sealed.js';
import { base64Encode } from '../../src/protocol/hex.node.js';
import type { JsonObject } from '../../src/protocol/json.js';
import { createHiveMessage, type HiveMessage } from '../../src/protocol/message.js';
import { HiveMessageType } from '../../src/protocol/message-types.js';
import { SealedContent } from '../../src/protocol/sealed.js';

const b64 = (bytes: Uint8Array) => base64Encode('JSON-B64', bytes);

/** A directory entry of the fake hub for `identity`, under `route`. */
export function fakeEntry(name: string, identity: E2eIdentity, route: string): JsonObject {
  return {
    name,
    hub: 'fake-hub',
    hub_node: '0123456789abcdef',
    address: `${name}@0123456789abcdef`,
    room: null,
    online: true,
    x25519: b64(identity.x25519.publicKey),
    ed25519: b64(identity.ed25519.publicKey),
    fingerprint: e2eFingerprint(identity.x25519.publicKey, identity.ed25519.publicKey),
    route,
  };
}

export interface FakeChildHub {
  readonly client: HiveClient;
  /** Every BUS payload the hub sent it. */
  readonly frames: JsonObject[];
  /** Resolves with the next `hive.relay.hop.send` payload. */
  nextSend(): Promise<JsonObject>;
}

export interface FakeChildOptions {
  /** Its directory: the entries for a question (the client name asked); none answers no directory question. */
  readonly entries?: (name: string) => JsonObject[];
}

/** Connects a fake child hub to the hub at `url` with a client record's credentials; resolves once it is greeted. */
export async function fakeChildHub(
  url: string,
  credentials: { accessKey: string; password: string },
  options: FakeChildOptions = {},
): Promise<FakeChildHub> {
  const client = createHiveClient({
    url,
    accessKey: credentials.accessKey,
    password: credentials.password,
    protocol: 'legacy',
    reconnect: { enabled: false },
  });
  await client.connect();
  const frames: JsonObject[] = [];
  const sends = new Set<(payload: JsonObject) => void>();
  let greeted!: () => void;
  const hello = new Promise<void>((resolve) => {
    greeted = resolve;
  });
  client.on('*', (message: HiveMessage) => {
    if (message.msg_type !== HiveMessageType.BUS) return;
    const payload = message.payload as JsonObject;
    frames.push(payload);
    const data = (payload.data ?? {}) as JsonObject;
    const answer = (out: JsonObject) =>
      client.emit(
        createHiveMessage(HiveMessageType.BUS, {
          type: `${String(payload.type)}.response`,
          data: { ...out, request_id: data.request_id ?? null },
          context: {},
        }),
      );
    if (payload.type === 'hive.relay.hop.hello.response') greeted();
    else if (payload.type === 'hive.relay.hop.directory' && options.entries !== undefined) {
      answer({ clients: options.entries(String((data.query as JsonObject).client)) });
    } else if (payload.type === 'hive.relay.hop.send') {
      answer({ ok: true, id: 'fake', delivered: true });
      for (const resolve of sends) resolve(payload);
      sends.clear();
    }
  });
  client.emit(
    createHiveMessage(HiveMessageType.BUS, { type: 'hive.relay.hop.hello', data: {}, context: {} }),
  );
  await hello;
  return {
    client,
    frames,
    nextSend: () => new Promise((resolve) => sends.add(resolve)),
  };
}

/** A text envelope sealed to `recipientKey` (anonymous, from a throwaway reply key), as base64. */
export async function sealedFor(recipientKey: Uint8Array, text = 'x'): Promise<string> {
  const sealed = await sealEnvelope({
    recipientKey,
    content: SealedContent.TEXT,
    payload: new TextEncoder().encode(text),
    sender: { replyKey: e2eIdentity().x25519.publicKey },
  });
  return b64(sealed.envelope);
}
