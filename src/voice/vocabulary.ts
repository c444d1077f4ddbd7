/**
 * What the assistant can handle, as a recognizer's {@link Vocabulary}: each loaded skill's example templates in one
 * language (by its locale fallbacks), its list entities and its keyword vocabulary.
 *
 * @module
 */
import { type LoadedSkill, localeOf } from '../assistant/skill-registry.js';
import type { Vocabulary } from './types.js';

/** The vocabulary of `skills` in `lang` (`en` resources when the skill has none for it). */
export function vocabularyOf(skills: readonly LoadedSkill[], lang = 'en'): Vocabulary {
  const templates: { intent: string; source: string }[] = [];
  const entities: Record<string, string[]> = {};
  const keywords: string[] = [];
  for (const skill of skills) {
    const res = localeOf(skill, lang);
    if (res === undefined) continue;
    for (const intent of skill.definition.intents ?? []) {
      if (intent.keywords !== undefined) continue;
      for (const source of res.intents?.[intent.name] ?? []) {
        templates.push({ intent: `${skill.id}:${intent.name}`, source });
      }
    }
    for (const [type, def] of Object.entries(res.entities ?? {})) {
      if (Array.isArray(def)) entities[type] = [...(entities[type] ?? []), ...(def as string[])];
    }
    if ((skill.definition.intents ?? []).some((i) => i.keywords !== undefined)) {
      for (const lines of Object.values(res.vocab ?? {})) keywords.push(...lines);
    }
  }
  return { templates, entities, keywords };
}
