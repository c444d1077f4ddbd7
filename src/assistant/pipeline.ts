/**
 * The utterance pipeline of the assistant core, stage by stage as ovos-core runs it (docs/PROTOCOL.md §B3.2–B3.4):
 * stop → converse (open questions first, then pings to active skills) → example intents high → keyword intents
 * high → fallbacks high → stop medium → example intents medium → keyword intents medium → fallbacks medium →
 * fallbacks low → `complete_intent_failure`. A session may name its own stage order (`session.pipeline`).
 *
 * Every message of a turn is a reply or forward of the utterance, so it carries the asker's routing (destination =
 * the utterance's source) and its session.
 *
 * @module
 */
import { createMessage, DEFAULT_SESSION_ID, forward, reply } from '../bus/message.js';
import type { MessageData, SessionData } from '../bus/types.js';
import { HiveLinkError } from '../errors.js';
import type { IntentEngine } from './engine/intent-engine.js';
import { langFallbacks } from './engine/lang/index.js';
import type { IntentMatch, MatcherKind, Tier } from './engine/types.js';
import { LANG_UNSUPPORTED_CODE, LANG_UNSUPPORTED_DIALOG, langUnsupportedText } from './locale/index.js';
import { blacklistsOf, serializeSession } from './session-data.js';
import type { SessionState, SessionStore } from './session-store.js';
import type { UtteranceInput } from './skill.js';
import type { LoadedSkill, SkillRegistry } from './skill-registry.js';
import type { SkillRunner, Turn } from './skill-runner.js';

/** The skill id OVOS's stop pipeline uses. */
export const STOP_SKILL_ID = 'stop.openvoiceos';

/** The skill id in `meta.skill` of what the core itself says (an unsupported language). */
export const CORE_SKILL_ID = 'hivelink.core';

/** What the pipeline works with. */
export interface PipelineDeps {
  readonly engine: IntentEngine;
  /** Matches the core's stop intent only. */
  readonly stopEngine: IntentEngine;
  readonly registry: SkillRegistry;
  readonly sessions: SessionStore;
  readonly runner: SkillRunner;
  emit(message: MessageData): void;
  /** Receives a skill hook that threw (`HL_ERR_SKILL_FAILED`, the thrown value as `cause`). */
  report(error: HiveLinkError): void;
}

/** One utterance being handled. */
interface Job {
  /** The utterance message with the resolved session and lang written into its context. */
  readonly msg: MessageData;
  readonly utterances: readonly string[];
  readonly lang: string;
  readonly incoming: SessionData;
  readonly state: SessionState;
  readonly blocked: (skillId: string, intentName?: string) => boolean;
  matches?: IntentMatch[];
}

type Stage = (job: Job) => Promise<boolean>;

const FALLBACK_RANGES = { high: [0, 5], medium: [5, 90], low: [90, 101] } as const;

/** Handles `recognizer_loop:utterance` messages. */
export class UtterancePipeline {
  readonly #deps: PipelineDeps;
  readonly #stages: ReadonlyMap<string, Stage>;

