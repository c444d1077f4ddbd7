/**
 * Arithmetic on two numbers (digits or number words in English, Portuguese or Spanish): plus, minus, times, divided by, and the verb forms
 * ("add 3 and 4", "divide 10 by 2"). Division by zero gets a sensible answer.
 *
 * @module
 */
import { defineSkill, type SkillContext } from '../../skill.js';
import { en } from './locale/en.js';
import { es } from './locale/es.js';
import { pt } from './locale/pt.js';
import { parseNumberEn } from './numbers-en.js';
import { NUMBERS_ES, NUMBERS_PT } from './numbers-words.js';

type Op = 'plus' | 'minus' | 'times' | 'divided by';

/** How one language says numbers and operators (the operator words of its `operator` entity). */
interface Arithmetic {
  readonly parse: (text: string) => number | undefined;
  readonly operators: Readonly<Record<string, Op>>;
}

const ARITHMETIC: Readonly<Record<string, Arithmetic>> = {
  en: {
    parse: parseNumberEn,
    operators: {
      plus: 'plus',
      add: 'plus',
      'added to': 'plus',
      minus: 'minus',
      'take away': 'minus',
      less: 'minus',
      times: 'times',
      'multiplied by': 'times',
      x: 'times',
      'divided by': 'divided by',
      over: 'divided by',
    },
  },
  pt: {
    parse: NUMBERS_PT.parse,
    operators: {
      mais: 'plus',
      menos: 'minus',
      vezes: 'times',
      'multiplicado por': 'times',
      'a multiplicar por': 'times',
      x: 'times',
      'dividido por': 'divided by',
      'a dividir por': 'divided by',
      sobre: 'divided by',
    },
  },
  es: {
    parse: NUMBERS_ES.parse,
    operators: {
      más: 'plus',
      mas: 'plus',
      menos: 'minus',
      por: 'times',
      veces: 'times',
      'multiplicado por': 'times',
      x: 'times',
      'dividido por': 'divided by',
      'dividido entre': 'divided by',
      entre: 'divided by',
    },
  },
};

/** The dialog that names each operator in the answer. */
const OP_DIALOG: Readonly<Record<Op, string>> = {
  plus: 'op_plus',
  minus: 'op_minus',
  times: 'op_times',
  'divided by': 'op_divide',
};

/**
 * A number as spoken back: integers as they are, others rounded to at most 4 decimals — with the decimal comma
 * of `lang` when it is not English (`2,5` in Portuguese and Spanish).
 */
export function formatNumber(n: number, lang = 'en'): string {
  const plain = Number.isInteger(n) ? String(n) : String(Number(n.toFixed(4)));
  if (lang.toLowerCase().startsWith('en') || !/^-?\d+(?:\.\d+)?$/.test(plain)) return plain;
  try {
    return new Intl.NumberFormat(lang, { maximumFractionDigits: 4, useGrouping: false }).format(
      Number(plain),
    );
  } catch {
    return plain;
  }
}

function compute(ctx: SkillContext, fixed?: Op): void {
  const kit = ARITHMETIC[ctx.lang.toLowerCase().split('-')[0]!] ?? ARITHMETIC.en!;
  const a = kit.parse(ctx.entities.a ?? '');
  const b = kit.parse(ctx.entities.b ?? '');
  const op = fixed ?? kit.operators[ctx.entities.op ?? ''];
  if (a === undefined || b === undefined || op === undefined) {
    ctx.speakDialog('not_understood');
    return;
  }
  if (op === 'divided by' && b === 0) {
    ctx.speakDialog('divide_by_zero');
    return;
  }
  const result = op === 'plus' ? a + b : op === 'minus' ? a - b : op === 'times' ? a * b : a / b;
  const [fa, fb, fr] = [a, b, result].map((n) => formatNumber(n, ctx.lang));
  ctx.speakDialog('result', { a: fa!, b: fb!, op: ctx.dialog(OP_DIALOG[op]), result: fr! });
}

export const mathSkill = defineSkill({
  id: 'hivelink-math.hivelink',
  className: 'MathSkill',
  locale: { en, pt, es },
  intents: [
    { name: 'calculate.intent', handler: (ctx) => compute(ctx) },
    { name: 'add.intent', handler: (ctx) => compute(ctx, 'plus') },
    { name: 'subtract.intent', handler: (ctx) => compute(ctx, 'minus') },
    { name: 'multiply.intent', handler: (ctx) => compute(ctx, 'times') },
    { name: 'divide.intent', handler: (ctx) => compute(ctx, 'divided by') },
  ],
});
