/**
 * Test harness: an Assistant on an in-process bus, and helpers that send an utterance the way the hub does and
 * collect every message of the turn until `ovos.utterance.handled` for that session.
 */
import assert from 'node:assert/strict';
import { Assistant, type AssistantInit } from '../../../src/assistant/assistant.js';
import { MemoryBus } from '../../../src/bus/memory-bus.js';
import { createMessage, sessionIdOf } from '../../../src/bus/message.js';
import type { MessageContext, MessageData } from '../../../src/bus/types.js';
import type { HiveLinkError } from '../../../src/errors.js';

/** The hub's peer id used as the utterance source in these tests. */
export const PEER = 'hivelink-test/1.0::client-1::kitchen-sat::sat-kitchen';

export interface Harness {
  readonly bus: MemoryBus;
  readonly assistant: Assistant;
  /** Every message seen on the bus, in order. */
  readonly log: MessageData[];
  readonly errors: HiveLinkError[];
  /** Sends an utterance and resolves with the messages of the turn (up to and including `ovos.utterance.handled`). */
  say(utterance: string | string[], options?: SayOptions): Promise<MessageData[]>;
  /** Sends an utterance without waiting. */
  send(utterance: string | string[], options?: SayOptions): MessageData;
  /** Resolves with the next message of `type` (for the session, when given). */
  next(type: string, sessionId?: string): Promise<MessageData>;
  close(): void;
}

export interface SayOptions {
  sessionId?: string;
  session?: Record<string, unknown>;
  context?: MessageContext;
  lang?: string;
}

/** A started assistant (built-in skills unless `init.skills` says otherwise) on a fresh in-process bus. */
export async function startHarness(init: Partial<AssistantInit> = {}): Promise<Harness> {
  const bus = new MemoryBus();
  const errors: HiveLinkError[] = [];
  const assistant = new Assistant({
    bus,
    timezone: 'UTC',
    clock: () => new Date('2025-11-22T15:42:00Z'),
    random: () => 0,
    onError: (e) => errors.push(e),
    ...init,
  });
  await assistant.start();
  const log: MessageData[] = [];
  bus.on('*', (m) => log.push(m));

  const utteranceMessage = (utterance: string | string[], options: SayOptions = {}): MessageData => {
    const sessionId = options.sessionId ?? 'sat-kitchen';
    return createMessage(
      'recognizer_loop:utterance',
      { utterances: Array.isArray(utterance) ? utterance : [utterance], lang: options.lang ?? 'en-US' },
      {
        source: PEER,
        destination: ['skills'],
        peer: PEER,
        session: { session_id: sessionId, lang: 'en-US', site_id: 'kitchen', ...options.session },
        ...options.context,
      },
    );
  };

  const next = (type: string, sessionId?: string): Promise<MessageData> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no ${type} within 5 s`));
      }, 5000);
      const off = bus.on(type, (m) => {
        if (sessionId !== undefined && sessionIdOf(m) !== sessionId) return;
        clearTimeout(timer);
        off();
        resolve(m);
      });
    });

  return {
    bus,
    assistant,
    log,
    errors,
    send(utterance, options) {
      const msg = utteranceMessage(utterance, options);
      bus.emit(msg);
      return msg;
    },
    async say(utterance, options = {}) {
      const sessionId = options.sessionId ?? 'sat-kitchen';
      const turn: MessageData[] = [];
      const off = bus.on('*', (m) => {
        if (sessionIdOf(m) === sessionId) turn.push(m);
      });
      const done = next('ovos.utterance.handled', sessionId);
      bus.emit(utteranceMessage(utterance, options));
      try {
        await done;
      } finally {
        off();
      }
      return turn;
    },
    next,
    close() {
      assistant.stop();
    },
  };
}

/**
 * Runs `body` on a fresh default harness, then asserts the assistant reported no errors, and closes the harness
 * whatever happened.
 */
export async function withHarness(body: (h: Harness) => Promise<void>): Promise<void> {
  const h = await startHarness();
  try {
    await body(h);
    assert.deepEqual(h.errors, []);
  } finally {
    h.close();
  }
}

/** The `speak` texts of a turn. */
export function spoken(turn: readonly MessageData[]): string[] {
  return turn.filter((m) => m.type === 'speak').map((m) => String(m.data.utterance));
}

/** The types of a turn. */
export function types(turn: readonly MessageData[]): string[] {
  return turn.map((m) => m.type);
}

/** Says `utterance` and asserts that the assistant answers with exactly `words`, speak by speak. */
export async function assertReplies(h: Harness, utterance: string, ...words: string[]): Promise<void> {
  assert.deepEqual(spoken(await h.say(utterance)), words, utterance);
}
