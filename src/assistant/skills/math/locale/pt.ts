import type { SkillLocale } from '../../../skill.js';
import { NUMBERS_PT } from '../numbers-words.js';

const N = (slot: string) => `{${slot}:number}`;
const SUM = `${N('a')} {op:operator} ${N('b')}`;

export const pt: SkillLocale = {
  description: 'fazer contas: somar, subtrair, multiplicar e dividir',
  entities: {
    number: { pattern: NUMBERS_PT.pattern },
    operator: [
      'mais',
      'menos',
      'vezes',
      'multiplicado por',
      'a multiplicar por',
      'x',
      'dividido por',
      'a dividir por',
      'sobre',
    ],
  },
  intents: {
    'calculate.intent': [
      `(quanto|quantos) (é|são|dá|faz|fazem) ${SUM}`,
      `quanto é que (é|são|dá) ${SUM}`,
      `qual é o resultado de ${SUM}`,
      `(calcula|calcule|faz a conta|faça a conta|resolve) [de] ${SUM}`,
      `${SUM} [é|dá|são|é igual a]`,
    ],
    'add.intent': [
      `(soma|some|adiciona|adicione) ${N('a')} (e|com|a|mais) ${N('b')}`,
      `qual é a soma de ${N('a')} (e|com) ${N('b')}`,
    ],
    'subtract.intent': [
      `(subtrai|subtraia|tira|tire) ${N('b')} (a|de|ao|do) ${N('a')}`,
      `qual é a diferença entre ${N('a')} e ${N('b')}`,
    ],
    'multiply.intent': [
      `(multiplica|multiplique) ${N('a')} (por|com) ${N('b')}`,
      `qual é o produto de ${N('a')} (e|por) ${N('b')}`,
    ],
    'divide.intent': [
      `(divide|divida) ${N('a')} por ${N('b')}`,
      `qual é o quociente de ${N('a')} por ${N('b')}`,
    ],
  },
  dialogs: {
    result: ['{a} {op} {b} dá {result}.', '{a} {op} {b} é igual a {result}.'],
    op_plus: ['mais'],
    op_minus: ['menos'],
    op_times: ['vezes'],
    op_divide: ['a dividir por'],
    divide_by_zero: ['Não se pode dividir por zero. O resultado não está definido.'],
    not_understood: ['Desculpe, não consegui entender esses números.'],
  },
};
