/**
 * The hub's frame socket batches the writes of one tick into one system call (cork until the next tick), except
 * where the session asks for a write of its own: HELLO and the HANDSHAKE request leave in two writes, since some
 * HiveMind clients read one handshake frame per TCP read.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import { wsFrameSocket } from '../../../src/hub/ws-frame-socket.js';
import { createHiveMessage, type HiveMessage } from '../../../src/protocol/message.js';
import { HiveMessageType } from '../../../src/protocol/message-types.js';
import { SessionMachine, type SessionRole } from '../../../src/session/machine.js';
import { FakeTimers } from '../../helpers/fake-timers.js';
import { TEST_SESSION_LIMITS } from '../../helpers/session-limits.js';

/** A `ws` socket and the TCP socket under it that log what reaches the kernel: `write` is one system call. */
function fakeTransport() {
  const log: string[] = [];
  let corks = 0;
  let pending: string[] = [];
  const flush = (): void => {
    if (pending.length > 0) log.push(`write ${pending.join('+')}`);
    pending = [];
  };
  const tcp = {
    cork: () => {
      corks++;
    },
    uncork: () => {
      if (corks > 0 && --corks === 0) flush();
    },
  };
  const ws = Object.assign(new EventEmitter(), {
    bufferedAmount: 0,
    send(data: string) {
      const name = (JSON.parse(data) as HiveMessage).msg_type;
      if (corks > 0) pending.push(name);
      else log.push(`write ${name}`);
    },
  });
  return { log, socket: wsFrameSocket(ws as unknown as WebSocket, tcp) };
}

const nextTick = () => new Promise<void>((resolve) => process.nextTick(resolve));

describe('wsFrameSocket: writes', () => {
  it('gathers the sends of one tick into one write', async () => {
    const { log, socket } = fakeTransport();
    socket.send(JSON.stringify(createHiveMessage(HiveMessageType.BUS, { type: 'speak', data: {} })));
    socket.send(JSON.stringify(createHiveMessage(HiveMessageType.PING, {})));
    assert.deepEqual(log, []);
    await nextTick();
    assert.deepEqual(log, ['write bus+ping']);
  });

  it('flush() ends the batch: what follows is a write of its own', async () => {
    const { log, socket } = fakeTransport();
    socket.send(JSON.stringify(createHiveMessage(HiveMessageType.HELLO, {})));
    socket.flush?.();
    socket.send(JSON.stringify(createHiveMessage(HiveMessageType.HANDSHAKE, {})));
    await nextTick();
    assert.deepEqual(log, ['write hello', 'write shake']);
  });

  it("the session's opening (HELLO, then the HANDSHAKE request) leaves in two writes", async () => {
    const { log, socket } = fakeTransport();
    const role: SessionRole = {
      handshake: () => ({ send: [], channel: null }),
      opened: () => {},
      message: () => {},
    };
    const machine = new SessionMachine({
      socket,
      role,
      limits: TEST_SESSION_LIMITS,
      timers: new FakeTimers(),
      onEnd: () => {},
    });
    machine.begin([
      createHiveMessage(HiveMessageType.HELLO, { node_id: 'hub' }),
      createHiveMessage(HiveMessageType.HANDSHAKE, { handshake: true }),
    ]);
    await nextTick();
    assert.deepEqual(log, ['write hello', 'write shake']);
  });
});
