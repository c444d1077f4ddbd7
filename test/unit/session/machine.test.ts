/**
 * The session machine driven directly: an in-memory socket pair, a toy role and the fake clock. Every state
 * transition, the handshake gate, every limit and the end are exercised without a network or a real handshake.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HiveLinkError } from '../../../src/errors.js';
import { createHiveMessage, type HiveMessage, serializeHiveMessage } from '../../../src/protocol/message.js';
import { HiveMessageType } from '../../../src/protocol/message-types.js';
import { type MemorySocket, memorySocketPair } from '../../../src/session/frame-socket.js';
import {
  closeReason,
  type HandshakeOutcome,
  type SessionEnd,
  type SessionLimits,
  SessionMachine,
  type SessionMachineInit,
  type SessionRole,
  type SessionState,
} from '../../../src/session/machine.js';
import { DRAIN_POLL_MS } from '../../../src/session/send-queue.js';
import type { SecureChannel } from '../../../src/session/types.js';
import { FakeTimers } from '../../helpers/fake-timers.js';
import { TEST_SESSION_LIMITS } from '../../helpers/session-limits.js';

const LIMITS = TEST_SESSION_LIMITS;

const SEALED = 'sealed:';

/** A channel that "seals" by prefixing the JSON; anything else is refused as a real channel would refuse it. */
function toyChannel(name = 'toy'): SecureChannel {
  return {
    protocolVersion: 3,
    cipher: name,
    encoding: 'noise',
    binarize: false,
    seal: (message) => [{ kind: 'text', text: SEALED + serializeHiveMessage(message) }],
    open(frame) {
      if (frame.kind !== 'text' || !frame.text.startsWith(SEALED)) {
        throw new HiveLinkError('HL_ERR_DECRYPT_FAILED', 'not sealed');
      }
      return JSON.parse(frame.text.slice(SEALED.length)) as HiveMessage;
    },
  };
}

function shake(step: string): HiveMessage {
  return createHiveMessage(HiveMessageType.HANDSHAKE, { step });
}

function ping(n: number): HiveMessage {
  return createHiveMessage(HiveMessageType.PING, { n });
}

/** A cleartext frame, as the peer sends it. */
function clear(message: HiveMessage): string {
  return serializeHiveMessage(message);
}

/** A frame sealed by the toy channel, as the peer sends it. */
function sealed(message: HiveMessage): string {
  return SEALED + serializeHiveMessage(message);
}

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * A role whose handshake is: `shake {step: 'more'}` → reply `shake {step: 'ack'}`; `shake {step: 'done'}` → the
 * channel; `shake {step: 'slow'}` → the channel once `slowStep` is resolved. Messages on the open session are
 * recorded; a PING with `n: -1` throws a plain Error, one with `n: -2` a recoverable HiveLinkError (HL_ERR_BAD_REQUEST).
 */
class ToyRole implements SessionRole {
  readonly seen: string[] = [];
  readonly messages: HiveMessage[] = [];
  readonly openedChannels: SecureChannel[] = [];
  readonly recovered: { code: string; state: SessionState }[] = [];
  slowStep: Deferred | null = null;
  established?: (channel: SecureChannel) => Promise<void>;
  holdMessages: Deferred | null = null;

  handshake(message: HiveMessage): HandshakeOutcome | Promise<HandshakeOutcome> {
    const step = (message.payload as { step: string }).step;
    this.seen.push(step);
    if (step === 'more') return { send: [shake('ack')], channel: null };
    if (step === 'done') return { send: [shake('welcome')], channel: toyChannel() };
    if (step === 'slow') {
      const gate = this.slowStep!;
      return gate.promise.then(() => ({ send: [], channel: toyChannel() }));
    }
    throw new HiveLinkError('HL_ERR_HANDSHAKE_UNEXPECTED', `unexpected step ${step}`);
  }

  opened(channel: SecureChannel): void {
    this.openedChannels.push(channel);
  }

  message(message: HiveMessage): void | Promise<void> {
    const n = (message.payload as { n: number }).n;
    if (n === -1) throw new Error('a bug in a handler');
    if (n === -2) throw new HiveLinkError('HL_ERR_BAD_REQUEST', 'refused, go on');
    this.messages.push(message);
    return this.holdMessages?.promise;
  }

  recover(error: HiveLinkError, state: SessionState): boolean {
    this.recovered.push({ code: error.code, state });
    return error.code === 'HL_ERR_BAD_REQUEST';
  }
}

