/**
 * `hivelink skills new NAME`: a skill directory to start from — `skill.json` (what `skills pack` reads) and
 * `skill.mjs`, a working skill written against the types of `hivelink/skill` (intents, an entity, dialogs, a
 * question). It loads as it is (`skills pack` checks it), and copied into a hub's
 * skills directory it answers at once (the hub reloads skill files when they change).
 *
 * @module
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SKILL_ID_PATTERN } from '../assistant/skill-validate.js';
import { HiveLinkError } from '../errors.js';

/** The files of a new skill `name` (an id such as `porch-light.alice`). */
export function scaffoldFiles(name: string): Record<string, string> {
  const topic = name.split('.')[0]!.replace(/[-_]+/g, ' ');
  return {
    'skill.json': `${JSON.stringify(
      { name, version: '0.1.0', entry: 'skill.mjs', permissions: [], description: `The ${topic} skill` },
      null,
      2,
    )}\n`,
    'skill.mjs': `// ${name}: a hivelink skill. Reference: the types of 'hivelink/skill' (defineSkill, SkillContext).
// Try it: copy this file into the hub's skills directory (<data dir>/skills); the hub loads it and reloads it on
// every save. Share it signed: hivelink skills pack . --key publisher.key, then skills install/publish.
// A skill may import only its own files: no node: built-ins, no packages.

/** @type {import('hivelink/skill').SkillDefinition} */
export default {
  id: '${name}',
  locale: {
    en: {
      description: 'The ${topic} skill.',
      intents: {
        // {count} is filled by the entity below; (a|b) alternatives and [optional] words work too.
        'hello.intent': ['say hello to ${topic}', 'greet ${topic} [please]'],
        'count.intent': ['count to {count}', 'count up to {count}'],
      },
      entities: { count: { pattern: '\\\\d+' } },
      dialogs: {
        hello: ['Hello from ${topic}!', '${topic} says hi.'],
        counted: ['{numbers}.'],
        how_far: ['How far shall I count?'],
      },
    },
  },
  intents: [
    { name: 'hello.intent', handler: (ctx) => ctx.speakDialog('hello') },
    {
      name: 'count.intent',
      handler: async (ctx) => {
        let n = Number(ctx.entities.count);
        if (!(n > 0)) n = Number.parseInt((await ctx.ask(ctx.dialog('how_far'))) ?? '', 10);
        if (!(n > 0) || n > 20) return ctx.speak('Let us keep it between 1 and 20.');
        const numbers = Array.from({ length: n }, (_, i) => i + 1).join(', ');
        ctx.speakDialog('counted', { numbers });
      },
    },
  ],
};
`,
  };
}

/**
 * Writes the skill `name` into `<parent>/<name>/` and returns that directory.
 * @throws HiveLinkError `HL_ERR_INVALID_ARGUMENT` for a name that is not a skill id, or a directory that exists
 */
export function scaffoldSkill(name: string, parent: string): string {
  if (!SKILL_ID_PATTERN.test(name)) {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ARGUMENT',
      `"${name}" is not a skill id: a name and an owner joined by a dot, such as porch-light.alice`,
    );
  }
  const dir = resolve(parent, name);
  if (existsSync(dir)) throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `${dir} already exists`);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(scaffoldFiles(name))) writeFileSync(join(dir, file), text);
  return dir;
}
