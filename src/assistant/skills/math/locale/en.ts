import type { SkillLocale } from '../../../skill.js';
import { NUMBER_PATTERN_EN } from '../numbers-en.js';

export const en: SkillLocale = {
  description: 'do arithmetic: add, subtract, multiply and divide',
  entities: {
    number: { pattern: NUMBER_PATTERN_EN },
    operator: [
      'plus',
      'add',
      'added to',
      'minus',
      'take away',
      'less',
      'times',
      'multiplied by',
      'x',
      'divided by',
      'over',
    ],
  },
  intents: {
    'calculate.intent': [
      'what is {a:number} {op:operator} {b:number}',
      'what would {a:number} {op:operator} {b:number} be',
      'how much is {a:number} {op:operator} {b:number}',
      '(calculate|compute|solve|evaluate|work out) {a:number} {op:operator} {b:number}',
      '{a:number} {op:operator} {b:number} [equals|is]',
      'what (does|do) {a:number} {op:operator} {b:number} (equal|make|give)',
      'what is the (answer|result) (of|to) {a:number} {op:operator} {b:number}',
    ],
    'add.intent': [
      '(add|sum) {a:number} (and|to|plus|with) {b:number}',
      'what is the sum of {a:number} and {b:number}',
    ],
    'subtract.intent': [
      'subtract {b:number} from {a:number}',
      'take {b:number} (from|away from) {a:number}',
      'what is the difference between {a:number} and {b:number}',
    ],
    'multiply.intent': [
      'multiply {a:number} (by|and|with|times) {b:number}',
      'what is the product of {a:number} and {b:number}',
    ],
    'divide.intent': ['divide {a:number} by {b:number}', 'what is the quotient of {a:number} and {b:number}'],
  },
  dialogs: {
    result: ['{a} {op} {b} is {result}.', '{a} {op} {b} equals {result}.'],
    op_plus: ['plus'],
    op_minus: ['minus'],
    op_times: ['times'],
    op_divide: ['divided by'],
    divide_by_zero: ["You can't divide by zero. The answer is undefined.", 'Dividing by zero is undefined.'],
    not_understood: ["Sorry, I didn't understand those numbers."],
  },
};