interface Rig {
  machine: SessionMachine;
  /** The machine's end of the pair. */
  near: MemorySocket;
  /** The peer's end: what the peer receives, and where the test sends from. */
  far: MemorySocket;
  role: ToyRole;
  timers: FakeTimers;
  ends: SessionEnd[];
  /** Frames the peer received, as text. */
  received: string[];
}

function rig(
  overrides: Partial<SessionLimits> = {},
  init: Partial<SessionMachineInit> = {},
  role = new ToyRole(),
): Rig {
  const [near, far] = memorySocketPair();
  const timers = new FakeTimers();
  const ends: SessionEnd[] = [];
  const received: string[] = [];
  far.onFrame((frame) =>
    received.push(frame.kind === 'text' ? frame.text : `<${frame.data.byteLength} bytes>`),
  );
  const machine = new SessionMachine({
    socket: near,
    role,
    limits: { ...LIMITS, ...overrides },
    timers,
    onEnd: (end) => ends.push(end),
    ...init,
  });
  return { machine, near, far, role, timers, ends, received };
}

/** Lets queued promise callbacks run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

function open(r: Rig): void {
  r.machine.begin();
  r.far.send(clear(shake('done')));
  assert.equal(r.machine.state, 'open');
}

describe('SessionMachine: states', () => {
  it('starts connecting; frames that arrive before begin() wait and are processed in order after it', () => {
    const r = rig();
    assert.equal(r.machine.state, 'connecting');
    r.far.send(clear(shake('more')));
    r.far.send(clear(shake('done')));
    assert.deepEqual(r.role.seen, [], 'nothing is processed while connecting');
    r.machine.begin([shake('hello')]);
    assert.deepEqual(r.role.seen, ['more', 'done']);
    assert.equal(r.machine.state, 'open');
    assert.deepEqual(
      r.received.map((t) => (JSON.parse(t) as HiveMessage).payload),
      [{ step: 'hello' }, { step: 'ack' }, { step: 'welcome' }],
      'the opening first, then each handshake reply in order',
    );
    assert.equal(r.role.openedChannels.length, 1);
    assert.equal(r.machine.channel?.cipher, 'toy');
  });

  it('begin() twice does nothing the second time', () => {
    const r = rig();
    r.machine.begin([shake('hello')]);
    r.machine.begin([shake('hello')]);
    assert.equal(r.received.length, 1);
  });

  it('an asynchronous handshake step holds the queue: later frames wait until it is done', async () => {
    const r = rig();
    r.role.slowStep = deferred();
    r.machine.begin();
    r.far.send(clear(shake('slow')));
    r.far.send(sealed(ping(1)));
    await settle();
    assert.equal(r.machine.state, 'handshaking');
    assert.equal(r.role.messages.length, 0, 'the encrypted frame waits behind the slow step');
    r.role.slowStep.resolve();
    await settle();
    assert.equal(r.machine.state, 'open');
    assert.deepEqual(
      r.role.messages.map((m) => m.payload),
      [{ n: 1 }],
    );
  });

  it('established() is awaited before the session opens; nothing is sent sealed before then', async () => {
    const gate = deferred();
    const role = new ToyRole();
    role.established = () => gate.promise;
    const r = rig({}, {}, role);
    r.machine.begin();
    r.far.send(clear(shake('done')));
    assert.equal(r.machine.state, 'handshaking');
    assert.throws(() => r.machine.send(ping(1)), { code: 'HL_ERR_NOT_CONNECTED' });
    gate.resolve();
    await settle();
    assert.equal(r.machine.state, 'open');
    r.machine.send(ping(1));
    assert.ok(r.received.at(-1)!.startsWith(SEALED));
  });

  it('an established() that throws fails the connection with its code', async () => {
    const role = new ToyRole();
    role.established = () => Promise.reject(new HiveLinkError('HL_ERR_AUTH_INVALID', 'pin mismatch'));
    const r = rig({}, {}, role);
    r.machine.begin();
    r.far.send(clear(shake('done')));
    await settle();
    assert.equal(r.ends.length, 1);
    assert.equal(r.ends[0]!.error?.code, 'HL_ERR_AUTH_INVALID');
    assert.equal(r.far.closedWith, null, 'the far end did not close');
    assert.equal(r.near.closedWith?.code, 1008);
    assert.equal(r.machine.state, 'closed');
  });

  it('messages on the open session reach the role in order; an asynchronous one holds the queue', async () => {
    const r = rig();
    open(r);
    r.role.holdMessages = deferred();
    r.far.send(sealed(ping(1)));
    r.far.send(sealed(ping(2)));
    r.far.send(sealed(ping(3)));
    assert.deepEqual(
      r.role.messages.map((m) => m.payload),
      [{ n: 1 }],
    );
    const held = r.role.holdMessages;
    r.role.holdMessages = null;
    held.resolve();
    await settle();
    assert.deepEqual(
      r.role.messages.map((m) => m.payload),
      [{ n: 1 }, { n: 2 }, { n: 3 }],
    );
  });

  it('replaceChannel swaps the channel of an open session only', () => {
    const r = rig();
    r.machine.replaceChannel(toyChannel('early'));
    assert.equal(r.machine.channel, null);
    open(r);
    r.machine.replaceChannel(toyChannel('rekeyed'));
    assert.equal((r.machine.channel as SecureChannel | null)?.cipher, 'rekeyed');
  });
});

describe('SessionMachine: the handshake gate', () => {
  it('a binary frame before the channel exists fails with HL_ERR_HANDSHAKE_UNEXPECTED (1008)', () => {
    const r = rig();
    r.machine.begin();
    r.far.send(new Uint8Array([1, 2, 3]));
    assert.equal(r.ends[0]?.error?.code, 'HL_ERR_HANDSHAKE_UNEXPECTED');
    assert.equal(r.ends[0]?.code, 1008);
    assert.equal(r.ends[0]?.state, 'handshaking');
    assert.deepEqual(r.role.seen, []);
  });

  it('a text frame over maxHandshakeFrameBytes is refused before it is parsed (1009)', () => {
    const r = rig({ maxHandshakeFrameBytes: 4096 });
    r.machine.begin();
    r.far.send(`{"msg_type":"shake","payload":{"step":"${'x'.repeat(5000)}"}}`);
    assert.equal(r.ends[0]?.error?.code, 'HL_ERR_FRAME_TOO_LARGE');
    assert.equal(r.ends[0]?.code, 1009);
    assert.deepEqual(r.role.seen, []);
  });

  it('handshake messages are parsed with the nesting limit', () => {
    const r = rig({ parse: { maxJsonDepth: 4 } });
    r.machine.begin();
    r.far.send('{"msg_type":"shake","payload":{"step":"more","a":{"b":{"c":{"d":1}}}}}');
    assert.equal(r.ends[0]?.error?.code, 'HL_ERR_INVALID_PAYLOAD');
    assert.match(r.ends[0]!.reason, /nested deeper than 4/);
  });

  it('a frame that is not JSON fails the handshake with HL_ERR_INVALID_JSON', () => {
    const r = rig();
    r.machine.begin();
    r.far.send('not json');
    assert.equal(r.ends[0]?.error?.code, 'HL_ERR_INVALID_JSON');
  });

  it('the handshake timer fails a session that does not open in time, and is cleared once it opens', () => {
    const slow = rig({ handshakeTimeoutMs: 5000 });
    slow.machine.begin();
    slow.timers.advance(4999);
    assert.equal(slow.ends.length, 0);
    slow.timers.advance(1);
    assert.equal(slow.ends[0]?.error?.code, 'HL_ERR_HANDSHAKE_TIMEOUT');
    assert.equal(slow.ends[0]?.error?.stage, 'handshaking');

    const quick = rig({ handshakeTimeoutMs: 5000 });
    open(quick);
    quick.timers.advance(60_000);
    assert.equal(quick.ends.length, 0);
    assert.equal(quick.machine.state, 'open');
  });

  it('the timer runs from construction: a socket that never begins is failed too', () => {
    const r = rig({ handshakeTimeoutMs: 1000 });
    r.timers.advance(1000);
    assert.equal(r.ends[0]?.error?.code, 'HL_ERR_HANDSHAKE_TIMEOUT');
    assert.equal(r.ends[0]?.state, 'connecting');
  });
});

describe('SessionMachine: limits', () => {
  it('one frame more than inboundQueueMessages while the queue is held fails with HL_ERR_QUEUE_FULL', () => {
    const r = rig({ inboundQueueMessages: 3 });
    open(r);
    r.role.holdMessages = deferred();
    r.far.send(sealed(ping(1))); // being processed, held
    for (let n = 2; n <= 4; n++) r.far.send(sealed(ping(n))); // three wait
    assert.equal(r.ends.length, 0);
    r.far.send(sealed(ping(5)));
    assert.equal(r.ends[0]?.error?.code, 'HL_ERR_QUEUE_FULL');
    assert.equal(r.ends[0]?.code, 1013);
  });

  it('the role may name the inbound overflow (the client does, for a hub that floods the handshake)', () => {
    const r = rig(
      { inboundQueueMessages: 1 },
      {
        inboundOverflow: (state) => new HiveLinkError('HL_ERR_HANDSHAKE_UNEXPECTED', `flood while ${state}`),
      },
    );
    r.far.send(clear(shake('more')));
    r.far.send(clear(shake('more')));
    assert.equal(r.ends[0]?.error?.code, 'HL_ERR_HANDSHAKE_UNEXPECTED');
    assert.equal(r.ends[0]?.reason, 'flood while connecting');
  });

  it('sends wait while the socket is backed up, drain in order, and overflow past sendQueueMessages', () => {
    const r = rig({ maxBufferedBytes: 1000, sendQueueMessages: 2 });
    open(r);
    const before = r.received.length;
    r.near.buffered = 5000;
    r.machine.send(ping(1));
    r.machine.send(ping(2));
    assert.equal(r.machine.queuedSends, 2);
    assert.equal(r.received.length, before, 'nothing written while backed up');
    assert.throws(() => r.machine.send(ping(3)), { code: 'HL_ERR_SEND_QUEUE_FULL' });
    r.near.buffered = 0;
    r.timers.advance(DRAIN_POLL_MS);
    assert.equal(r.machine.queuedSends, 0);
    assert.deepEqual(
      r.received.slice(before).map((t) => (JSON.parse(t.slice(SEALED.length)) as HiveMessage).payload),
      [{ n: 1 }, { n: 2 }],
    );
  });

  it('the role may name the send overflow', () => {
    const r = rig(
      { sendQueueMessages: 0 },
      {
        sendOverflow: (queued) => new HiveLinkError('HL_ERR_QUEUE_FULL', `peer reads too slowly (${queued})`),
      },
    );
    open(r);
    r.near.buffered = 5000;
    assert.throws(() => r.machine.send(ping(1)), {
      code: 'HL_ERR_QUEUE_FULL',
      message: /reads too slowly \(0\)/,
    });
  });

  it('keepalive pings every interval once open and cuts a peer that stops answering (HL_ERR_PING_TIMEOUT)', () => {
    const r = rig({ pingIntervalMs: 100, pingTimeoutMs: 50 });
    r.machine.begin();
    r.timers.advance(500);
    assert.equal(r.near.pings, 0, 'no keepalive during the handshake');
    r.far.send(clear(shake('done')));
    r.timers.advance(100);
    assert.equal(r.near.pings, 1);
    r.timers.advance(100);
    assert.equal(r.near.pings, 2);
    assert.equal(r.ends.length, 0, 'pongs came back');
    r.near.answerPings = false;
    r.timers.advance(150);
    assert.equal(r.ends[0]?.error?.code, 'HL_ERR_PING_TIMEOUT');
    assert.equal(r.ends[0]?.code, 1006);
    assert.equal(r.machine.state, 'closed', 'cut, no closing handshake');
  });
});

describe('SessionMachine: errors on the open session', () => {
  it('a frame the channel refuses fails the connection with its code', () => {
    const r = rig();
    open(r);
    r.far.send('cleartext after the handshake');
    assert.equal(r.ends[0]?.error?.code, 'HL_ERR_DECRYPT_FAILED');
    assert.deepEqual(r.role.recovered, [{ code: 'HL_ERR_DECRYPT_FAILED', state: 'open' }]);
  });

  it('an error the role recovers from is answered by the role and the next frame is processed', () => {
    const r = rig();
    open(r);
    r.far.send(sealed(ping(-2)));
    r.far.send(sealed(ping(7)));
    assert.equal(r.ends.length, 0);
    assert.deepEqual(
      r.role.messages.map((m) => m.payload),
      [{ n: 7 }],
    );
  });

  it('a plain Error from the role becomes HL_ERR_INTERNAL (1011) and is not shown to the peer', () => {
    const r = rig();
    open(r);
    r.far.send(sealed(ping(-1)));
    assert.equal(r.ends[0]?.error?.code, 'HL_ERR_INTERNAL');
    assert.equal(r.far.closedWith, null);
    assert.equal(r.near.closedWith?.code, 1011);
    assert.equal(r.near.closedWith?.reason, 'internal error');
  });

  it('closeFor maps the failure to the close the socket gets', () => {
    const role = new ToyRole();
    Object.assign(role, { closeFor: () => ({ code: 4000, reason: 'custom' }) });
    const r = rig({}, {}, role);
    r.machine.begin();
    r.far.send(new Uint8Array([0]));
    assert.deepEqual(r.near.closedWith, { code: 4000, reason: 'custom' });
  });
});

/** Who ended the session first, with which code and reason, and in which state. */
function firstEnd(r: ReturnType<typeof rig>) {
  const { remote, code, reason, state } = r.ends[0]!;
  return { remote, code, reason, state };
}

