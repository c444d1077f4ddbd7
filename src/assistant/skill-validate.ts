/**
 * Checks that a value (typically a skill module's default export) is a well-formed {@link SkillDefinition}.
 *
 * @module
 */
import { HiveLinkError } from '../errors.js';
import type { SkillDefinition } from './skill.js';

/** `name.author`: letters, digits, `_` and `-`, with at least one dot. */
export const SKILL_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)+$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}

/**
 * Returns `value` as a skill definition.
 *
 * @param origin - where it came from (a file path), named in the error.
 * @throws HiveLinkError HL_ERR_SKILL_LOAD naming `origin` and the first problem found.
 */
export function validateSkill(value: unknown, origin: string): SkillDefinition {
  const fail = (why: string): never => {
    throw new HiveLinkError('HL_ERR_SKILL_LOAD', `skill ${origin}: ${why}`);
  };
  if (!isObject(value)) return fail('the module does not default-export a skill definition object');
  const id = value.id;
  if (typeof id !== 'string' || !SKILL_ID_PATTERN.test(id)) {
    return fail(`id must look like "name.author", got ${JSON.stringify(id)}`);
  }
  if (value.className !== undefined && (typeof value.className !== 'string' || value.className === '')) {
    fail('className must be a non-empty string');
  }
  if (value.locale !== undefined) {
    if (!isObject(value.locale)) fail('locale must be an object keyed by language');
    for (const [lang, res] of Object.entries(value.locale as Record<string, unknown>)) {
      if (!isObject(res)) fail(`locale.${lang} must be an object`);
      const r = res as Record<string, unknown>;
      if (r.description !== undefined && typeof r.description !== 'string') {
        fail(`locale.${lang}.description must be a string`);
      }
      for (const key of ['intents', 'vocab', 'dialogs'] as const) {
        if (r[key] === undefined) continue;
        if (!isObject(r[key])) fail(`locale.${lang}.${key} must be an object`);
        for (const [name, lines] of Object.entries(r[key] as Record<string, unknown>)) {
          if (!isStringArray(lines)) fail(`locale.${lang}.${key}.${name} must be a list of strings`);
        }
      }
      if (r.regex !== undefined && !isStringArray(r.regex))
        fail(`locale.${lang}.regex must be a list of strings`);
      if (r.entities !== undefined) {
        if (!isObject(r.entities)) fail(`locale.${lang}.entities must be an object`);
        for (const [name, def] of Object.entries(r.entities as Record<string, unknown>)) {
          if (!isStringArray(def) && !(isObject(def) && typeof def.pattern === 'string')) {
            fail(`locale.${lang}.entities.${name} must be a list of strings or { pattern }`);
          }
        }
      }
    }
  }
  const intents = value.intents ?? [];
  if (!Array.isArray(intents)) fail('intents must be a list');
  const names = new Set<string>();
  for (const [i, intent] of (intents as unknown[]).entries()) {
    if (!isObject(intent)) fail(`intents[${i}] must be an object`);
    const it = intent as Record<string, unknown>;
    if (typeof it.name !== 'string' || !/^[^\s:]+$/.test(it.name)) {
      fail(`intents[${i}].name must be a word without spaces or ":"`);
    }
    if (names.has(it.name as string)) fail(`intent "${String(it.name)}" is declared twice`);
    names.add(it.name as string);
    if (typeof it.handler !== 'function') fail(`intent "${String(it.name)}" has no handler function`);
    if (it.handlerName !== undefined && typeof it.handlerName !== 'string') {
      fail(`intent "${String(it.name)}" handlerName must be a string`);
    }
    if (it.keywords !== undefined) {
      if (!isObject(it.keywords)) fail(`intent "${String(it.name)}" keywords must be an object`);
      const k = it.keywords as Record<string, unknown>;
      for (const key of ['requires', 'optional', 'excludes'] as const) {
        if (k[key] !== undefined && !isStringArray(k[key])) {
          fail(`intent "${String(it.name)}" keywords.${key} must be a list of strings`);
        }
      }
      if (k.oneOf !== undefined && !(Array.isArray(k.oneOf) && k.oneOf.every(isStringArray))) {
        fail(`intent "${String(it.name)}" keywords.oneOf must be a list of lists of strings`);
      }
    }
  }
  if (value.fallback !== undefined) {
    const f = value.fallback;
    if (!isObject(f) || typeof f.handler !== 'function')
      fail('fallback must be an object with a handler function');
    const fb = f as Record<string, unknown>;
    if (typeof fb.priority !== 'number' || !(fb.priority > 0 && fb.priority <= 101)) {
      fail('fallback.priority must be a number in (0, 101]');
    }
    if (fb.canHandle !== undefined && typeof fb.canHandle !== 'function')
      fail('fallback.canHandle must be a function');
  }
  if (value.converse !== undefined) {
    const c = value.converse;
    if (!isObject(c) || typeof c.handler !== 'function')
      fail('converse must be an object with a handler function');
    if (
      (c as Record<string, unknown>).canHandle !== undefined &&
      typeof (c as Record<string, unknown>).canHandle !== 'function'
    ) {
      fail('converse.canHandle must be a function');
    }
  }
  if (value.stop !== undefined && typeof value.stop !== 'function') fail('stop must be a function');
  return value as unknown as SkillDefinition;
}
