import type { SkillLocale } from '../../../skill.js';
import { NUMBERS_ES } from '../numbers-words.js';

const N = (slot: string) => `{${slot}:number}`;
const SUM = `${N('a')} {op:operator} ${N('b')}`;

export const es: SkillLocale = {
  description: 'hacer cuentas: sumar, restar, multiplicar y dividir',
  entities: {
    number: { pattern: NUMBERS_ES.pattern },
    operator: [
      'más',
      'mas',
      'menos',
      'por',
      'veces',
      'multiplicado por',
      'x',
      'dividido por',
      'dividido entre',
      'entre',
    ],
  },
  intents: {
    'calculate.intent': [
      `(cuánto|cuanto|cuántos|cuantos) (es|son|da|hacen) ${SUM}`,
      `(cuál|cual) es el resultado de ${SUM}`,
      `(calcula|calcule|resuelve|haz la cuenta de) ${SUM}`,
      `${SUM} [es|son|es igual a]`,
    ],
    'add.intent': [
      `(suma|sume) ${N('a')} (y|con|más|mas) ${N('b')}`,
      `(cuál|cual) es la suma de ${N('a')} y ${N('b')}`,
    ],
    'subtract.intent': [
      `(resta|reste|quita) ${N('b')} (a|de|al|del) ${N('a')}`,
      `(cuál|cual) es la diferencia entre ${N('a')} y ${N('b')}`,
    ],
    'multiply.intent': [
      `(multiplica|multiplique) ${N('a')} (por|y) ${N('b')}`,
      `(cuál|cual) es el producto de ${N('a')} (y|por) ${N('b')}`,
    ],
    'divide.intent': [
      `(divide|divida) ${N('a')} (entre|por) ${N('b')}`,
      `(cuál|cual) es el cociente de ${N('a')} (entre|por|y) ${N('b')}`,
    ],
  },
  dialogs: {
    result: ['{a} {op} {b} son {result}.', '{a} {op} {b} es igual a {result}.'],
    op_plus: ['más'],
    op_minus: ['menos'],
    op_times: ['por'],
    op_divide: ['entre'],
    divide_by_zero: ['No se puede dividir entre cero. El resultado no está definido.'],
    not_understood: ['Lo siento, no he entendido esos números.'],
  },
};
