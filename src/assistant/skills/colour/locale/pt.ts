import type { SkillLocale } from '../../../skill.js';

const FAV = '(favorita|preferida)';

export const pt: SkillLocale = {
  description: 'fazer uma pergunta e lembrar a sua cor favorita',
  intents: {
    'ask_colour.intent': [
      '(faz|faça) me uma pergunta',
      '(me faz|me faça) uma pergunta',
      '(pergunta|pergunte) me (algo|alguma coisa|qualquer coisa)',
      `(pergunta|pergunte) me [qual é] a minha cor ${FAV}`,
      `(adivinha|adivinhe) a minha cor ${FAV}`,
      `(quero|queria) (dizer te|te dizer|dizer lhe) a minha cor ${FAV}`,
      `(lembra te|lembre se|memoriza|memorize) da minha cor ${FAV}`,
      `(queres|quer) saber a minha cor ${FAV}`,
    ],
    'recall_colour.intent': [
      `qual é a minha cor ${FAV}`,
      `(sabes|sabe|lembras te|lembra se) (qual é a minha cor|da minha cor) ${FAV}`,
      'de que cor (gosto|eu gosto) mais',
      `(diz|diga) me a minha cor ${FAV}`,
    ],
  },
  dialogs: {
    question: ['Qual é a sua cor favorita?'],
    remember: ['Vou lembrar-me de que a sua cor favorita é {colour}.'],
    no_answer: ['Não faz mal, pode dizer-me mais tarde.'],
    recall: ['A sua cor favorita é {colour}.'],
    recall_unknown: ['Ainda não sei a sua cor favorita. Diga: faz-me uma pergunta.'],
  },
};
