/**
 * A two-turn dialogue: asks for your favourite colour (the answer comes back through `ask`, OVOS's get_response)
 * and remembers it for the session.
 *
 * @module
 */
import { defineSkill } from '../../skill.js';
import { en } from './locale/en.js';

/** The colour in an answer: "blue", "it's blue", "my favourite colour is dark blue" → `blue` / `dark blue`. */
export function colourOf(answer: string): string {
  const text = answer
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s'-]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const stripped = text
    .replace(/^(?:well |um |uh |hmm |oh )*/, '')
    .replace(/^(?:i think |probably |definitely )?/, '')
    .replace(
      /^(?:my )?(?:favou?rite )?(?:colou?r )?(?:is |would be |it's |it is |i like |i love |i'd say |i would say )?/,
      '',
    )
    .replace(/ (?:i think|probably|please|thanks|thank you)$/, '')
    .trim();
  return stripped === '' ? text : stripped;
}

export const colourSkill = defineSkill({
  id: 'hivelink-colour.hivelink',
  className: 'ColourSkill',
  locale: { en },
  intents: [
    {
      name: 'ask_colour.intent',
      handler: async (ctx) => {
        const answer = await ctx.ask(ctx.dialog('question'));
        if (answer === null) {
          ctx.speakDialog('no_answer');
          return;
        }
        const colour = colourOf(answer);
        ctx.storage.set('colour', colour);
        ctx.speakDialog('remember', { colour });
      },
    },
    {
      name: 'recall_colour.intent',
      handler: (ctx) => {
        const colour = ctx.storage.get<string>('colour');
        if (colour === undefined) ctx.speakDialog('recall_unknown');
        else ctx.speakDialog('recall', { colour });
      },
    },
  ],
});
