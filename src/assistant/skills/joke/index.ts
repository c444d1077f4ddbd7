/**
 * Jokes from an offline list; the same session does not hear the same joke twice in a row.
 *
 * @module
 */
import { defineSkill } from '../../skill.js';
import { en } from './locale/en.js';
import { es } from './locale/es.js';
import { pt } from './locale/pt.js';

export const jokeSkill = defineSkill({
  id: 'hivelink-joke.hivelink',
  className: 'JokeSkill',
  locale: { en, pt, es },
  intents: [
    {
      name: 'joke.intent',
      handler: (ctx) => {
        const jokes = ctx.dialogVariants('joke');
        let joke = ctx.dialog('joke');
        if (joke === ctx.storage.get<string>('last') && jokes.length > 1) {
          joke = jokes[(jokes.indexOf(joke) + 1) % jokes.length]!;
        }
        ctx.storage.set('last', joke);
        ctx.speak(joke);
      },
    },
  ],
});
