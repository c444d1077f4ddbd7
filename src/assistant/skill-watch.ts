/**
 * Hot reload of a skills directory: watches the `.js` / `.mjs` files directly in it and reports each one that
 * changed, appeared or went away, once its writes have settled (editors write a file in several steps).
 *
 * A changed file is imported again under a new URL (`?v=N`): ES modules are cached by URL, so the old module stays
 * in memory until the process ends. Reloading is for writing skills, not for thousands of changes; modules the skill
 * imports itself are not reloaded.
 *
 * @module
 */
import { existsSync, type FSWatcher, watch } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HiveLinkError } from '../errors.js';
import type { SkillDefinition } from './skill.js';
import { validateSkill } from './skill-validate.js';

/** How long a file must stay unchanged before it is loaded (editors save in bursts). */
export const SETTLE_MS = 100;

export interface SkillFileChange {
  readonly file: string;
  /** `changed` covers a new file too. */
  readonly kind: 'changed' | 'removed';
}

/** A running watch; `close` stops it (changes waiting to settle are dropped). */
export interface SkillDirectoryWatch {
  close(): void;
}

/** Watches `dir` and calls `onChange` for each settled change of a skill file in it. */
export function watchSkillDirectory(
  dir: string,
  onChange: (change: SkillFileChange) => void,
  onError: (error: HiveLinkError) => void,
): SkillDirectoryWatch {
  const root = resolve(dir);
  const pending = new Map<string, NodeJS.Timeout>();
  let watcher: FSWatcher;
  try {
    watcher = watch(root, { persistent: false }, (_event, name) => {
      if (typeof name !== 'string' || !/\.m?js$/.test(name)) return;
      const file = join(root, name);
      clearTimeout(pending.get(file));
      pending.set(
        file,
        setTimeout(() => {
          pending.delete(file);
          onChange({ file, kind: existsSync(file) ? 'changed' : 'removed' });
        }, SETTLE_MS),
      );
    });
  } catch (err) {
    onError(
      new HiveLinkError('HL_ERR_SKILL_LOAD', `cannot watch the skills directory ${root}`, { cause: err }),
    );
    return { close() {} };
  }
  watcher.on('error', (err) =>
    onError(
      new HiveLinkError('HL_ERR_SKILL_LOAD', `watching the skills directory ${root} failed`, { cause: err }),
    ),
  );
  return {
    close() {
      watcher.close();
      for (const timer of pending.values()) clearTimeout(timer);
      pending.clear();
    },
  };
}

let generation = 0;

/**
 * Imports `file` afresh (a new module, not the cached one) and validates its default export.
 * @throws HiveLinkError HL_ERR_SKILL_LOAD naming the file
 */
export async function importSkillFile(file: string): Promise<SkillDefinition> {
  generation += 1;
  try {
    const url = `${pathToFileURL(file).href}?v=${generation}`;
    const mod = (await import(url)) as { default?: unknown };
    return validateSkill(mod.default, file);
  } catch (err) {
    if (err instanceof HiveLinkError) throw err;
    throw new HiveLinkError(
      'HL_ERR_SKILL_LOAD',
      `skill ${file}: the module failed to load: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
}
