import type { SkillLocale } from '../../../skill.js';

export const pt: SkillLocale = {
  description: 'dizer as horas e a data',
  intents: {
    'time.intent': [
      '(que|quantas) horas são [agora|aí]',
      'que horas (tens|tem|você tem)',
      'que hora é [agora]',
      '(tens|tem|você tem) horas',
      '(sabes|sabe|você sabe) (que horas são|as horas)',
      '(diz|diga|dá|dê) me as horas',
      '(me diz|me diga|me dá|me dê) as horas',
      'qual é a hora [atual|certa]',
      '[as] horas [por favor]',
      'que horas marca o relógio',
    ],
    'date.intent': [
      'que dia é (hoje|amanhã)',
      'que dia é',
      'que data é hoje',
      'qual é a data [de hoje|atual]',
      '(em que|que) dia (estamos|é que estamos)',
      'a quantos estamos [hoje]',
      'que dia da semana é hoje',
      'em que (mês|ano) estamos',
      '(diz|diga) me a data',
      '[a] data de hoje',
      'data [por favor]',
    ],
  },
  dialogs: {
    time: ['São {time}.', 'Agora são {time}.'],
    date: ['Hoje é {date}.', 'Estamos a {date}.'],
  },
};
