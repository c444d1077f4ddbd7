import type { SkillLocale } from '../../../skill.js';

export const es: SkillLocale = {
  description: 'decir la hora y la fecha',
  intents: {
    'time.intent': [
      '(qué|que) hora es [ahora|ya]',
      '(qué|que) horas son',
      '(tienes|tiene) hora',
      '(sabes|sabe) (qué|que) hora es',
      '(me dices|me das|me dice) la hora',
      '(dime|dame) la hora',
      '(cuál|cual) es la hora [actual]',
      'la hora [por favor]',
      'hora [por favor]',
      '(qué|que) hora marca el reloj',
    ],
    'date.intent': [
      '(qué|que) (día|dia) es (hoy|mañana)',
      '(qué|que) (día|dia) es',
      '(qué|que) fecha es [hoy]',
      '(cuál|cual) es la fecha [de hoy|actual]',
      '(a qué|a que) (día|dia) estamos [hoy]',
      '(a qué|a que) estamos [hoy]',
      '(en qué|en que) (día|dia|mes|año) estamos',
      '(qué|que) (día|dia) de la semana es [hoy]',
      '(dime|dame) la fecha',
      'la fecha [de hoy]',
      'fecha [por favor]',
    ],
  },
  dialogs: {
    time: ['Son las {time}.', 'Ahora son las {time}.'],
    date: ['Hoy es {date}.', 'Estamos a {date}.'],
  },
};
