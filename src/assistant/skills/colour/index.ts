/**
 * A two-turn dialogue: asks for your favourite colour (the answer comes back through `ask`, OVOS's get_response)
 * and remembers it for the session.
 *
 * @module
 */
import { defineSkill } from '../../skill.js';
import { en } from './locale/en.js';
import { es } from './locale/es.js';
import { pt } from './locale/pt.js';

/** How an answer wraps the colour in one language: fillers and lead-ins to peel off the start, tails off the end. */
interface AnswerShape {
  readonly fillers: RegExp;
  readonly hedges: RegExp;
  readonly lead: RegExp;
  readonly tail: RegExp;
}

const SHAPES: Readonly<Record<string, AnswerShape>> = {
  en: {
    fillers: /^(?:well |um |uh |hmm |oh )*/,
    hedges: /^(?:i think |probably |definitely )?/,
    lead: /^(?:my )?(?:favou?rite )?(?:colou?r )?(?:is |would be |it's |it is |i like |i love |i'd say |i would say )?/,
    tail: / (?:i think|probably|please|thanks|thank you)$/,
  },
  pt: {
    fillers: /^(?:bem |hum |ah |olha |então |pois )*/,
    hedges: /^(?:acho que |talvez |se calhar |sem dúvida )?/,
    lead: /^(?:a minha |minha )?(?:cor )?(?:favorita |preferida )?(?:é |seria |gosto de |adoro )?(?:o |a |do |da )?/,
    tail: / (?:acho eu|acho|talvez|por favor|obrigad[oa])$/,
  },
  es: {
    fillers: /^(?:bueno |pues |eh |mm |ah |mira )*/,
    hedges: /^(?:creo que |quizás |quizá |tal vez |seguramente )?/,
    lead: /^(?:mi )?(?:color )?(?:favorito |preferido )?(?:es |sería |me gusta |me encanta )?(?:el )?/,
    tail: / (?:creo|supongo|por favor|gracias)$/,
  },
};

/**
 * The colour in an answer in `lang`: "blue", "it's blue", "my favourite colour is dark blue" → `blue` / `dark
 * blue`; "é azul", "a minha cor favorita é o verde" → `azul` / `verde`; "mi color favorito es el rojo" → `rojo`.
 */
export function colourOf(answer: string, lang = 'en'): string {
  const shape = SHAPES[lang.toLowerCase().split(/[-_]/)[0]!] ?? SHAPES.en!;
  const text = answer
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s'-]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const stripped = text
    .replace(shape.fillers, '')
    .replace(shape.hedges, '')
    .replace(shape.lead, '')
    .replace(shape.tail, '')
    .trim();
  return stripped === '' ? text : stripped;
}

export const colourSkill = defineSkill({
  id: 'hivelink-colour.hivelink',
  className: 'ColourSkill',
  locale: { en, pt, es },
  intents: [
    {
      name: 'ask_colour.intent',
      handler: async (ctx) => {
        const answer = await ctx.ask(ctx.dialog('question'));
        if (answer === null) {
          ctx.speakDialog('no_answer');
          return;
        }
        const colour = colourOf(answer, ctx.lang);
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
