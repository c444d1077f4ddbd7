/**
 * Loads skill modules from a directory: every `.js` / `.mjs` file directly in it is imported and its default
 * export validated. A module that fails to import or exports no valid skill is reported (naming the file) and
 * skipped; the others still load.
 *
 * @module
 */
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { HiveLinkError } from '../errors.js';
import type { SkillDefinition } from './skill.js';
import { importSkillFile } from './skill-watch.js';

/** What {@link loadSkillDirectory} found. */
export interface SkillDirectoryResult {
  readonly skills: { readonly file: string; readonly definition: SkillDefinition }[];
  readonly errors: { readonly file: string; readonly error: HiveLinkError }[];
}

/**
 * Imports the skill modules of `dir`, in file-name order.
 *
 * @throws HiveLinkError HL_ERR_SKILL_LOAD when `dir` cannot be read.
 */
export async function loadSkillDirectory(dir: string): Promise<SkillDirectoryResult> {
  const root = resolve(dir);
  let names: string[];
  try {
    names = (await readdir(root, { withFileTypes: true }))
      .filter((e) => e.isFile() && /\.m?js$/.test(e.name))
      .map((e) => e.name)
      .sort();
  } catch (err) {
    throw new HiveLinkError('HL_ERR_SKILL_LOAD', `skills directory ${root} cannot be read`, { cause: err });
  }
  const result: SkillDirectoryResult = { skills: [], errors: [] };
  for (const name of names) {
    const file = join(root, name);
    try {
      result.skills.push({ file, definition: await importSkillFile(file) });
    } catch (err) {
      result.errors.push({ file, error: err as HiveLinkError });
    }
  }
  return result;
}
