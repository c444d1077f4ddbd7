/**
 * Sealed messages (relay mode, docs/PROTOCOL.md §13) in the terminal clients: `hivelink send`, `hivelink inbox` and
 * the chat's `/msg`, `/anon` and `/reply`. Who a name means (a client, else every other client of a room, from the
 * hub's directory of end-to-end keys), sending to each and saying what became of it, and one line or one JSON
 * object per message received.
 *
 * @module
 */

import type { HiveClient } from '../client/index.js';
import type { DirectoryEntry, PrivateMessage, PrivateSent } from '../client/sealed.js';
import { HiveLinkError, isHiveLinkError } from '../errors.js';

/** What sending to one recipient came to: the hub's answer, or its refusal. */
export interface SendOutcome {
  readonly to: DirectoryEntry;
  readonly sent: PrivateSent | null;
  readonly error: HiveLinkError | null;
}

/**
 * The recipients `to` names: the client of that name (or id) that published end-to-end keys, else the other
 * clients of the room of that name that did.
 * @throws HiveLinkError `HL_ERR_SEALED_NO_KEY` (a known client or room, but nobody there published keys: a client
 *   publishes them the first time it runs `hivelink inbox`, `send` or `chat`), `HL_ERR_ROOM_EMPTY` (only this
 *   client is in the room), `HL_ERR_SEALED_UNKNOWN_RECIPIENT` (no client or room of that name)
 */
export async function resolveRecipients(client: HiveClient, to: string): Promise<DirectoryEntry[]> {
  const named = await client.directory({ client: to });
  if (named.length > 0) return named;
  const room = await client.directory({ room: to });
  const me = await client.sealed.fingerprint();
  const others = room.filter((e) => e.fingerprint !== me);
  if (others.length > 0) return others;
  if (room.length > 0) {
    throw new HiveLinkError('HL_ERR_ROOM_EMPTY', `nobody but you in ${to} can receive sealed messages`);
  }
  if (await isKnownName(client, to)) {
    throw new HiveLinkError(
      'HL_ERR_SEALED_NO_KEY',
      `${to} has published no end-to-end keys yet (a client publishes them the first time it runs hivelink inbox, send or chat)`,
    );
  }
  throw new HiveLinkError('HL_ERR_SEALED_UNKNOWN_RECIPIENT', `no client or room named ${JSON.stringify(to)}`);
}

/** True when the house knows `name` as a room or a client (false when it cannot be asked). */
async function isKnownName(client: HiveClient, name: string): Promise<boolean> {
  const wanted = name.toLowerCase();
  try {
    const { rooms, unassigned } = await client.rooms();
    return (
      rooms.some((r) => r.name.toLowerCase() === wanted || r.clients.some((c) => c.name === name)) ||
      unassigned.some((c) => c.name === name)
    );
  } catch {
    return false;
  }
}

/**
 * Seals `text` to every recipient `to` names and has the hub relay it; one outcome per recipient, in order.
 * @throws HiveLinkError as {@link resolveRecipients}
 */
export async function sendToAll(
  client: HiveClient,
  to: string,
  text: string,
  anonymous: boolean,
): Promise<SendOutcome[]> {
  const out: SendOutcome[] = [];
  for (const entry of await resolveRecipients(client, to)) {
    try {
      out.push({ to: entry, sent: await client.sendPrivate(entry, text, { anonymous }), error: null });
    } catch (err) {
      const error = isHiveLinkError(err) ? err : new HiveLinkError('HL_ERR_INTERNAL', String(err));
      out.push({ to: entry, sent: null, error });
    }
  }
  return out;
}

/** One line for people: what became of a message to one recipient. */
export function outcomeLine(o: SendOutcome): string {
  if (o.sent?.delivered === true) return `Delivered to ${o.to.name}.`;
  if (o.sent !== null) return `${o.to.name} is offline: the message waits in the hub's mailbox.`;
  if (o.error?.code === 'HL_ERR_CONSENT_PENDING') {
    return `Held for ${o.to.name}: it is asked whether to accept messages from you, and gets it if it says yes.`;
  }
  return `Not sent to ${o.to.name}: ${o.error?.message ?? 'refused'} (${o.error?.code ?? 'HL_ERR_INTERNAL'}).`;
}

/** True when the message reached the hub's side for the recipient (delivered, deposited, or held for consent). */
export function accepted(o: SendOutcome): boolean {
  return o.sent !== null || o.error?.code === 'HL_ERR_CONSENT_PENDING';
}

/** What a message says, for one line: its text, a bus message as JSON, or a byte count. */
function body(m: PrivateMessage): string {
  if (m.text !== null) return m.text;
  if (m.bus !== null) return JSON.stringify(m.bus);
  return `<${m.bytes?.length ?? 0} bytes>`;
}

/** `alice: hello`, `anonymous: hello`, `reply from bob: hello`. */
export function privateLine(m: PrivateMessage): string {
  const who = m.sender?.name ?? 'anonymous';
  return `${m.isReply ? `reply from ${who}` : who}: ${body(m)}`;
}

/** The JSON object `hivelink inbox --json` prints for one message. */
export function privateJson(m: PrivateMessage, receivedAt: number): Record<string, unknown> {
  return {
    id: m.id,
    kind: m.kind,
    text: m.kind === 'bytes' ? null : body(m),
    ...(m.bus === null ? {} : { bus: m.bus }),
    ...(m.bytes === null ? {} : { bytes_base64: Buffer.from(m.bytes).toString('base64') }),
    sender: m.sender?.name ?? null,
    sender_id: m.sender?.clientId ?? null,
    sender_fingerprint: m.sender?.fingerprint ?? null,
    anonymous: m.anonymous,
    reply: m.isReply,
    sent_at: new Date(m.timestamp).toISOString(),
    received_at: new Date(receivedAt).toISOString(),
    via: m.depositedAt === null ? 'live' : 'mailbox',
  };
}
