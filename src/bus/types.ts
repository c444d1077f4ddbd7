/**
 * The OVOS/Mycroft messagebus model that every agent in hivelink speaks: a `Message` is `{type, data, context}`
 * (see docs/PROTOCOL.md §B1–B2), and a `MessageBus` is anything that carries them with OVOS
 * semantics: every emitted message reaches every listener, the emitter's own listeners included (the ws bus
 * server echoes to the sender; the in-process bus does the same).
 *
 * @module
 */

/** `source` and `destination` may each be a string or a list of strings (docs/PROTOCOL.md §B2.1). */
export type Route = string | string[];

/** The OVOS `Session` as serialized in `context.session`; only `session_id` is required (docs/PROTOCOL.md §B2.3). */
export interface SessionData {
  session_id: string;
  lang?: string;
  site_id?: string;
  active_skills?: [string, number][];
  utterance_states?: Record<string, 'intent' | 'response'>;
  context?: Record<string, unknown>;
  pipeline?: string[];
  location?: Record<string, unknown>;
  system_unit?: string;
  time_format?: string;
  date_format?: string;
  is_speaking?: boolean;
  is_recording?: boolean;
  blacklisted_skills?: string[];
  blacklisted_intents?: string[];
  [key: string]: unknown;
}

export interface MessageContext {
  source?: Route;
  destination?: Route;
  session?: SessionData;
  skill_id?: string;
  lang?: string;
  peer?: string;
  [key: string]: unknown;
}

/** One bus message, exactly as it is serialized on the wire. */
export interface MessageData {
  type: string;
  data: Record<string, unknown>;
  context: MessageContext;
}

export type MessageHandler = (message: MessageData) => void;

/** How a handler receives messages. */
export interface SubscribeOptions {
  /**
   * The handler only reads each message and keeps nothing of it once it returns, so it may be handed the message
   * itself instead of its own deep copy (the hub's router). A bus may ignore this and copy anyway.
   * @default false
   */
  readonly shared?: boolean;
}

/** Something that carries OVOS messages: the in-process bus, a ws bus client, or a bridge. */
export interface MessageBus {
  /** Sends `message` to every listener, this bus's own included. */
  emit(message: MessageData): void;
  /** Calls `handler` for every message of `type`; `'*'` receives every message. Returns an unsubscribe function. */
  on(type: string, handler: MessageHandler, options?: SubscribeOptions): () => void;
  /** Like `on`, but for the next matching message only. */
  once(type: string, handler: MessageHandler): () => void;
  off(type: string, handler: MessageHandler): void;
}
