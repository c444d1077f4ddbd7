/**
 * Runs skill handlers the way the OVOS handler wrapper does, emitting what a bus watcher expects:
 * `mycroft.skill.handler.start` → `speak`… → (`mycroft.skill.handler.error`) → `mycroft.skill.handler.complete` →
 * `ovos.utterance.handled` for intents, and the converse / fallback / stop replies (docs/PROTOCOL.md §B3.4, §B4.4–B4.7).
 *
 * It also keeps the questions skills are waiting on (`ask`, OVOS `get_response`), per session and skill, and which
 * handlers are running, so "stop" knows what to stop. A skill that throws or hangs never takes the assistant down.
 *
 * @module
 */
import { deepCopy } from '../bus/copy.js';
import { forward } from '../bus/message.js';
import type { MessageData, MessageHandler } from '../bus/types.js';
import { HiveLinkError } from '../errors.js';
import { clientInfoOf } from './client-info.js';
import { coreLocale } from './locale/index.js';
import {
  DEFAULT_REQUEST_TIMEOUT_MS,
  type SkillContext,
  type SkillSummary,
  type SpeakOptions,
} from './skill.js';
import { defaultHandlerName, dialogVariants, type LoadedSkill, renderDialog } from './skill-registry.js';

/** One turn's facts, handed to handlers: the turn part of {@link SkillContext}, so the two cannot drift. */
export type Turn = Pick<
  SkillContext,
  'utterance' | 'utterances' | 'lang' | 'sessionId' | 'session' | 'entities' | 'confidence'
>;

/** What the runner needs from the assistant. */
export interface SkillRunnerDeps {
  emit(message: MessageData): void;
  /** Subscribes to `type` on the bus (answers of {@link SkillContext.request}); returns the unsubscribe. */
  listen(type: string, handler: MessageHandler): () => void;
  report(error: HiveLinkError): void;
  storage(sessionId: string, skillId: string): Map<string, unknown>;
  skills(lang: string): readonly SkillSummary[];
  now(): Date;
  readonly timezone: string;
  readonly random: () => number;
  readonly responseTimeoutMs: number;
}

interface Question {
  readonly finish: (answer: string | null) => void;
}

