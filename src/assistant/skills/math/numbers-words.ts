/**
 * Spoken numbers in languages that build them by adding words ("vinte e um", "ciento veinte", "dois mil e cinco"):
 * a table of word values, the scale words that multiply what came before ("mil", "millón"), the word that joins
 * parts ("e", "y") and the decimal word ("vírgula", "coma"). From one table come the entity pattern (a regex
 * source over normalized words) and the parser.
 *
 * @module
 */

/** The number words of one language. */
export interface NumberWords {
  /** Words that add their value: units, tens, hundreds ("cem", "duzentos", "veintiuno"). */
  readonly values: Readonly<Record<string, number>>;
  /** Words that multiply what came before (1 when nothing did): thousand, million. */
  readonly scales: Readonly<Record<string, number>>;
  /** The word that joins parts and is skipped ("e", "y"). */
  readonly join: string;
  /** Words that start the decimals, read digit by digit ("vírgula", "coma", "punto"). */
  readonly point: readonly string[];
}

/** The pattern and parser of one language's numbers. */
export interface SpokenNumbers {
  /** Regex source over normalized words: digits (`12`, `-3.5`) or number words. */
  readonly pattern: string;
  /** The value of what {@link pattern} matched; undefined when it is not a number. */
  parse(text: string): number | undefined;
}

function alternation(words: readonly string[]): string {
  return `(?:${[...words].sort((a, b) => b.length - a.length).join('|')})`;
}

/** The pattern and parser for `table`. */
export function spokenNumbers(table: NumberWords): SpokenNumbers {
  const word = alternation([...Object.keys(table.values), ...Object.keys(table.scales)]);
  const digit = alternation(Object.keys(table.values).filter((w) => table.values[w]! <= 9));
  const pattern =
    `-?\\d+(?:\\.\\d+)?|${word}(?: (?:${table.join} )?${word})*` +
    `(?: ${alternation(table.point)}(?: ${digit})+)?`;
  const points = new Set(table.point);
  const parse = (text: string): number | undefined => {
    const t = text.trim();
    if (/^-?\d+(?:\.\d+)?$/.test(t)) return Number(t);
    const words = t.split(' ').filter((w) => w !== '' && w !== table.join);
    const at = words.findIndex((w) => points.has(w));
    const whole = at < 0 ? words : words.slice(0, at);
    if (whole.length === 0) return undefined;
    let total = 0;
    let current = 0;
    for (const w of whole) {
      const value = table.values[w];
      const scale = table.scales[w];
      if (value !== undefined) current += value;
      else if (scale !== undefined) {
        total += (current === 0 ? 1 : current) * scale;
        current = 0;
      } else return undefined;
    }
    let digits = '';
    for (const w of at < 0 ? [] : words.slice(at + 1)) {
      const d = table.values[w];
      if (d === undefined || d > 9) return undefined;
      digits += String(d);
    }
    const n = total + current;
    return digits === '' ? n : Number(`${n}.${digits}`);
  };
  return { pattern, parse };
}

/** Portuguese (Portugal and Brazil spellings): "doze", "vinte e um", "cento e cinco", "dezasseis" / "dezesseis". */
export const NUMBERS_PT = spokenNumbers({
  values: {
    zero: 0,
    um: 1,
    uma: 1,
    dois: 2,
    duas: 2,
    três: 3,
    tres: 3,
    quatro: 4,
    cinco: 5,
    seis: 6,
    sete: 7,
    oito: 8,
    nove: 9,
    dez: 10,
    onze: 11,
    doze: 12,
    treze: 13,
    catorze: 14,
    quatorze: 14,
    quinze: 15,
    dezasseis: 16,
    dezesseis: 16,
    dezassete: 17,
    dezessete: 17,
    dezoito: 18,
    dezanove: 19,
    dezenove: 19,
    vinte: 20,
    trinta: 30,
    quarenta: 40,
    cinquenta: 50,
    sessenta: 60,
    setenta: 70,
    oitenta: 80,
    noventa: 90,
    cem: 100,
    cento: 100,
    duzentos: 200,
    duzentas: 200,
    trezentos: 300,
    trezentas: 300,
    quatrocentos: 400,
    quinhentos: 500,
    seiscentos: 600,
    setecentos: 700,
    oitocentos: 800,
    novecentos: 900,
  },
  scales: { mil: 1000, milhão: 1_000_000, milhao: 1_000_000, milhões: 1_000_000, milhoes: 1_000_000 },
  join: 'e',
  point: ['vírgula', 'virgula', 'ponto'],
});

/** Spanish: "doce", "veintiuno", "treinta y dos", "ciento cinco", "dos mil". */
export const NUMBERS_ES = spokenNumbers({
  values: {
    cero: 0,
    un: 1,
    uno: 1,
    una: 1,
    dos: 2,
    tres: 3,
    cuatro: 4,
    cinco: 5,
    seis: 6,
    siete: 7,
    ocho: 8,
    nueve: 9,
    diez: 10,
    once: 11,
    doce: 12,
    trece: 13,
    catorce: 14,
    quince: 15,
    dieciséis: 16,
    dieciseis: 16,
    diecisiete: 17,
    dieciocho: 18,
    diecinueve: 19,
    veinte: 20,
    veintiuno: 21,
    veintiún: 21,
    veintiuna: 21,
    veintidós: 22,
    veintidos: 22,
    veintitrés: 23,
    veintitres: 23,
    veinticuatro: 24,
    veinticinco: 25,
    veintiséis: 26,
    veintiseis: 26,
    veintisiete: 27,
    veintiocho: 28,
    veintinueve: 29,
    treinta: 30,
    cuarenta: 40,
    cincuenta: 50,
    sesenta: 60,
    setenta: 70,
    ochenta: 80,
    noventa: 90,
    cien: 100,
    ciento: 100,
    doscientos: 200,
    doscientas: 200,
    trescientos: 300,
    trescientas: 300,
    cuatrocientos: 400,
    quinientos: 500,
    seiscientos: 600,
    setecientos: 700,
    ochocientos: 800,
    novecientos: 900,
  },
  scales: { mil: 1000, millón: 1_000_000, millon: 1_000_000, millones: 1_000_000 },
  join: 'y',
  point: ['coma', 'punto'],
});
