/**
 * `hivelink/skill`: what a skill author writes against — {@link defineSkill} and the types of a skill definition
 * and of the context its handlers get (README "Write a skill"; docs/PROTOCOL.md §15 for bundles).
 *
 * @example
 * ```ts
 * import { defineSkill } from 'hivelink/skill';
 * export default defineSkill({
 *   id: 'porch-light.alice',
 *   locale: { en: { intents: { 'on.intent': ['turn on the porch light'] } } },
 *   intents: [{ name: 'on.intent', handler: (ctx) => ctx.speak('The porch light is on.') }],
 * });
 * ```
 *
 * @packageDocumentation
 */
export {
  type AskOptions,
  type ClientInfo,
  type ConverseDefinition,
  defineSkill,
  type EntityDefinition,
  type FallbackDefinition,
  type IntentDefinition,
  type KeywordIntentSpec,
  type RequestOptions,
  type SessionStorage,
  type SkillContext,
  type SkillDefinition,
  type SkillLocale,
  type SkillSummary,
  type SpeakOptions,
  type StopContext,
  type UtteranceInput,
} from './assistant/skill.js';
