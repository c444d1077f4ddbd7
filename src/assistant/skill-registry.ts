/**
 * The loaded skills: registers each skill's intents, vocabularies and entities with the intent engine, and looks up
 * skills, intents, fallbacks and dialogs.
 *
 * @module
 */
import { HiveLinkError, isHiveLinkError } from '../errors.js';
import type { IntentEngine } from './engine/intent-engine.js';
import { langFallbacks, normalizeLangTag } from './engine/lang/index.js';
import type { IntentDefinition, SkillDefinition, SkillLocale, SkillSummary } from './skill.js';
import { validateSkill } from './skill-validate.js';

/** A skill as the registry holds it. */
export interface LoadedSkill {
  readonly id: string;
  readonly className: string;
  readonly definition: SkillDefinition;
  /** Where it came from (`built-in` or a file path). */
  readonly origin: string;
  /** Locale resources by normalized language tag. */
  readonly locales: ReadonlyMap<string, SkillLocale>;
}

/** `hivelink-joke.hivelink` → `HivelinkJokeSkill`. */
export function defaultClassName(skillId: string): string {
  const name = skillId.split('.')[0] ?? skillId;
  const pascal = name
    .split(/[^A-Za-z0-9]+/)
    .filter((p) => p !== '')
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');
  return pascal.endsWith('Skill') ? pascal : `${pascal}Skill`;
}

/** `tell_joke.intent` → `handle_tell_joke`. */
export function defaultHandlerName(className: string, intentName: string): string {
  const base = intentName.replace(/\.intent$/, '').replace(/[^A-Za-z0-9]+/g, '_');
  return `${className}.handle_${base}`;
}

/** The registry of loaded skills. */
export class SkillRegistry {
  readonly #engine: IntentEngine;
  readonly #skills = new Map<string, LoadedSkill>();
  /** `<skill_id>:<name>` → its skill and intent. */
  readonly #intents = new Map<string, { skill: LoadedSkill; intent: IntentDefinition }>();

  constructor(engine: IntentEngine) {
    this.#engine = engine;
  }

  /**
   * Validates and adds `definition`, registering its intents in every language it has resources for. Nothing is
   * left registered when it fails.
   *
   * @throws HiveLinkError HL_ERR_SKILL_LOAD naming `origin` when the definition is invalid, a template or regex is
   *   malformed, or the id is taken.
   */
  add(definition: unknown, origin = 'built-in'): LoadedSkill {
    const def = validateSkill(definition, origin);
    if (this.#skills.has(def.id)) {
      throw new HiveLinkError('HL_ERR_SKILL_LOAD', `skill ${origin}: id "${def.id}" is already loaded`);
    }
    const locales = new Map<string, SkillLocale>();
    for (const [lang, res] of Object.entries(def.locale ?? {})) {
      const tag = normalizeLangTag(lang);
      if (tag === '')
        throw new HiveLinkError('HL_ERR_SKILL_LOAD', `skill ${origin}: "${lang}" is not a language tag`);
      locales.set(tag, res);
    }
    const skill: LoadedSkill = {
      id: def.id,
      className: def.className ?? defaultClassName(def.id),
      definition: def,
      origin,
      locales,
    };
    const registered: string[] = [];
    try {
      for (const intent of def.intents ?? []) {
        const fullName = `${def.id}:${intent.name}`;
        let found = false;
        for (const [lang, res] of locales) {
          if (intent.keywords !== undefined) {
            this.#engine.registerKeywords(lang, def.id, fullName, intent.keywords);
            found = true;
          } else {
            const samples = res.intents?.[intent.name];
            if (samples === undefined || samples.length === 0) continue;
            this.#engine.registerExamples(lang, fullName, samples, res.entities ?? {});
            found = true;
          }
        }
        registered.push(fullName);
        if (!found)
          throw new HiveLinkError(
            'HL_ERR_SKILL_LOAD',
            `intent "${intent.name}" has no examples in any language`,
          );
        this.#intents.set(fullName, { skill, intent });
      }
      for (const [lang, res] of locales) {
        for (const [type, lines] of Object.entries(res.vocab ?? {}))
          this.#engine.registerVocab(lang, def.id, type, lines);
        for (const pattern of res.regex ?? []) this.#engine.registerRegex(lang, def.id, pattern);
      }
    } catch (err) {
      for (const name of registered) {
        this.#engine.remove(name);
        this.#intents.delete(name);
      }
      this.#engine.removeNamespace(def.id);
      const why = err instanceof Error ? err.message : String(err);
      if (isHiveLinkError(err, 'HL_ERR_SKILL_LOAD') && why.startsWith(`skill ${origin}:`)) throw err;
      throw new HiveLinkError('HL_ERR_SKILL_LOAD', `skill ${origin}: ${why}`, { cause: err });
    }
    this.#skills.set(def.id, skill);
    return skill;
  }

