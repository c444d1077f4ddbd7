/**
 * English numbers for the arithmetic skill: the entity pattern (digits, or number words up to the millions) and the
 * parser from those words to a number.
 *
 * @module
 */

const UNITS: Readonly<Record<string, number>> = {
  zero: 0,
  oh: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fourty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};

const SCALES: Readonly<Record<string, number>> = { hundred: 100, thousand: 1000, million: 1_000_000 };

const WORD = `(?:${[...Object.keys(UNITS), ...Object.keys(SCALES)].sort((a, b) => b.length - a.length).join('|')})`;

/** Regex source over normalized words: `12`, `-3.5`, `twenty one`, `a hundred and five`, `negative four`. */
export const NUMBER_PATTERN_EN = `-?\\d+(?:\\.\\d+)?|(?:negative |minus )?(?:a )?${WORD}(?: (?:and )?${WORD})*(?: point(?: ${WORD})+)?`;

/** Parses digits or English number words (as {@link NUMBER_PATTERN_EN} matches them); `undefined` if not a number. */
export function parseNumberEn(text: string): number | undefined {
  const t = text.trim();
  if (/^-?\d+(?:\.\d+)?$/.test(t)) return Number(t);
  let words = t.split(' ').filter((w) => w !== '' && w !== 'and');
  let sign = 1;
  if (words[0] === 'negative' || words[0] === 'minus') {
    sign = -1;
    words = words.slice(1);
  }
  if (words[0] === 'a') words = ['one', ...words.slice(1)];
  const point = words.indexOf('point');
  const intWords = point < 0 ? words : words.slice(0, point);
  const fracWords = point < 0 ? [] : words.slice(point + 1);
  if (intWords.length === 0) return undefined;
  let total = 0;
  let current = 0;
  for (const w of intWords) {
    const unit = UNITS[w];
    const scale = SCALES[w];
    if (unit !== undefined) current += unit;
    else if (scale === 100) current = (current === 0 ? 1 : current) * 100;
    else if (scale !== undefined) {
      total += (current === 0 ? 1 : current) * scale;
      current = 0;
    } else return undefined;
  }
  let value = total + current;
  if (fracWords.length > 0) {
    let digits = '';
    for (const w of fracWords) {
      const d = UNITS[w];
      if (d === undefined || d > 9) return undefined;
      digits += String(d);
    }
    value = Number(`${value}.${digits}`);
  }
  return sign * value;
}
