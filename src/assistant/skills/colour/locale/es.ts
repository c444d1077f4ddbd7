import type { SkillLocale } from '../../../skill.js';

const FAV = '(favorito|preferido)';

export const es: SkillLocale = {
  description: 'hacerte una pregunta y recordar tu color favorito',
  intents: {
    'ask_colour.intent': [
      '(hazme|haz me) una pregunta',
      '(pregúntame|preguntame) (algo|lo que quieras|cualquier cosa)',
      `(pregúntame|preguntame) [cuál es] mi color ${FAV}`,
      `adivina mi color ${FAV}`,
      `(quiero|quisiera) decirte mi color ${FAV}`,
      `(recuerda|memoriza|apunta) mi color ${FAV}`,
      `(quieres|quiere) saber mi color ${FAV}`,
    ],
    'recall_colour.intent': [
      `(cuál|cual) es mi color ${FAV}`,
      `(sabes|recuerdas) (cuál es|cual es) mi color ${FAV}`,
      `(sabes|recuerdas) mi color ${FAV}`,
      '(qué|que) color me gusta más',
      `(dime|díme) mi color ${FAV}`,
    ],
  },
  dialogs: {
    question: ['¿Cuál es tu color favorito?'],
    remember: ['Recordaré que tu color favorito es el {colour}.'],
    no_answer: ['No pasa nada, ya me lo dirás.'],
    recall: ['Tu color favorito es el {colour}.'],
    recall_unknown: ['Todavía no sé tu color favorito. Di: hazme una pregunta.'],
  },
};