/** Message of `type` continuing the turn of `base`, stamped with `skillId` as every skill message is. */
function skillForward(
  base: MessageData,
  type: string,
  data: Record<string, unknown>,
  skillId: string,
): MessageData {
  const msg = forward(base, type, data);
  msg.context.skill_id = skillId;
  return msg;
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

/** Runs handlers and tracks questions and running handlers per session. */
export class SkillRunner {
  readonly #deps: SkillRunnerDeps;
  /** session id → skill id → open question. */
  readonly #questions = new Map<string, Map<string, Question>>();
  /** session id → skill id → abort controllers of running handlers. */
  readonly #running = new Map<string, Map<string, Set<AbortController>>>();

  constructor(deps: SkillRunnerDeps) {
    this.#deps = deps;
  }

  /** Skills with an open question in `sessionId`, oldest question first. */
  questionsOf(sessionId: string): string[] {
    return [...(this.#questions.get(sessionId)?.keys() ?? [])];
  }

  /** Gives `answer` to the open question of `skillId` in `sessionId`; false when there is none. */
  answer(sessionId: string, skillId: string, answer: string | null): boolean {
    const q = this.#questions.get(sessionId)?.get(skillId);
    if (q === undefined) return false;
    q.finish(answer);
    return true;
  }

  /** True when `skillId` has a running handler or an open question in `sessionId`. */
  isBusy(sessionId: string, skillId: string): boolean {
    return (
      (this.#running.get(sessionId)?.get(skillId)?.size ?? 0) > 0 ||
      this.#questions.get(sessionId)?.has(skillId) === true
    );
  }

  /** Sessions where `skillId` has an open question. */
  sessionsOf(skillId: string): string[] {
    return [...this.#questions].filter(([, bySkill]) => bySkill.has(skillId)).map(([sessionId]) => sessionId);
  }

  /** Skills busy in `sessionId`. */
  busySkills(sessionId: string): string[] {
    return [...new Set([...(this.#running.get(sessionId)?.keys() ?? []), ...this.questionsOf(sessionId)])];
  }

  /** Aborts everything: open questions resolve with `null`, running handlers see their signal aborted. */
  stopAll(): void {
    for (const [sessionId, questions] of [...this.#questions]) {
      for (const skillId of [...questions.keys()]) this.answer(sessionId, skillId, null);
    }
    for (const bySkill of this.#running.values()) {
      for (const set of bySkill.values()) for (const c of set) c.abort();
    }
  }

  /**
   * Stops `skill` in the session of `message`: aborts its running handlers and open question, then calls its stop
   * hook. Resolves with the hook's answer (false when it has none or it fails).
   */
  async stop(skill: LoadedSkill, message: MessageData, sessionId: string): Promise<boolean> {
    const busy = this.isBusy(sessionId, skill.id);
    for (const c of this.#running.get(sessionId)?.get(skill.id) ?? []) c.abort();
    this.answer(sessionId, skill.id, null);
    const hook = skill.definition.stop;
    if (hook === undefined) return busy;
    try {
      return (await hook({ skillId: skill.id, sessionId, message })) === true;
    } catch (err) {
      this.#fail(skill, 'stop', err);
      return false;
    }
  }

  /** Runs an intent handler, wrapped in start / complete / handled (error in between when it fails). */
  async runIntent(
    skill: LoadedSkill,
    intentName: string,
    handlerName: string | undefined,
    handler: (ctx: SkillContext) => void | Promise<void>,
    intentMessage: MessageData,
    turn: Turn,
  ): Promise<void> {
    const name = handlerName ?? defaultHandlerName(skill.className, intentName);
    this.#emit(skillForward(intentMessage, 'mycroft.skill.handler.start', { name }, skill.id));
    await this.#guarded(skill, intentName, intentMessage, turn, name, handler);
    this.#emit(skillForward(intentMessage, 'mycroft.skill.handler.complete', { name }, skill.id));
    this.#emit(skillForward(intentMessage, 'ovos.utterance.handled', { name }, skill.id));
  }

  /** Runs a converse handler for the `converse:skill` match; emits `skill.converse.response` and `handled`. */
  async runConverse(skill: LoadedSkill, matchMessage: MessageData, turn: Turn): Promise<void> {
    const converse = skill.definition.converse;
    let result = false;
    if (converse !== undefined) {
      await this.#guarded(
        skill,
        'converse',
        matchMessage,
        turn,
        `${skill.className}.converse`,
        async (ctx) => {
          result = (await converse.handler(ctx)) !== false;
        },
      );
    }
    this.#emit(
      skillForward(matchMessage, 'skill.converse.response', { skill_id: skill.id, result }, skill.id),
    );
    this.#emit(skillForward(matchMessage, 'ovos.utterance.handled', {}, skill.id));
  }

  /** Runs a fallback handler for its request; resolves true when it handled the utterance. */
  async runFallback(skill: LoadedSkill, request: MessageData, turn: Turn): Promise<boolean> {
    const fallback = skill.definition.fallback!;
    const name = fallback.handlerName ?? `${skill.className}.handle_fallback`;
    const prefix = `ovos.skills.fallback.${skill.id}`;
    this.#emit(skillForward(request, `${prefix}.start`, {}, skill.id));
    let result = false;
    await this.#guarded(skill, 'fallback', request, turn, name, async (ctx) => {
      result = (await fallback.handler(ctx)) === true;
    });
    this.#emit(skillForward(request, `${prefix}.response`, { result, fallback_handler: name }, skill.id));
    if (result) this.#emit(skillForward(request, 'ovos.utterance.handled', {}, skill.id));
    return result;
  }

  /** Runs `body` with a context; a failure is spoken, reported on the bus and to the assistant, never thrown. */
  async #guarded(
    skill: LoadedSkill,
    intent: string,
    base: MessageData,
    turn: Turn,
    name: string,
    body: (ctx: SkillContext) => void | Promise<void>,
  ): Promise<void> {
    const controller = new AbortController();
    const bySkill = this.#running.get(turn.sessionId) ?? new Map<string, Set<AbortController>>();
    this.#running.set(turn.sessionId, bySkill);
    const set = bySkill.get(skill.id) ?? new Set();
    bySkill.set(skill.id, set);
    set.add(controller);
    const ctx = this.#context(skill, intent, base, turn, controller.signal);
    try {
      await body(ctx);
    } catch (err) {
      ctx.speak(coreLocale(turn.lang).skillError.replace('{skill}', skill.id));
      this.#emit(
        skillForward(base, 'mycroft.skill.handler.error', { name, exception: describe(err) }, skill.id),
      );
      this.#fail(skill, name, err);
    } finally {
      set.delete(controller);
      if (set.size === 0) bySkill.delete(skill.id);
      if (bySkill.size === 0) this.#running.delete(turn.sessionId);
    }
  }

  #fail(skill: LoadedSkill, where: string, err: unknown): void {
    this.#deps.report(
      new HiveLinkError('HL_ERR_SKILL_FAILED', `skill ${skill.id} (${where}) failed: ${describe(err)}`, {
        cause: err,
      }),
    );
  }

  #emit(message: MessageData): void {
    this.#deps.emit(message);
  }

  #context(
    skill: LoadedSkill,
    intent: string,
    base: MessageData,
    turn: Turn,
    signal: AbortSignal,
  ): SkillContext {
    const deps = this.#deps;
    const storage = deps.storage(turn.sessionId, skill.id);
    const speak = (
      text: string,
      options: SpeakOptions = {},
      dialog?: string,
      vars?: Record<string, unknown>,
    ) => {
      const meta: Record<string, unknown> =
        dialog === undefined ? { skill: skill.id } : { dialog, data: vars ?? {}, skill: skill.id };
      this.#emit(
        skillForward(
          base,
          'speak',
          { utterance: text, expect_response: options.expectResponse === true, lang: turn.lang, meta },
          skill.id,
        ),
      );
    };
    const ctx: SkillContext = {
      skillId: skill.id,
      intent,
      utterance: turn.utterance,
      utterances: turn.utterances,
      lang: turn.lang,
      sessionId: turn.sessionId,
      session: deepCopy(turn.session),
      entities: turn.entities,
      confidence: turn.confidence,
      client: clientInfoOf(base),
      message: base,
      timezone: deps.timezone,
      signal,
      storage: {
        get: <T>(key: string) => storage.get(key) as T | undefined,
        set: (key, value) => {
          storage.set(key, value);
        },
        delete: (key) => storage.delete(key),
        keys: () => [...storage.keys()],
      },
      speak: (text, options) => speak(text, options),
      speakDialog: (name, vars = {}, options) =>
        speak(renderDialog(skill, name, turn.lang, vars, deps.random), options, name, { ...vars }),
      dialog: (name, vars = {}) => renderDialog(skill, name, turn.lang, vars, deps.random),
      dialogVariants: (name) => dialogVariants(skill, name, turn.lang),
      ask: (question, options = {}) => this.#ask(skill, base, turn, question, options.timeoutMs, speak),
      request: (type, data = {}, options = {}) =>
        this.#request(skill, base, type, data, options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, signal),
      now: () => deps.now(),
      skills: () => deps.skills(turn.lang),
    };
    return ctx;
  }

  #request(
    skill: LoadedSkill,
    base: MessageData,
    type: string,
    data: Record<string, unknown>,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<Record<string, unknown> | null> {
    if (typeof type !== 'string' || type === '') {
      return Promise.reject(
        new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'request type must be a non-empty string'),
      );
    }
    if (!Number.isFinite(timeoutMs) || timeoutMs < 0) {
      return Promise.reject(
        new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `request timeoutMs must be >= 0, got ${timeoutMs}`),
      );
    }
    const requestId = globalThis.crypto.randomUUID();
    const message = skillForward(base, type, data, skill.id);
    message.context.source = skill.id;
    message.context.request_id = requestId;
    return new Promise((resolve) => {
      let done = false;
      const finish = (answer: Record<string, unknown> | null): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        off();
        signal.removeEventListener('abort', aborted);
        resolve(answer);
      };
      const aborted = (): void => finish(null);
      const off = this.#deps.listen(`${type}.response`, (answer) => {
        if (answer.context?.request_id === requestId) finish(answer.data ?? {});
      });
      const timer = setTimeout(() => finish(null), timeoutMs);
      timer.unref?.();
      if (signal.aborted) {
        finish(null);
        return;
      }
      signal.addEventListener('abort', aborted, { once: true });
      this.#emit(message);
    });
  }

  #ask(
    skill: LoadedSkill,
    base: MessageData,
    turn: Turn,
    question: string,
    timeoutMs: number | undefined,
    speak: (text: string, options: SpeakOptions) => void,
  ): Promise<string | null> {
    const wait = timeoutMs ?? this.#deps.responseTimeoutMs;
    if (!Number.isFinite(wait) || wait < 0) {
      return Promise.reject(
        new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `ask timeoutMs must be >= 0, got ${wait}`),
      );
    }
    // A second question of the same skill in the same session replaces the first.
    this.answer(turn.sessionId, skill.id, null);
    return new Promise<string | null>((resolve) => {
      const bySkill = this.#questions.get(turn.sessionId) ?? new Map<string, Question>();
      this.#questions.set(turn.sessionId, bySkill);
      let done = false;
      const finish = (answer: string | null): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (bySkill.get(skill.id) === question_) bySkill.delete(skill.id);
        if (bySkill.size === 0 && this.#questions.get(turn.sessionId) === bySkill)
          this.#questions.delete(turn.sessionId);
        this.#emit(
          skillForward(base, 'skill.converse.get_response.disable', { skill_id: skill.id }, skill.id),
        );
        resolve(answer);
      };
      const question_: Question = { finish };
      const timer = setTimeout(() => finish(null), wait);
      timer.unref?.();
      bySkill.set(skill.id, question_);
      this.#emit(skillForward(base, 'skill.converse.get_response.enable', { skill_id: skill.id }, skill.id));
      speak(question, { expectResponse: true });
    });
  }
}
