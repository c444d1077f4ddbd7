/**
 * "What can you do": lists the loaded skills by their descriptions.
 *
 * @module
 */
import { defineSkill } from '../../skill.js';
import { en } from './locale/en.js';
import { es } from './locale/es.js';
import { pt } from './locale/pt.js';

export const helpSkill = defineSkill({
  id: 'hivelink-help.hivelink',
  className: 'HelpSkill',
  locale: { en, pt, es },
  intents: [
    {
      name: 'what_can_you_do.intent',
      handler: (ctx) => {
        const items = ctx
          .skills()
          .map((s) => s.description ?? s.id)
          .filter((d, i, all) => all.indexOf(d) === i);
        const and = ctx.dialog('and');
        const list =
          items.length <= 1
            ? (items[0] ?? '')
            : `${items.slice(0, -1).join(', ')} ${and} ${items[items.length - 1]}`;
        ctx.speakDialog('skills', { list });
      },
    },
  ],
});
