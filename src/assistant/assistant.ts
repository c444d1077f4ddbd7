/**
 * The embedded assistant: an OVOS-compatible core (intent service, converse, fallbacks, stop) with in-process
 * skills, attached to any {@link MessageBus}. A client watching the bus sees the messages ovos-core and its skills
 * would emit, in the same order and orientation (docs/PROTOCOL.md §B3.4).
 *
 * @example
 * ```ts
 * const bus = new MemoryBus();
 * const assistant = new Assistant({ bus });
 * await assistant.start();
 * bus.emit(createMessage('recognizer_loop:utterance', { utterances: ['tell me a joke'], lang: 'en-US' },
 *   { source: 'hub', destination: ['skills'], session: { session_id: 'kitchen' } }));
 * ```
 *
 * @module
 */
import { createMessage, reply, response, sessionIdOf } from '../bus/message.js';
import type { MessageBus, MessageData } from '../bus/types.js';
import { HiveLinkError, isHiveLinkError } from '../errors.js';
import { LIMIT_DEFS } from '../limits.js';
import { IntentEngine, type IntentEngineInit } from './engine/intent-engine.js';
import { CORE_LOCALES } from './locale/index.js';
import { STOP_SKILL_ID, UtterancePipeline } from './pipeline.js';
import { resolveLang, serializeSession, sessionOf } from './session-data.js';
import { SessionStore } from './session-store.js';
import type { SkillDefinition } from './skill.js';
import { loadSkillDirectory } from './skill-loader.js';
import { type LoadedSkill, SkillRegistry } from './skill-registry.js';
import { SkillRunner } from './skill-runner.js';
import {
  importSkillFile,
  type SkillDirectoryWatch,
  type SkillFileChange,
  watchSkillDirectory,
} from './skill-watch.js';
import { builtInSkills } from './skills/index.js';

/** Construction options of {@link Assistant}. */
export interface AssistantInit {
  /** The bus to serve. */
  bus: MessageBus;
  /** Skills to load. @default the built-in skills ({@link builtInSkills}) */
  skills?: readonly SkillDefinition[];
  /** A directory of `.js`/`.mjs` skill modules loaded at start (each default-exports a skill definition). */
  skillsDir?: string;
  /**
   * Reload a skill of `skillsDir` when its file changes, load a new file, unload a removed one, all without a
   * restart; a version that fails to load leaves the previous one answering. @default false
   */
  watchSkillsDir?: boolean;
  /** IANA time zone for time and date answers. @default the system's */
  timezone?: string;
  /** Current time. @default `() => new Date()` */
  clock?: () => Date;
  /** Random numbers in [0, 1) for picking dialog variants. @default Math.random */
  random?: () => number;
  /** Language when an utterance names none. @default 'en-US' */
  defaultLang?: string;
  /** How long a skill's question waits for an answer. @default 20000 (`assistantResponseTimeoutMs`) */
  responseTimeoutMs?: number;
  /** Most sessions whose dialogue state is kept. @default 10000 (`assistantMaxSessions`) */
  maxSessions?: number;
  /** Intent engine options (thresholds, longest utterance). */
  engine?: IntentEngineInit;
  /**
   * Receives skill load failures and failures of skill code (handlers, `canHandle` hooks).
   * @default stderr: one line, then the stack of the skill's error when there is one ({@link formatAssistantError})
   */
  onError?: (error: HiveLinkError) => void;
}

/** Counters of an {@link Assistant} since it was made. */
export interface AssistantStats {
  /** Skill code that threw or rejected (`HL_ERR_SKILL_FAILED`): intent, converse, fallback and stop handlers, and
   * `canHandle` hooks. */
  readonly skillErrors: number;
}

/**
 * An assistant error as the default `onError` writes it: `hivelink assistant: CODE: message`, then the stack of its
 * cause (the skill's own error) indented, so a failing skill can be found.
 */
export function formatAssistantError(err: HiveLinkError): string {
  const line = `hivelink assistant: ${err.code}: ${err.message}\n`;
  const stack = err.cause instanceof Error ? err.cause.stack : undefined;
  if (stack === undefined || stack === '') return line;
  return `${line}${stack.replace(/^/gm, '    ')}\n`;
}

/** Most alternative transcriptions of one utterance considered. */
const MAX_ALTERNATIVES = 10;

