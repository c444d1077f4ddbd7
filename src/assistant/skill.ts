/**
 * The skill API: what a skill declares (intents, per-language resources, fallback, converse, stop) and what its
 * handlers get to work with (speak, ask, per-session storage, the utterance and who asked).
 *
 * A skill module (built in, or a `.js`/`.mjs` file in the skills directory) default-exports a
 * {@link SkillDefinition}; {@link defineSkill} only adds type checking.
 *
 * @example
 * ```ts
 * export default defineSkill({
 *   id: 'hello-world.example',
 *   locale: { en: { intents: { 'hello.intent': ['hello world'] }, dialogs: { hello: ['Hello world'] } } },
 *   intents: [{ name: 'hello.intent', handler: (ctx) => ctx.speakDialog('hello') }],
 * });
 * ```
 *
 * @module
 */
import type { MessageData, SessionData } from '../bus/types.js';
import type { EntityDefinition } from './engine/intent-engine.js';
import type { KeywordIntentSpec } from './engine/keyword-engine.js';

export type { EntityDefinition } from './engine/intent-engine.js';
export type { KeywordIntentSpec } from './engine/keyword-engine.js';

/** The resources of one skill in one language (`locale.en`, `locale['pt-br']`). */
export interface SkillLocale {
  /** One line: what the skill does, for "what can you do". */
  readonly description?: string;
  /** Example-sentence templates per intent name (`'tell_joke.intent': ['tell me a joke', …]`). */
  readonly intents?: Readonly<Record<string, readonly string[]>>;
  /** Keyword vocabularies: type → lines of synonyms (`Joke: ['joke|jokes', 'something funny']`). */
  readonly vocab?: Readonly<Record<string, readonly string[]>>;
  /** Regex entities; each named group tags a keyword type (`'in (?<Location>.+)'`). */
  readonly regex?: readonly string[];
  /** Slot entities for `{slot:type}` in templates: values, or `{ pattern }` over normalized words. */
  readonly entities?: Readonly<Record<string, EntityDefinition>>;
  /** Dialogs: name → variants, one picked at random; `{name}` is replaced by the variable `name`. */
  readonly dialogs?: Readonly<Record<string, readonly string[]>>;
}

/** An intent of a skill. Example intents take their templates from `locale[lang].intents[name]`. */
export interface IntentDefinition {
  /** Intent name; on the bus it is `<skill_id>:<name>` (Padatious names end in `.intent`). */
  readonly name: string;
  /** Makes this a keyword intent; types refer to `locale[lang].vocab` and `regex` groups. */
  readonly keywords?: KeywordIntentSpec;
  /** Name reported in `mycroft.skill.handler.*`. @default `<ClassName>.handle_<name>` */
  readonly handlerName?: string;
  readonly handler: (ctx: SkillContext) => void | Promise<void>;
}

/** A fallback handler, tried when no intent matched. */
export interface FallbackDefinition {
  /** OVOS priority: high (0, 5], medium (5, 90], low (90, 101]; lower runs first. */
  readonly priority: number;
  /** Answers the fallback ping. @default always true */
  readonly canHandle?: (input: UtteranceInput) => boolean | Promise<boolean>;
  /** Returns true when it handled the utterance. */
  readonly handler: (ctx: SkillContext) => boolean | Promise<boolean>;
  /** @default `<ClassName>.handle_fallback` */
  readonly handlerName?: string;
}

/** Converse: an active skill may take the next utterance of a session before intent matching. */
export interface ConverseDefinition {
  /** Answers the converse ping. @default always true */
  readonly canHandle?: (input: UtteranceInput) => boolean | Promise<boolean>;
  /**
   * Handles the utterance (may return a promise); returning (or resolving) exactly `false` reports
   * `skill.converse.response {result:false}`. Decline in `canHandle` instead to let the pipeline go on.
   */
  readonly handler: (ctx: SkillContext) => unknown;
}

/** A skill: an id, resources per language, and handlers. */
export interface SkillDefinition {
  /** `name.author`, e.g. `hivelink-joke.hivelink`. */
  readonly id: string;
  /** Used in handler names. @default PascalCase of the name part + `Skill` (`HivelinkJokeSkill`) */
  readonly className?: string;
  /** Resources per language tag (`en`, `en-us`, `pt-br`). */
  readonly locale?: Readonly<Record<string, SkillLocale>>;
  readonly intents?: readonly IntentDefinition[];
  readonly fallback?: FallbackDefinition;
  readonly converse?: ConverseDefinition;
  /**
   * Stops what the skill is doing for the session of `ctx`; returns true when something was stopped. Without it the
   * skill never claims a "stop".
   */
  readonly stop?: (ctx: StopContext) => boolean | Promise<boolean>;
}

