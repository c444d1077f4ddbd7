/**
 * The embedded assistant: an OVOS-compatible intent service and skill host on any {@link MessageBus}, its own
 * intent engine (example sentences and keywords, per language) and the built-in skills.
 *
 * @example
 * ```ts
 * import { Assistant } from './assistant/index.js';
 * import { MemoryBus } from './bus/index.js';
 * const assistant = new Assistant({ bus: new MemoryBus() });
 * await assistant.start();
 * ```
 *
 * @module
 */
export { Assistant, type AssistantInit, type AssistantStats, formatAssistantError } from './assistant.js';
export {
  type EntityDefinition,
  IntentEngine,
  type IntentEngineInit,
  type MatchOptions,
} from './engine/intent-engine.js';
export type { KeywordIntentSpec } from './engine/keyword-engine.js';
export {
  DEFAULT_THRESHOLDS,
  type IntentMatch,
  type KeywordTag,
  type MatcherKind,
  type Tier,
  type TierThresholds,
} from './engine/types.js';
export {
  type AskOptions,
  type ClientInfo,
  type ConverseDefinition,
  defineSkill,
  type FallbackDefinition,
  type IntentDefinition,
  type SessionStorage,
  type SkillContext,
  type SkillDefinition,
  type SkillLocale,
  type SkillSummary,
  type SpeakOptions,
  type StopContext,
  type UtteranceInput,
} from './skill.js';
export { loadSkillDirectory, type SkillDirectoryResult } from './skill-loader.js';
export { validateSkill } from './skill-validate.js';
export { builtInSkills } from './skills/index.js';
