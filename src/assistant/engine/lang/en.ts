/**
 * English resources of the intent engine: contractions, arithmetic symbols, stopwords and polite fillers.
 *
 * @module
 */
import type { LanguageResources } from './types.js';

const WH_AND_PRONOUNS =
  'what|who|where|when|why|how|that|there|here|it|he|she|this|everything|nothing|something|let';

/** English: `what's` → `what is`, `can't` → `can not`, `12+7` → `12 plus 7`, `john's` → `john`. */
export const ENGLISH: LanguageResources = {
  code: 'en',
  rewrites: [
    [/[\u2018\u2019\u02bc`´]/g, "'"],
    // "Say, what is …", "Well, …": a leading interjection set off by a comma is not a command.
    [/^\s*(?:say|well|so|ok|okay|oh|now|listen|look|right)\s*,\s*/, ''],
    [/\blet's\b/g, 'let us'],
    [/\bcan't\b/g, 'can not'],
    [/\bcannot\b/g, 'can not'],
    [/\bwon't\b/g, 'will not'],
    [/\bshan't\b/g, 'shall not'],
    [/\bain't\b/g, 'is not'],
    [/n't\b/g, ' not'],
    [/'re\b/g, ' are'],
    [/'ve\b/g, ' have'],
    [/'ll\b/g, ' will'],
    [/\bi'm\b/g, 'i am'],
    [/'d\b/g, ' would'],
    [new RegExp(`\\b(${WH_AND_PRONOUNS})'s\\b`, 'g'), '$1 is'],
    [/\bo'clock\b/g, 'oclock'],
    [/'s\b/g, ''],
    [/\bwhats\b/g, 'what is'],
    [/\bwhos\b/g, 'who is'],
    [/\bhows\b/g, 'how is'],
    [/\bim\b/g, 'i am'],
    [/\bdont\b/g, 'do not'],
    [/\bcant\b/g, 'can not'],
    [/\bu\b/g, 'you'],
    [/\bur\b/g, 'your'],
    [/\bpls\b|\bplz\b/g, 'please'],
    [/(\d)\s*\+\s*(?=-?\d)/g, '$1 plus '],
    [/(\d)\s*(?:\*|×|x)\s*(?=-?\d)/g, '$1 times '],
    [/(\d)\s*(?:\/|÷)\s*(?=-?\d)/g, '$1 divided by '],
    [/(\d)\s*[-−–]\s*(?=\d)/g, '$1 minus '],
  ],
  stopwords: new Set(
    (
      'a an the and or but if of to in on at by for with from about as into onto over under up down out off ' +
      'is am are was were be been being do does did doing have has had having will would shall should can could ' +
      'may might must i me my mine myself you your yours yourself he him his she her it its we us our they them ' +
      'their this that these those there here what which who whom whose when where why how please just ' +
      'so very really some any all not no yes oh ok okay hey hi well then than too also again now'
    ).split(' '),
  ),
  prefixFillers: [
    'hey assistant',
    'hey hivelink',
    'hivelink',
    'assistant',
    'hey',
    'ok',
    'okay',
    'so',
    'um',
    'uh',
    'well',
    'please',
    'can you please',
    'could you please',
    'would you please',
    'will you please',
    'can you',
    'could you',
    'would you',
    'will you',
    'would you mind',
    'i want you to',
    'i would like you to',
    'i need you to',
    'i want to know',
    'i would like to know',
    'do you know',
    'can you tell me',
    'could you tell me',
    'tell me',
    'quick question',
    'excuse me',
    'pardon me',
    'sorry',
    'go ahead and',
    'by the way',
    'actually',
    'oh',
    'and',
    'also',
  ],
  stem: (w) => {
    if (w.length > 4 && w.endsWith('ies')) return `${w.slice(0, -3)}y`;
    if (w.length > 5 && w.endsWith('ing')) return w.slice(0, -3);
    if (w.length > 3 && w.endsWith('s') && !/(?:ss|us|is)$/.test(w)) return w.slice(0, -1);
    return w;
  },
  howToPrefixes: [
    'how do i',
    'how do you',
    'how can i',
    'how could i',
    'how should i',
    'how would i',
    'how to',
    'how does one',
    'why do',
    'why does',
    'why is',
    'why are',
  ],
  suffixFillers: [
    'please',
    'for me',
    'thanks',
    'thank you',
    'now',
    'right now',
    'at the moment',
    'again',
    'exactly',
    'then',
    'hivelink',
    'assistant',
  ],
};