  /** Unloads skill `id`; true when it was loaded. */
  remove(id: string): boolean {
    const skill = this.#skills.get(id);
    if (skill === undefined) return false;
    for (const intent of skill.definition.intents ?? []) {
      const fullName = `${id}:${intent.name}`;
      this.#engine.remove(fullName);
      this.#intents.delete(fullName);
    }
    this.#engine.removeNamespace(id);
    this.#skills.delete(id);
    return true;
  }

  get(id: string): LoadedSkill | undefined {
    return this.#skills.get(id);
  }

  /** The skill and intent of a full intent name (`<skill_id>:<name>`). */
  intent(fullName: string): { skill: LoadedSkill; intent: IntentDefinition } | undefined {
    return this.#intents.get(fullName);
  }

  /** Every loaded skill, in load order. */
  list(): LoadedSkill[] {
    return [...this.#skills.values()];
  }

  /** Skills with a fallback whose priority is in `(low, high]`, lowest priority first. */
  fallbacks(low: number, high: number): LoadedSkill[] {
    return this.list()
      .filter((s) => {
        const p = s.definition.fallback?.priority;
        return p !== undefined && p > low && p <= high;
      })
      .sort((a, b) => a.definition.fallback!.priority - b.definition.fallback!.priority);
  }

  /** "What can you do" summaries in `lang`. */
  summaries(lang: string): SkillSummary[] {
    return this.list().map((s) => {
      const description = localeOf(s, lang)?.description;
      return description === undefined ? { id: s.id } : { id: s.id, description };
    });
  }
}

/** The skill's resources for `lang`: the exact tag, its primary subtag, else English, else any. */
export function localeOf(skill: LoadedSkill, lang: string): SkillLocale | undefined {
  for (const tag of [...langFallbacks(lang), 'en']) {
    const res = skill.locales.get(tag);
    if (res !== undefined) return res;
  }
  return skill.locales.values().next().value;
}

/** The variants of dialog `name` of `skill` in `lang` (exact tag, primary subtag, then English). */
export function dialogVariants(skill: LoadedSkill, name: string, lang: string): readonly string[] {
  for (const tag of [...langFallbacks(lang), 'en']) {
    const variants = skill.locales.get(tag)?.dialogs?.[name];
    if (variants !== undefined && variants.length > 0) return variants;
  }
  return [];
}

/**
 * Renders dialog `name` of `skill` in `lang`: a random variant with `{var}` replaced. A missing dialog renders as
 * its name with `_` and `.` as spaces, as OVOS does.
 */
export function renderDialog(
  skill: LoadedSkill,
  name: string,
  lang: string,
  vars: Readonly<Record<string, string | number>> = {},
  random: () => number = Math.random,
): string {
  const variants = dialogVariants(skill, name, lang);
  if (variants.length === 0) return name.replace(/[_.]+/g, ' ').trim();
  const pick = variants[Math.min(variants.length - 1, Math.floor(random() * variants.length))]!;
  return pick.replace(/\{(\w+)\}/g, (whole, key: string) => (key in vars ? String(vars[key]) : whole));
}