/** The embedded assistant. */
export class Assistant {
  readonly #bus: MessageBus;
  readonly #init: AssistantInit;
  readonly #engine: IntentEngine;
  readonly #stopEngine: IntentEngine;
  readonly #registry: SkillRegistry;
  readonly #sessions: SessionStore;
  readonly #runner: SkillRunner;
  readonly #pipeline: UtterancePipeline;
  readonly #clock: () => Date;
  readonly #timezone: string;
  readonly #onError: (error: HiveLinkError) => void;
  readonly #loadErrors: HiveLinkError[] = [];
  /** Skills loaded from files of `skillsDir`, by file, for hot reload. */
  readonly #fileSkills = new Map<string, LoadedSkill>();
  #watch: SkillDirectoryWatch | null = null;
  /** Reloads run one after another, in the order the changes settled. */
  #reloading: Promise<void> = Promise.resolve();
  #skillErrors = 0;
  #offs: (() => void)[] = [];
  #state: 'idle' | 'starting' | 'running' | 'stopped' = 'idle';

  constructor(init: AssistantInit) {
    if (typeof init?.bus?.emit !== 'function' || typeof init.bus.on !== 'function') {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'Assistant needs a bus');
    }
    this.#init = init;
    this.#bus = init.bus;
    this.#clock = init.clock ?? (() => new Date());
    this.#timezone = checkTimezone(init.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone);
    this.#onError = init.onError ?? ((err) => void process.stderr.write(formatAssistantError(err)));
    const responseTimeoutMs = init.responseTimeoutMs ?? LIMIT_DEFS.assistantResponseTimeoutMs.default;
    if (!Number.isFinite(responseTimeoutMs) || responseTimeoutMs < 0) {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'responseTimeoutMs must be a number >= 0');
    }
    const maxSessions = init.maxSessions ?? LIMIT_DEFS.assistantMaxSessions.default;
    if (!Number.isSafeInteger(maxSessions) || maxSessions < 1) {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'maxSessions must be a whole number >= 1');
    }
    this.#engine = new IntentEngine({
      maxUtteranceWords: LIMIT_DEFS.assistantMaxUtteranceWords.default,
      ...init.engine,
    });
    this.#stopEngine = new IntentEngine();
    for (const [lang, locale] of CORE_LOCALES) {
      this.#stopEngine.registerExamples(lang, `${STOP_SKILL_ID}:stop.intent`, locale.stop);
    }
    this.#registry = new SkillRegistry(this.#engine);
    this.#sessions = new SessionStore({ maxSessions, now: () => this.#clock().getTime() });
    this.#runner = new SkillRunner({
      emit: (m) => this.#emit(m),
      listen: (type, handler) => this.#bus.on(type, handler),
      report: (e) => this.#report(e),
      storage: (sessionId, skillId) => this.#sessions.storage(this.#sessions.get(sessionId), skillId),
      skills: (lang) => this.#registry.summaries(lang),
      now: this.#clock,
      timezone: this.#timezone,
      random: init.random ?? Math.random,
      responseTimeoutMs,
    });
    this.#pipeline = new UtterancePipeline({
      engine: this.#engine,
      stopEngine: this.#stopEngine,
      registry: this.#registry,
      sessions: this.#sessions,
      runner: this.#runner,
      emit: (m) => this.#emit(m),
      report: (e) => this.#report(e),
    });
  }

  /** The intent engine (for benchmarks and `intent.service.intent.get`). */
  get engine(): IntentEngine {
    return this.#engine;
  }

  /** Counters since construction (a snapshot). */
  get stats(): AssistantStats {
    return { skillErrors: this.#skillErrors };
  }

  /** Skills that failed to load at {@link start}, each naming its file. */
  get loadErrors(): readonly HiveLinkError[] {
    return this.#loadErrors;
  }

  /** The loaded skills, in load order. */
  skills(): readonly LoadedSkill[] {
    return this.#registry.list();
  }

  /**
   * Adds a skill while the assistant runs (an installed bundle, docs/PROTOCOL.md §15): its intents answer from the
   * next utterance on.
   *
   * @throws HiveLinkError HL_ERR_SKILL_LOAD when it is invalid or its id is taken (nothing is left registered).
   */
  addSkill(definition: unknown, origin: string): LoadedSkill {
    return this.#registry.add(definition, origin);
  }

  /** Unloads skill `id` (its open questions and running handlers are stopped first); true when it was loaded. */
  removeSkill(id: string): boolean {
    for (const sessionId of this.#runner.sessionsOf(id)) this.#runner.answer(sessionId, id, null);
    return this.#registry.remove(id);
  }

  /**
   * Loads the skills (a broken one is reported and skipped) and starts serving the bus.
   *
   * @throws HiveLinkError HL_ERR_INVALID_ARGUMENT when called twice or after {@link stop}.
   */
  async start(): Promise<void> {
    if (this.#state !== 'idle')
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'the assistant was already started');
    this.#state = 'starting';
    for (const def of this.#init.skills ?? builtInSkills()) this.#load(def, 'built-in');
    if (this.#init.skillsDir !== undefined) {
      const { skills, errors } = await loadSkillDirectory(this.#init.skillsDir);
      for (const { file, error } of errors) this.#loadFailed(error, file);
      for (const { definition, file } of skills) {
        const loaded = this.#load(definition, file);
        if (loaded !== null) this.#fileSkills.set(file, loaded);
      }
      if (this.#init.watchSkillsDir === true) {
        this.#watch = watchSkillDirectory(
          this.#init.skillsDir,
          (change) => {
            this.#reloading = this.#reloading.then(() => this.#reload(change));
          },
          (err) => this.#report(err),
        );
      }
    }
    if (this.#state !== 'starting') return;
    this.#subscribe();
    this.#state = 'running';
  }

  /**
   * Stops serving: unsubscribes, answers open questions with `null`, aborts running handlers, and emits nothing
   * more (handlers still running finish silently).
   */
  stop(): void {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    this.#watch?.close();
    this.#watch = null;
    for (const off of this.#offs) off();
    this.#offs = [];
    this.#runner.stopAll();
  }

  #stopped(): boolean {
    return this.#state === 'stopped';
  }

  #load(def: unknown, origin: string): LoadedSkill | null {
    try {
      return this.#registry.add(def, origin);
    } catch (err) {
      this.#loadFailed(
        isHiveLinkError(err)
          ? err
          : new HiveLinkError('HL_ERR_SKILL_LOAD', `skill ${origin}: ${String(err)}`),
        origin,
      );
      return null;
    }
  }

  /**
   * One settled change of a skill file: the new version replaces the old (`mycroft.skills.loaded`), a removed file's
   * skill is unloaded (`mycroft.skills.shutdown`); a version that does not load is reported and the old one stays.
   */
  async #reload(change: SkillFileChange): Promise<void> {
    if (this.#stopped()) return;
    const { file } = change;
    const old = this.#fileSkills.get(file);
    if (change.kind === 'removed') {
      if (old === undefined) return;
      this.removeSkill(old.id);
      this.#fileSkills.delete(file);
      this.#emit(createMessage('mycroft.skills.shutdown', { path: file, id: old.id }));
      return;
    }
    let definition: SkillDefinition;
    try {
      definition = await importSkillFile(file);
    } catch (err) {
      this.#loadFailed(err as HiveLinkError, file);
      return;
    }
    if (this.#stopped()) return; // stopped while the module loaded
    if (old !== undefined) this.removeSkill(old.id);
    const loaded = this.#load(definition, file);
    if (loaded === null) {
      // The new version was refused (say, its id is another skill's): the old one answers again.
      if (old !== undefined) this.#fileSkills.set(file, this.addSkill(old.definition, file));
      return;
    }
    this.#fileSkills.set(file, loaded);
    this.#emit(createMessage('mycroft.skills.loaded', { path: file, id: loaded.id, name: loaded.id }));
  }

  #loadFailed(err: HiveLinkError, origin: string): void {
    this.#loadErrors.push(err);
    this.#report(err);
    this.#emit(createMessage('mycroft.skills.loading_failure', { path: origin, id: null }));
  }

  #report(err: HiveLinkError): void {
    if (err.code === 'HL_ERR_SKILL_FAILED') this.#skillErrors += 1;
    try {
      this.#onError(err);
    } catch {
      // A failing error sink must not take the assistant down.
    }
  }

  /** Emits on the bus (nothing once stopped); a refusal (queue full, closed) is reported, never thrown. */
  #emit(message: MessageData): void {
    if (this.#state === 'stopped') return;
    try {
      this.#bus.emit(message);
    } catch (err) {
      this.#report(
        isHiveLinkError(err)
          ? err
          : new HiveLinkError('HL_ERR_INTERNAL', `bus emit failed: ${String(err)}`, { cause: err }),
      );
    }
  }

  #on(type: string, handler: (msg: MessageData) => void | Promise<void>): void {
    this.#offs.push(
      this.#bus.on(type, (msg) => {
        if (this.#state !== 'running') return;
        let result: void | Promise<void>;
        try {
          result = handler(msg);
        } catch (err) {
          this.#internal(type, err);
          return;
        }
        if (result instanceof Promise) result.catch((err: unknown) => this.#internal(type, err));
      }),
    );
  }

  #internal(type: string, err: unknown): void {
    this.#report(
      isHiveLinkError(err)
        ? err
        : new HiveLinkError('HL_ERR_INTERNAL', `handling ${type} failed: ${String(err)}`, { cause: err }),
    );
  }

  #subscribe(): void {
    this.#on('recognizer_loop:utterance', (msg) => this.#utterance(msg));
    this.#on('mycroft.stop', (msg) => this.#globalStop(msg));
    this.#on('mycroft.skills.train', (msg) => this.#emit(reply(msg, 'mycroft.skills.trained')));
    for (const type of ['mycroft.intents.is_ready', 'mycroft.skills.is_ready', 'mycroft.skills.is_alive']) {
      this.#on(type, (msg) => this.#emit(response(msg, { status: true })));
    }
    this.#on('skillmanager.list', () => {
      const data: Record<string, unknown> = {};
      for (const s of this.#registry.list()) data[s.id] = { active: true, id: s.id };
      this.#emit(createMessage('mycroft.skills.list', data));
    });
    this.#on('intent.service.intent.get', (msg) => this.#intentGet(msg));
    this.#on('intent.service.active_skills.get', (msg) => {
      const state = this.#sessions.merge(sessionOf(msg));
      this.#emit(
        reply(msg, 'intent.service.active_skills.reply', { skills: state.activeSkills.map(([id]) => id) }),
      );
    });
    this.#on('ovos.session.sync', (msg) => {
      const incoming = { session_id: 'default' };
      const state = this.#sessions.merge(incoming);
      const lang = resolveLang(msg, incoming, this.#engine.languages(), this.#init.defaultLang ?? 'en-US');
      const session = serializeSession(incoming, state, lang, this.#runner.questionsOf('default'));
      this.#emit(reply(msg, 'ovos.session.update_default', { session_data: session }));
    });
  }

  async #utterance(raw: MessageData): Promise<void> {
    const utterances = alternatives(raw.data.utterances);
    const incoming = sessionOf(raw);
    const lang = resolveLang(raw, incoming, this.#engine.languages(), this.#init.defaultLang ?? 'en-US');
    const state = this.#sessions.merge(incoming);
    const session = serializeSession(incoming, state, lang, this.#runner.questionsOf(state.id));
    const msg = createMessage(raw.type, raw.data, { ...raw.context, session, lang });
    await this.#pipeline.handle(msg, utterances, lang, incoming, state);
  }

  async #globalStop(msg: MessageData): Promise<void> {
    const sessionId = sessionIdOf(msg);
    const busy = new Set(this.#runner.busySkills(sessionId));
    for (const skill of this.#registry.list()) {
      if (busy.has(skill.id)) await this.#runner.stop(skill, msg, sessionId);
    }
  }

  #intentGet(msg: MessageData): void {
    const utterance = typeof msg.data.utterance === 'string' ? msg.data.utterance : '';
    const incoming = sessionOf(msg);
    const lang = resolveLang(msg, incoming, this.#engine.languages(), this.#init.defaultLang ?? 'en-US');
    const blockedSkills = new Set(incoming.blacklisted_skills ?? []);
    const blockedIntents = new Set(incoming.blacklisted_intents ?? []);
    const best = this.#engine
      .match(utterance, lang, {
        skip: (name) => blockedIntents.has(name) || blockedSkills.has(name.slice(0, name.indexOf(':'))),
      })
      .find((m) => m.tier !== 'low' && this.#registry.intent(m.name) !== undefined);
    if (best === undefined) {
      this.#emit(reply(msg, 'intent.service.intent.reply', { intent: null, utterance }));
      return;
    }
    const plugin = best.matcher === 'examples' ? 'padatious' : 'adapt';
    const skillId = best.name.slice(0, best.name.indexOf(':'));
    this.#emit(
      reply(msg, 'intent.service.intent.reply', {
        intent: {
          ...best.entities,
          intent_name: best.name,
          intent_service: `ovos-${plugin}-pipeline-plugin-${best.tier}`,
          skill_id: skillId,
          handler: `match_${best.tier}`,
          confidence: best.confidence,
        },
        utterance,
      }),
    );
  }
}

/** The transcriptions of `data.utterances` (strings, or `[text, confidence]` pairs), trimmed, non-empty. */
function alternatives(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const out: string[] = [];
  for (const item of value) {
    const text = Array.isArray(item) ? item[0] : item;
    if (typeof text === 'string' && text.trim() !== '') out.push(text.trim());
    if (out.length >= MAX_ALTERNATIVES) break;
  }
  return out;
}

function checkTimezone(tz: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz;
  } catch (err) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `unknown time zone "${tz}"`, { cause: err });
  }
}
