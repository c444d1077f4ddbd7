/**
 * The built-in skills, English first; each keeps its resources under `locale/<lang>.ts` so more languages can be
 * added beside it.
 *
 * @module
 */
import type { SkillDefinition } from '../skill.js';
import { aboutSkill } from './about/index.js';
import { colourSkill } from './colour/index.js';
import { greetingSkill } from './greeting/index.js';
import { helpSkill } from './help/index.js';
import { houseSkill } from './house/index.js';
import { intercomSkill } from './intercom/index.js';
import { jobsSkill } from './jobs/index.js';
import { jokeSkill } from './joke/index.js';
import { mathSkill } from './math/index.js';
import { speakSkill } from './speak/index.js';
import { subscriptionsSkill } from './subscriptions/index.js';
import { timeSkill } from './time/index.js';
import { timerSkill } from './timer/index.js';
import { whoamiSkill } from './whoami/index.js';

/** A fresh list of the built-in skills. */
export function builtInSkills(): SkillDefinition[] {
  return [
    greetingSkill,
    timeSkill,
    jokeSkill,
    whoamiSkill,
    helpSkill,
    speakSkill,
    mathSkill,
    aboutSkill,
    colourSkill,
    houseSkill,
    intercomSkill,
    subscriptionsSkill,
    timerSkill,
    jobsSkill,
  ];
}
