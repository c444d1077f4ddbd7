/**
 * Spanish resources of the intent engine: decimal commas, arithmetic symbols, function words and polite fillers
 * ("¿me puedes decir…?", "por favor"). Inverted question and exclamation marks go with the other punctuation.
 *
 * @module
 */
import type { LanguageResources } from './types.js';

/** Spanish: `2,5` → `2.5`, `1.000` → `1000`, `12x7` → `12 por 7`, `¿qué hora es?` → `qué hora es`. */
export const SPANISH: LanguageResources = {
  code: 'es',
  rewrites: [
    [/[\u2018\u2019\u02bc`´]/g, "'"],
    [/^\s*[¿¡]?\s*(?:oye|bueno|pues|vale|ok|mira|a ver)\s*,\s*/, ''],
    [/(\d)\.(?=\d{3}\b)/g, '$1'],
    [/(\d),(?=\d)/g, '$1.'],
    [/(\d)\s*\+\s*(?=-?\d)/g, '$1 más '],
    [/(\d)\s*(?:\*|×|x)\s*(?=-?\d)/g, '$1 por '],
    [/(\d)\s*(?:\/|÷)\s*(?=-?\d)/g, '$1 dividido entre '],
    [/(\d)\s*[-−–]\s*(?=\d)/g, '$1 menos '],
  ],
  stopwords: new Set(
    (
      'el la los las un una unos unas de del al a en con sin por para y o pero si que es son fue era ser estar ' +
      'está estoy hay me te se nos le les lo yo tú tu él ella usted ustedes mi mis tu tus su sus esto eso ' +
      'aquello este esta ese esa por favor solo ya también ahora pues muy poco aquí allí ahí'
    ).split(' '),
  ),
  prefixFillers: [
    'hola asistente',
    'oye hivelink',
    'hivelink',
    'asistente',
    'oye',
    'oiga',
    'ok',
    'vale',
    'bueno',
    'pues',
    'a ver',
    'por favor',
    'me puedes decir',
    'me podrías decir',
    'me puede decir',
    'puedes decirme',
    'podrías decirme',
    'dime',
    'dígame',
    'me dices',
    'puedes',
    'podrías',
    'puede',
    'podría',
    'sabes',
    'usted sabe',
    'quiero saber',
    'quisiera saber',
    'me gustaría saber',
    'quisiera',
    'perdona',
    'perdón',
    'disculpa',
    'y',
    'también',
  ],
  suffixFillers: ['por favor', 'gracias', 'ahora', 'ya', 'hivelink', 'asistente'],
  howToPrefixes: ['cómo puedo', 'cómo se', 'cómo hago para', 'cómo hago', 'por qué'],
  stem: (w) => {
    if (w.length > 4 && w.endsWith('ones')) return `${w.slice(0, -4)}ón`;
    if (w.length > 4 && w.endsWith('es') && /[lrnd]es$/.test(w)) return w.slice(0, -2);
    if (w.length > 3 && w.endsWith('s') && !/(?:ss|ás|és|ís|ós|ús)$/.test(w)) return w.slice(0, -1);
    return w;
  },
};