describe('SessionMachine: the end', () => {
  it('close() ends locally once; the peer sees the code and reason; closed resolves', async () => {
    const r = rig();
    open(r);
    r.machine.close(1000, 'bye');
    r.machine.close(4001, 'again');
    r.machine.fail(new HiveLinkError('HL_ERR_INTERNAL', 'late'));
    await r.machine.closed;
    assert.equal(r.ends.length, 1);
    assert.deepEqual(firstEnd(r), { remote: false, code: 1000, reason: 'bye', state: 'open' });
    assert.equal(r.ends[0]!.error, null);
    assert.equal(r.machine.state, 'closed');
    assert.equal(r.machine.channel, null);
    assert.throws(() => r.machine.send(ping(1)), { code: 'HL_ERR_NOT_CONNECTED' });
  });

  it('a remote close ends the session as remote, with the code received', async () => {
    const r = rig();
    open(r);
    r.far.close(4002, 'going away');
    await r.machine.closed;
    assert.deepEqual(firstEnd(r), { remote: true, code: 4002, reason: 'going away', state: 'open' });
  });

  it('a peer that never finishes the closing handshake is cut after closeGraceMs', () => {
    const [near] = memorySocketPair();
    const sentClose: number[] = [];
    let closeListener: ((code: number, reason: string) => void) | null = null;
    let terminated = 0;
    const stubborn = Object.assign(Object.create(near) as MemorySocket, {
      close: (code: number) => sentClose.push(code),
      onClose: (listener: (code: number, reason: string) => void) => {
        closeListener = listener;
      },
      terminate: () => {
        terminated += 1;
        closeListener?.(1006, '');
      },
    });
    const timers = new FakeTimers();
    const ends: SessionEnd[] = [];
    const machine = new SessionMachine({
      socket: stubborn,
      role: new ToyRole(),
      limits: { ...LIMITS, closeGraceMs: 300 },
      timers,
      onEnd: (end) => ends.push(end),
    });
    machine.close(1000, 'bye');
    assert.deepEqual(sentClose, [1000]);
    assert.equal(machine.state, 'closing');
    timers.advance(299);
    assert.equal(terminated, 0);
    timers.advance(1);
    assert.equal(terminated, 1);
    assert.equal(machine.state, 'closed');
    assert.equal(ends.length, 1, 'the end was reported once, at close()');
  });

  it('terminate() cuts at once and reports a local 1006', () => {
    const r = rig();
    open(r);
    r.machine.terminate();
    assert.equal(r.machine.state, 'closed');
    assert.equal(r.ends[0]?.code, 1006);
    assert.equal(r.ends[0]?.remote, false);
  });

  it('after the end, frames are ignored and cleartext sends are dropped', () => {
    const r = rig();
    r.machine.begin();
    r.machine.close(1000, 'bye');
    const before = r.received.length;
    r.near.receive({ kind: 'text', text: clear(shake('done')) });
    r.machine.sendClear(shake('late'));
    assert.deepEqual(r.role.seen, []);
    assert.equal(r.received.length, before);
  });

  it('queued frames are dropped at the end (nothing is processed after a failure)', () => {
    const r = rig();
    open(r);
    r.role.holdMessages = deferred();
    r.far.send(sealed(ping(1)));
    r.far.send(sealed(ping(2)));
    r.machine.fail(new HiveLinkError('HL_ERR_QUEUE_FULL', 'stop'));
    r.role.holdMessages.resolve();
    assert.deepEqual(
      r.role.messages.map((m) => m.payload),
      [{ n: 1 }],
    );
  });
});

describe('closeReason', () => {
  it('keeps a short reason and cuts a long one to 123 bytes on a character boundary', () => {
    assert.equal(closeReason('bye'), 'bye');
    const long = 'é'.repeat(100); // 200 bytes
    const cut = closeReason(long);
    assert.ok(new TextEncoder().encode(cut).byteLength <= 123);
    assert.equal(cut, 'é'.repeat(61));
  });
});
