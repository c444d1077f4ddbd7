/**
 * What the admin CLI knows of a data dir's skills: from the running hub (through the admin queue) when one runs,
 * else from an assistant built here from the same pieces the hub loads — the built-ins, the modules of
 * `<data dir>/skills` and the installed bundles (each in its sandbox) — so `hivelink skills list`, `skills install`
 * and `clients block-skill/block-intent` agree with what the hub runs.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { Assistant } from '../assistant/assistant.js';
import { MemoryBus } from '../bus/memory-bus.js';
import { HiveLinkError } from '../errors.js';
import { defaultLimits } from '../limits.js';
import { SKILLS_LIST_KIND, type SkillInfo, SkillService } from '../skills/service.js';
import type { ClientStore } from '../store/types.js';
import { commandError, runningHub, submitAdminCommand } from './admin-queue.js';

/** The skills dir of a data dir (the hub's default, `hivelink hub` without `--skills-dir`). */
export function skillsDirOf(dataDir: string): string {
  return join(dataDir, 'skills');
}

/**
 * Runs `fn` with a {@link SkillService} on an assistant of this process holding what the hub of `dataDir` would load
 * (nothing listens, nothing subscribes); stops both afterwards.
 */
export async function withOfflineSkills<T>(
  dataDir: string,
  fn: (service: SkillService) => Promise<T>,
): Promise<T> {
  const skillsDir = skillsDirOf(dataDir);
  const assistant = new Assistant({
    bus: new MemoryBus(),
    ...(existsSync(skillsDir) ? { skillsDir } : {}),
    onError: () => undefined, // a broken module of the skills dir is the hub's to report
  });
  await assistant.start();
  const service = new SkillService({
    assistant,
    skillsDir,
    dataDir,
    limits: defaultLimits(),
    logger: pino({ level: 'silent' }),
    acceptFrom: 'none',
  });
  try {
    await service.start();
    return await fn(service);
  } finally {
    await service.stop();
    assistant.stop();
  }
}

/** Every skill of the data dir: the running hub's list, else the offline one. */
export async function skillCatalog(store: ClientStore, dataDir: string): Promise<SkillInfo[]> {
  if ((await runningHub(store)) !== null) {
    const command = await submitAdminCommand(store, SKILLS_LIST_KIND, {});
    const error = commandError(command);
    if (error !== null) throw error;
    const skills = command.result?.skills;
    return Array.isArray(skills) ? (skills as SkillInfo[]) : [];
  }
  return withOfflineSkills(dataDir, async (service) => service.list());
}

/** The short names a skill answers to: its id, the name part (`hivelink-joke`), that without `hivelink-` (`joke`). */
function aliases(id: string): string[] {
  const name = id.split('.')[0] ?? id;
  return [id, name, name.replace(/^hivelink-/, '')];
}

/**
 * The id of the skill `name` names (its id, or a short name matching one skill only).
 * @throws HiveLinkError HL_ERR_UNKNOWN_SKILL
 */
export function resolveSkillId(skills: readonly SkillInfo[], name: string): string {
  if (skills.some((s) => s.id === name)) return name;
  const matches = skills.filter((s) => aliases(s.id).includes(name));
  if (matches.length === 1) return matches[0]!.id;
  const why = matches.length > 1 ? `matches ${matches.map((s) => s.id).join(', ')}` : 'is not a loaded skill';
  throw new HiveLinkError(
    'HL_ERR_UNKNOWN_SKILL',
    `"${name}" ${why}; hivelink skills list shows the ids (${skills.map((s) => s.id).join(', ')})`,
  );
}

/**
 * The full name (`skill_id:intent`) of the intent `name` names: a full name, `SKILL:intent` with a short skill name,
 * or an intent name only one skill has.
 * @throws HiveLinkError HL_ERR_UNKNOWN_INTENT
 */
export function resolveIntentName(skills: readonly SkillInfo[], name: string): string {
  const all = skills.flatMap((s) => s.intents);
  if (all.includes(name)) return name;
  const colon = name.indexOf(':');
  let matches: string[];
  if (colon > 0) {
    const skill = name.slice(0, colon);
    const intent = name.slice(colon + 1);
    matches = skills
      .filter((s) => aliases(s.id).includes(skill))
      .flatMap((s) => s.intents.filter((i) => i === `${s.id}:${intent}`));
  } else {
    matches = all.filter((i) => i.slice(i.indexOf(':') + 1) === name);
  }
  if (matches.length === 1) return matches[0]!;
  const why = matches.length > 1 ? `matches ${matches.join(', ')}` : 'is not an intent of a loaded skill';
  throw new HiveLinkError(
    'HL_ERR_UNKNOWN_INTENT',
    `"${name}" ${why}; hivelink skills list shows them as skill:intent`,
  );
}
