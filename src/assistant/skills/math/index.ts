/**
 * Arithmetic on two numbers (digits or English number words): plus, minus, times, divided by, and the verb forms
 * ("add 3 and 4", "divide 10 by 2"). Division by zero gets a sensible answer.
 *
 * @module
 */
import { defineSkill, type SkillContext } from '../../skill.js';
import { en } from './locale/en.js';
import { parseNumberEn } from './numbers-en.js';

type Op = 'plus' | 'minus' | 'times' | 'divided by';

const OPERATOR_WORDS: Readonly<Record<string, Op>> = {
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
};

/** A number as spoken back: integers as they are, others rounded to at most 4 decimals. */
export function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return String(Number(n.toFixed(4)));
}

function compute(ctx: SkillContext, fixed?: Op): void {
  const a = parseNumberEn(ctx.entities.a ?? '');
  const b = parseNumberEn(ctx.entities.b ?? '');
  const op = fixed ?? OPERATOR_WORDS[ctx.entities.op ?? ''];
  if (a === undefined || b === undefined || op === undefined) {
    ctx.speakDialog('not_understood');
    return;
  }
  if (op === 'divided by' && b === 0) {
    ctx.speakDialog('divide_by_zero');
    return;
  }
  const result = op === 'plus' ? a + b : op === 'minus' ? a - b : op === 'times' ? a * b : a / b;
  ctx.speakDialog('result', { a: formatNumber(a), b: formatNumber(b), op, result: formatNumber(result) });
}

export const mathSkill = defineSkill({
  id: 'hivelink-math.hivelink',
  className: 'MathSkill',
  locale: { en },
  intents: [
    { name: 'calculate.intent', handler: (ctx) => compute(ctx) },
    { name: 'add.intent', handler: (ctx) => compute(ctx, 'plus') },
    { name: 'subtract.intent', handler: (ctx) => compute(ctx, 'minus') },
    { name: 'multiply.intent', handler: (ctx) => compute(ctx, 'times') },
    { name: 'divide.intent', handler: (ctx) => compute(ctx, 'divided by') },
  ],
});