  constructor(deps: PipelineDeps) {
    this.#deps = deps;
    const stages = new Map<string, Stage>();
    const add = (names: string[], stage: Stage): void => {
      for (const n of names) stages.set(n, stage);
    };
    const plugin = (engine: string, tier: string, short: string[]): string[] => [
      `ovos-${engine}-pipeline-plugin-${tier}`,
      ...short.map((s) => `${s}_${tier}`),
    ];
    add(plugin('stop', 'high', ['stop']), (job) => this.#stop(job, 'high'));
    add(plugin('stop', 'medium', ['stop']), (job) => this.#stop(job, 'medium'));
    add(['ovos-converse-pipeline-plugin', 'converse'], (job) => this.#converse(job));
    for (const tier of ['high', 'medium', 'low'] as const) {
      add(plugin('padatious', tier, ['padatious', 'padacioso']), (job) =>
        this.#intents(job, 'examples', tier),
      );
      add(plugin('padacioso', tier, []), (job) => this.#intents(job, 'examples', tier));
      add(plugin('adapt', tier, ['adapt']), (job) => this.#intents(job, 'keywords', tier));
      add(plugin('fallback', tier, ['fallback']), (job) => this.#fallback(job, tier));
    }
    this.#stages = stages;
  }

  /** Runs the pipeline for `msg`, whose context already holds the resolved session and lang. */
  async handle(
    msg: MessageData,
    utterances: readonly string[],
    lang: string,
    incoming: SessionData,
    state: SessionState,
  ): Promise<void> {
    const lists = blacklistsOf(incoming);
    const job: Job = {
      msg,
      utterances,
      lang,
      incoming,
      state,
      blocked: (skillId, intentName) =>
        lists.skills.has(skillId) || (intentName !== undefined && lists.intents.has(intentName)),
    };
    if (utterances.length > 0) {
      for (const name of msg.context.session?.pipeline ?? []) {
        const stage = this.#stages.get(name);
        if (stage !== undefined && (await stage(job))) return;
      }
    }
    if (utterances.length > 0 && !this.#speaks(lang)) {
      this.#unsupported(job);
      return;
    }
    this.#emit(reply(msg, 'mycroft.audio.play_sound', { uri: 'snd/error.mp3' }));
    this.#emit(reply(msg, 'complete_intent_failure', { ...msg.data, lang }));
    this.#emit(reply(msg, 'ovos.utterance.handled', {}));
    this.#syncDefault(job);
  }

  /**
   * True when some loaded skill registered intents for `lang` (its exact tag or its primary subtag), or none did for
   * any language (skills without resources, fallbacks only, are not tied to one).
   */
  #speaks(lang: string): boolean {
    const known = new Set(this.#deps.engine.languages());
    return known.size === 0 || langFallbacks(lang).some((tag) => known.has(tag));
  }

  /**
   * Nothing handled an utterance in a language no skill speaks: rather than "did not understand", the core says
   * (in English) that the language is not supported, with a stable dialog id and error code in `meta`, and ends
   * the turn as handled.
   */
  #unsupported(job: Job): void {
    const supported = [...new Set(this.#deps.engine.languages().map((t) => t.split('-')[0]!))].sort();
    const text = langUnsupportedText(job.lang, supported);
    const meta = {
      skill: CORE_SKILL_ID,
      dialog: LANG_UNSUPPORTED_DIALOG,
      error: LANG_UNSUPPORTED_CODE,
      data: { lang: job.lang, supported },
    };
    this.#emit(reply(job.msg, 'speak', { utterance: text, expect_response: false, lang: 'en-US', meta }));
    this.#emit(reply(job.msg, 'ovos.utterance.handled', {}));
    this.#syncDefault(job);
  }

  #emit(message: MessageData): void {
    this.#deps.emit(message);
  }

  /** A skill's `canHandle` threw: reported like a failing handler, and the skill counts as unable to handle. */
  #hookFailed(skill: LoadedSkill, where: string, err: unknown): void {
    const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    this.#deps.report(
      new HiveLinkError('HL_ERR_SKILL_FAILED', `skill ${skill.id} (${where}) failed: ${what}`, {
        cause: err,
      }),
    );
  }

  #session(job: Job): SessionData {
    return serializeSession(job.incoming, job.state, job.lang, this.#deps.runner.questionsOf(job.state.id));
  }

  #syncDefault(job: Job): void {
    if (job.state.id !== DEFAULT_SESSION_ID) return;
    this.#emit(createMessage('ovos.session.update_default', { session_data: this.#session(job) }));
  }

  /**
   * Emits a match: `<skill_id>.activate` (when `activate`), then the match message itself (a reply of the utterance
   * with `data` laid over the utterance's data, `context.skill_id` and the updated session).
   */
  #emitMatch(
    job: Job,
    skillId: string | undefined,
    type: string,
    data: Record<string, unknown>,
    activate: boolean,
  ): MessageData {
    const context = skillId === undefined ? {} : { skill_id: skillId };
    const match = reply(job.msg, type, { ...job.msg.data, ...data, lang: job.lang }, context);
    if (activate && skillId !== undefined) {
      this.#emit(forward(match, `${skillId}.activate`));
      if (this.#deps.registry.get(skillId) !== undefined) this.#deps.sessions.activate(job.state, skillId);
    }
    match.context.session = this.#session(job);
    this.#emit(match);
    this.#syncDefault(job);
    return match;
  }

  #turn(job: Job, utterance: string, entities: Readonly<Record<string, string>> = {}, confidence = 1): Turn {
    return {
      utterance,
      utterances: job.utterances,
      lang: job.lang,
      sessionId: job.state.id,
      session: this.#session(job),
      entities,
      confidence,
    };
  }

  #input(job: Job): UtteranceInput {
    return { utterances: job.utterances, lang: job.lang, sessionId: job.state.id };
  }

  /** Active, loaded, not blocked skills of the session, most recent first. */
  #activeSkills(job: Job): LoadedSkill[] {
    const out: LoadedSkill[] = [];
    for (const [id] of job.state.activeSkills) {
      const skill = this.#deps.registry.get(id);
      if (skill !== undefined && !job.blocked(id)) out.push(skill);
    }
    return out;
  }

