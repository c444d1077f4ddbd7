/**
 * Greetings and small talk: hello, how are you, thanks, goodbye.
 *
 * @module
 */
import { defineSkill } from '../../skill.js';
import { en } from './locale/en.js';
import { es } from './locale/es.js';
import { pt } from './locale/pt.js';

export const greetingSkill = defineSkill({
  id: 'hivelink-greeting.hivelink',
  className: 'GreetingSkill',
  locale: { en, pt, es },
  intents: [
    { name: 'hello.intent', handler: (ctx) => ctx.speakDialog('hello') },
    { name: 'how_are_you.intent', handler: (ctx) => ctx.speakDialog('how_are_you') },
    { name: 'thanks.intent', handler: (ctx) => ctx.speakDialog('thanks') },
    { name: 'goodbye.intent', handler: (ctx) => ctx.speakDialog('goodbye') },
  ],
});
