/**
 * The SDK's mailbox receiver (docs/PROTOCOL.md §5.5) against a scripted hub: unasked and asked `collect` answers are
 * taken one at a time; an entry handed out twice is handled once and acknowledged again; the remembered ids are
 * bounded (the oldest is forgotten first); an entry nobody takes is not acknowledged; refusals carry their code.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyedListeners } from '../../../src/client/listeners.js';
import {
  MAX_ACK_BATCH,
  MAX_SEEN_DEPOSITS,
  MailboxReceiver,
  type MailEntry,
} from '../../../src/client/mailbox.js';
import type { JsonObject } from '../../../src/protocol/json.js';
import { createHiveMessage, type HiveMessage } from '../../../src/protocol/message.js';
import { HiveMessageType } from '../../../src/protocol/message-types.js';

/** A hub that answers `ack` (and `collect` with `mail`) at once, and records what it was sent. */
class ScriptedHub {
  readonly listeners = new KeyedListeners<HiveMessage>();
  readonly acked: string[][] = [];
  mail: JsonObject[] = [];
  refuse: string | null = null;

  on(type: string, handler: (m: HiveMessage) => void): () => void {
    return this.listeners.add(type, handler);
  }

  emit(message: HiveMessage): void {
    const p = message.payload as JsonObject;
    const answer: JsonObject =
      this.refuse !== null
        ? { status: 'error', reason: this.refuse }
        : p.cmd === 'ack'
          ? { status: 'ok', removed: (p.deposit_ids as string[]).length }
          : { status: 'ok', messages: this.mail, more: false };
    if (p.cmd === 'ack') this.acked.push(p.deposit_ids as string[]);
    queueMicrotask(() => this.send({ ...answer, cmd: p.cmd ?? null, request_id: p.request_id ?? null }));
  }

  /** Hands `payload` to the receiver as a RENDEZVOUS from the hub. */
  send(payload: JsonObject): void {
    this.listeners.emit(HiveMessageType.RENDEZVOUS, createHiveMessage(HiveMessageType.RENDEZVOUS, payload));
  }

  /** Unasked mail, as the hub hands it out when a connection opens. */
  deliver(messages: JsonObject[]): void {
    this.send({ cmd: 'collect', status: 'ok', messages, more: false });
  }
}

const timers = {
  setTimeout: (cb: () => void, ms: number) => setTimeout(cb, ms),
  clearTimeout: (h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

const entry = (id: string, kind = 'sealed'): JsonObject => ({
  deposit_id: id,
  kind,
  payload: `payload-${id}`,
  deposited_at: 1_700_000_000,
  expires_at: 1_700_600_000,
});

function receiver(hub: ScriptedHub, take: (e: MailEntry) => boolean = () => true) {
  const seen: MailEntry[] = [];
  const r = new MailboxReceiver({
    host: hub,
    timers,
    handlers: {
      sealed: async (e) => {
        seen.push(e);
        return take(e);
      },
    },
  });
  return { r, seen };
}

describe('MailboxReceiver', () => {
  it('handles an entry handed out twice once, and acknowledges it both times', async () => {
    const hub = new ScriptedHub();
    const { r, seen } = receiver(hub);
    hub.deliver([entry('a'), entry('b')]);
    hub.deliver([entry('b'), entry('c')]);
    hub.mail = [entry('a'), entry('c')];
    assert.equal(await r.collect(), 0, 'an asked collect of what came already is nothing new');
    await r.settled();
    assert.deepEqual(
      seen.map((e) => e.depositId),
      ['a', 'b', 'c'],
    );
    assert.deepEqual(hub.acked, [
      ['a', 'b'],
      ['b', 'c'],
      ['a', 'c'],
    ]);
    assert.equal(seen[0]!.depositedAt, 1_700_000_000_000, 'seconds on the wire, ms in the SDK');
  });

  it('does not acknowledge what no handler took, nor a kind it has no handler for', async () => {
    const hub = new ScriptedHub();
    const { r, seen } = receiver(hub, (e) => e.depositId !== 'later');
    hub.mail = [entry('later'), entry('now'), entry('ic', 'intercom')];
    assert.equal(await r.collect(), 1);
    assert.deepEqual(hub.acked, [['now']]);
    assert.equal(await r.collect(), 0);
    assert.deepEqual(
      seen.map((e) => e.depositId),
      ['later', 'now', 'later'],
      'offered again on the next collect',
    );
  });

  it(`remembers the last ${MAX_SEEN_DEPOSITS} deposit ids, forgetting the oldest`, async () => {
    const hub = new ScriptedHub();
    const { r, seen } = receiver(hub);
    const many = Array.from({ length: MAX_SEEN_DEPOSITS + 1 }, (_, i) => entry(`d${i}`));
    hub.mail = many;
    assert.equal(await r.collect(), MAX_SEEN_DEPOSITS + 1);
    assert.deepEqual(
      hub.acked.map((ids) => ids.length),
      [MAX_ACK_BATCH, MAX_ACK_BATCH, 1],
      'acks in batches the hub accepts',
    );
    hub.mail = [entry('d0'), entry(`d${MAX_SEEN_DEPOSITS}`)];
    assert.equal(await r.collect(), 1, 'the oldest id was forgotten, the newest is remembered');
    assert.equal(seen.at(-1)!.depositId, 'd0');
  });

  it('refusals carry their code', async () => {
    const hub = new ScriptedHub();
    const { r } = receiver(hub);
    hub.refuse = 'store_unavailable';
    await assert.rejects(r.collect(), { code: 'HL_ERR_MAILBOX_REFUSED', message: /store_unavailable/ });
    hub.refuse = 'mailbox_full';
    await assert.rejects(r.request({ cmd: 'deposit' }), { code: 'HL_ERR_MAILBOX_FULL' });
  });
});
