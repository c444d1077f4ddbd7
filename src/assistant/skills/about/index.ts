/**
 * "Tell me about hivelink".
 *
 * @module
 */
import { defineSkill } from '../../skill.js';
import { en } from './locale/en.js';

export const aboutSkill = defineSkill({
  id: 'hivelink-about.hivelink',
  className: 'AboutSkill',
  locale: { en },
  intents: [{ name: 'about.intent', handler: (ctx) => ctx.speakDialog('about') }],
});