/** What converse and fallback pings see. */
export interface UtteranceInput {
  readonly utterances: readonly string[];
  readonly lang: string;
  readonly sessionId: string;
}

/** Who asked, from the message context (`context.peer` = `<useragent>::<client_id>::<name>::<session>`). */
export interface ClientInfo {
  /** `context.client_name`, else the name part of `context.peer`. */
  readonly name?: string;
  /** `context.site_id`, else `session.site_id` unless it is `unknown`. */
  readonly site?: string;
  readonly peer?: string;
  readonly clientId?: string;
  readonly useragent?: string;
}

/** A loaded skill as "what can you do" lists it. */
export interface SkillSummary {
  readonly id: string;
  readonly description?: string;
}

/** Options of {@link SkillContext.speak}. */
export interface SpeakOptions {
  /** Ask the client to listen again after speaking. @default false */
  readonly expectResponse?: boolean;
}

/** Options of {@link SkillContext.ask}. */
export interface AskOptions {
  /** How long to wait for the answer. @default the assistant's `responseTimeoutMs` (20 s) */
  readonly timeoutMs?: number;
}

/** Options of {@link SkillContext.request}. */
export interface RequestOptions {
  /** How long to wait for the answer. @default 5000 ({@link DEFAULT_REQUEST_TIMEOUT_MS}) */
  readonly timeoutMs?: number;
}

/** How long {@link SkillContext.request} waits for an answer when not told. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 5000;

/** Key/value storage of one skill for one session. */
export interface SessionStorage {
  get<T = unknown>(key: string): T | undefined;
  set(key: string, value: unknown): void;
  delete(key: string): boolean;
  /** The keys set in this session. */
  keys(): string[];
}

/** What a handler (intent, converse, fallback) works with. */
export interface SkillContext {
  readonly skillId: string;
  /** The intent name (without skill prefix), `converse` or `fallback`. */
  readonly intent: string;
  /** The utterance that matched. */
  readonly utterance: string;
  readonly utterances: readonly string[];
  /** BCP-47, e.g. `en-US`. */
  readonly lang: string;
  readonly sessionId: string;
  /** A copy of the session as the assistant saw it for this turn. */
  readonly session: SessionData;
  /** Slot captures or matched keywords. */
  readonly entities: Readonly<Record<string, string>>;
  readonly confidence: number;
  readonly client: ClientInfo;
  /** The message that started this handler (the intent message, converse or fallback request). */
  readonly message: MessageData;
  /** The hub's IANA time zone. */
  readonly timezone: string;
  /** Per-session storage of this skill. */
  readonly storage: SessionStorage;
  /** Aborted when the skill is stopped ("stop", `mycroft.stop`) or the assistant stops. */
  readonly signal: AbortSignal;
  /** Emits `speak` (a forward of {@link message}). */
  speak(text: string, options?: SpeakOptions): void;
  /** Speaks dialog `name` of this skill in the turn's language. */
  speakDialog(name: string, vars?: Readonly<Record<string, string | number>>, options?: SpeakOptions): void;
  /** Every variant of dialog `name` in the turn's language, unrendered (empty when there is none). */
  dialogVariants(name: string): readonly string[];
  /** Renders dialog `name` without speaking it. */
  dialog(name: string, vars?: Readonly<Record<string, string | number>>): string;
  /**
   * Speaks `question` expecting an answer, and resolves with the next utterance of the same session (which skips
   * intent matching), or `null` on timeout or stop.
   */
  ask(question: string, options?: AskOptions): Promise<string | null>;
  /**
   * Asks a service on the bus (the hub's timers, for one): emits `type` with `data` as a forward of {@link message}
   * (so `context.peer` and the session still say which client asked) with `context.source` set to the skill id and
   * a fresh `context.request_id`, and resolves with the `data` of the first `<type>.response` carrying that
   * `request_id` — or `null` when none comes within `timeoutMs` or the skill is stopped. The answer's destination is
   * then the skill, not the client, so it never reaches the client.
   */
  request(
    type: string,
    data?: Record<string, unknown>,
    options?: RequestOptions,
  ): Promise<Record<string, unknown> | null>;
  /** The current time (the assistant's clock). */
  now(): Date;
  /** The loaded skills. */
  skills(): readonly SkillSummary[];
}

/** What a stop handler sees. */
export interface StopContext {
  readonly skillId: string;
  readonly sessionId: string;
  readonly message: MessageData;
}

/** Identity function that type-checks a skill definition. */
export function defineSkill(definition: SkillDefinition): SkillDefinition {
  return definition;
}
