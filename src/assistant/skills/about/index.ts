/**
 * "Tell me about hivelink".
 *
 * @module
 */
import { defineSkill } from '../../skill.js';
import { en } from './locale/en.js';
import { es } from './locale/es.js';
import { pt } from './locale/pt.js';

export const aboutSkill = defineSkill({
  id: 'hivelink-about.hivelink',
  className: 'AboutSkill',
  locale: { en, pt, es },
  intents: [{ name: 'about.intent', handler: (ctx) => ctx.speakDialog('about') }],
});