  /**
   * Sends each skill its `<id>.<kind>.ping` (with `pingData`), then answers each ping in turn with
   * `skill.<kind>.pong` saying whether `canHandle` says it can, and returns the first skill that can.
   */
  async #firstThatCan(
    job: Job,
    skills: readonly LoadedSkill[],
    kind: 'stop' | 'converse',
    pingData: (skill: LoadedSkill) => Record<string, unknown>,
    canHandle: (skill: LoadedSkill) => boolean | Promise<boolean>,
  ): Promise<LoadedSkill | undefined> {
    const pings = skills.map((s) => forward(job.msg, `${s.id}.${kind}.ping`, pingData(s)));
    for (const ping of pings) this.#emit(ping);
    let chosen: LoadedSkill | undefined;
    for (const [i, skill] of skills.entries()) {
      const answer = canHandle(skill);
      // A synchronous answer (stop's) is used as it is, so all of its pongs go out in the same turn.
      const can = typeof answer === 'boolean' ? answer : await answer;
      this.#emit(
        reply(
          pings[i]!,
          `skill.${kind}.pong`,
          { skill_id: skill.id, can_handle: can },
          { skill_id: skill.id },
        ),
      );
      if (can && chosen === undefined) chosen = skill;
    }
    return chosen;
  }

  async #stop(job: Job, tier: Tier): Promise<boolean> {
    const utterance = job.utterances.find((u) =>
      this.#deps.stopEngine
        .match(u, job.lang)
        .some((m) => m.tier === tier || (tier === 'medium' && m.tier === 'high')),
    );
    if (utterance === undefined || job.blocked(STOP_SKILL_ID)) return false;
    const runner = this.#deps.runner;
    const candidates = this.#activeSkills(job).filter((s) => runner.isBusy(job.state.id, s.id));
    const chosen = await this.#firstThatCan(
      job,
      candidates,
      'stop',
      (s) => ({ skill_id: s.id }),
      (skill) => skill.definition.stop !== undefined || runner.isBusy(job.state.id, skill.id),
    );
    if (chosen !== undefined) {
      const match = this.#emitMatch(
        job,
        STOP_SKILL_ID,
        'stop:skill',
        { skill_id: chosen.id, conf: 1, utterance },
        true,
      );
      const request = reply(match, `${chosen.id}.stop`, { skill_id: chosen.id });
      this.#emit(request);
      const result = await runner.stop(chosen, request, job.state.id);
      this.#emit(
        reply(
          request,
          `${chosen.id}.stop.response`,
          { skill_id: chosen.id, result },
          { skill_id: chosen.id },
        ),
      );
      return true;
    }
    const match = this.#emitMatch(job, STOP_SKILL_ID, 'stop:global', { utterance }, true);
    this.#emit(forward(match, 'mycroft.stop'));
    this.#emit(forward(match, 'ovos.utterance.handled', {}));
    return true;
  }

  async #converse(job: Job): Promise<boolean> {
    const runner = this.#deps.runner;
    const utterance = job.utterances[0]!;
    // An open question (get_response) takes the utterance without a ping, most recently active skill first.
    const order = new Map(job.state.activeSkills.map(([id], i) => [id, i]));
    const waiting = runner
      .questionsOf(job.state.id)
      .filter((id) => !job.blocked(id))
      .sort((a, b) => (order.get(a) ?? Number.MAX_SAFE_INTEGER) - (order.get(b) ?? Number.MAX_SAFE_INTEGER));
    const asker = waiting[0];
    if (asker !== undefined) {
      this.#emitMatch(job, asker, `${asker}.converse.get_response`, { utterance }, true);
      runner.answer(job.state.id, asker, utterance);
      return true;
    }
    const active = this.#activeSkills(job);
    if (active.length === 0) return false;
    const input = this.#input(job);
    const chosen = await this.#firstThatCan(
      job,
      active,
      'converse',
      (s) => ({ ...job.msg.data, skill_id: s.id }),
      async (skill) => {
        const converse = skill.definition.converse;
        if (converse === undefined) return false;
        try {
          return converse.canHandle === undefined || (await converse.canHandle(input)) === true;
        } catch (err) {
          // The skill cannot handle it; reported (with the cause and its stack) so the bug is seen.
          this.#hookFailed(skill, 'converse.canHandle', err);
          return false;
        }
      },
    );
    if (chosen === undefined) return false;
    const match = this.#emitMatch(job, chosen.id, 'converse:skill', { skill_id: chosen.id, utterance }, true);
    this.#emit(reply(match, `${chosen.id}.converse.request`, { ...match.data }));
    await runner.runConverse(chosen, match, this.#turn(job, utterance));
    return true;
  }

  #matches(job: Job): IntentMatch[] {
    if (job.matches === undefined) {
      const best = new Map<string, IntentMatch>();
      for (const u of job.utterances) {
        const found = this.#deps.engine.match(u, job.lang, {
          skip: (name) => job.blocked(name.slice(0, name.indexOf(':')), name),
        });
        for (const m of found) if (!best.has(m.name)) best.set(m.name, m);
      }
      job.matches = [...best.values()];
    }
    return job.matches;
  }

  async #intents(job: Job, matcher: MatcherKind, tier: Tier): Promise<boolean> {
    const candidates = this.#matches(job)
      .filter((m) => m.matcher === matcher && m.tier === tier)
      .sort((a, b) => b.confidence - a.confidence);
    for (const m of candidates) {
      const found = this.#deps.registry.intent(m.name);
      if (found === undefined) continue;
      const { skill, intent } = found;
      const data =
        matcher === 'examples' ? { ...m.entities, utterance: m.utterance } : this.#keywordData(skill.id, m);
      const message = this.#emitMatch(job, skill.id, m.name, data, true);
      await this.#deps.runner.runIntent(
        skill,
        intent.name,
        intent.handlerName,
        intent.handler,
        message,
        this.#turn(job, m.utterance, m.entities, m.confidence),
      );
      return true;
    }
    return false;
  }

  /** Adapt-shaped intent data: munged keyword keys, `intent_type`, `confidence`, `target`, `__tags__`. */
  #keywordData(skillId: string, m: IntentMatch): Record<string, unknown> {
    const prefix = skillId.replace(/[^A-Za-z0-9]/g, '_');
    const data: Record<string, unknown> = { intent_type: m.name };
    for (const tag of m.tags) data[prefix + tag.key] = tag.match;
    data.confidence = m.confidence;
    data.target = null;
    data.utterance = m.utterance;
    data.__tags__ = m.tags.map((t) => ({
      match: t.match,
      key: t.match,
      start_token: t.startToken,
      end_token: t.endToken,
      from_context: false,
      entities: [{ key: t.match, match: t.match, data: [[t.value, prefix + t.key]], confidence: 1 }],
    }));
    return data;
  }

  async #fallback(job: Job, tier: Tier): Promise<boolean> {
    const [low, high] = FALLBACK_RANGES[tier];
    const skills = this.#deps.registry.fallbacks(low, high).filter((s) => !job.blocked(s.id));
    if (skills.length === 0) return false;
    const range = [low, high];
    const ping = forward(job.msg, 'ovos.skills.fallback.ping', {
      utterances: [...job.utterances],
      lang: job.lang,
      range,
    });
    this.#emit(ping);
    const input = this.#input(job);
    const willing: LoadedSkill[] = [];
    for (const skill of skills) {
      const canHandle = skill.definition.fallback?.canHandle;
      let ok = true;
      try {
        ok = canHandle === undefined || (await canHandle(input)) === true;
      } catch (err) {
        this.#hookFailed(skill, 'fallback.canHandle', err);
        ok = false;
      }
      this.#emit(
        reply(
          ping,
          'ovos.skills.fallback.pong',
          { skill_id: skill.id, can_handle: ok },
          { skill_id: skill.id },
        ),
      );
      if (ok) willing.push(skill);
    }
    const utterance = job.utterances[0]!;
    for (const skill of willing) {
      const request = this.#emitMatch(
        job,
        undefined,
        `ovos.skills.fallback.${skill.id}.request`,
        { range, skill_id: skill.id, utterance },
        false,
      );
      if (await this.#deps.runner.runFallback(skill, request, this.#turn(job, utterance))) return true;
    }
    return false;
  }
}
