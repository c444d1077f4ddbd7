/**
 * "Say …" / "repeat …": speaks the rest of the utterance back, as typed (case and punctuation kept).
 *
 * @module
 */
import { defineSkill } from '../../skill.js';
import { en } from './locale/en.js';
import { es } from './locale/es.js';
import { pt } from './locale/pt.js';

/** The commands that introduce the words to say back, per primary language (longest first where they overlap). */
const COMMANDS: Readonly<Record<string, readonly string[]>> = {
  en: ['repeat after me', 'say', 'speak', 'repeat', 'echo'],
  pt: [
    'repete depois de mim',
    'repita depois de mim',
    'repete comigo',
    'repita comigo',
    'diz',
    'diga',
    'dizer',
    'repete',
    'repita',
    'repetir',
    'fala',
    'fale',
  ],
  es: [
    'repite después de mí',
    'repite despues de mi',
    'repite conmigo',
    'di',
    'dí',
    'decir',
    'repite',
    'repita',
    'repetir',
    'pronuncia',
  ],
};

const commandPatterns = new Map<string, RegExp>();

/** The regex of the commands of `lang` (English when it has none), as whole words in any script. */
function commandPattern(lang: string): RegExp {
  const primary = lang.toLowerCase().split(/[-_]/)[0]!;
  const key = primary in COMMANDS ? primary : 'en';
  let re = commandPatterns.get(key);
  if (re === undefined) {
    const words = COMMANDS[key]!.map((c) => c.replace(/ /g, '\\s+')).join('|');
    re = new RegExp(`(?<![\\p{L}\\p{N}])(?:${words})(?![\\p{L}\\p{N}])[\\s,:]*`, 'gu');
    commandPatterns.set(key, re);
  }
  return re;
}

/** The words after the command (`say`, `repete`, `repite`, …) in the original utterance, if they can be found. */
function rawTail(utterance: string, words: string, lang: string): string {
  const first = words.split(' ')[0];
  if (first === undefined || first === '') return words;
  const lower = utterance.toLowerCase();
  let tail: string | undefined;
  for (const m of lower.matchAll(commandPattern(lang))) {
    const rest = utterance.slice(m.index + m[0].length).trim();
    if (rest.toLowerCase().startsWith(first)) {
      tail = rest;
      break;
    }
  }
  return (tail ?? words).replace(/^["'“‘«]|["'”’»]$/g, '').trim();
}

export const speakSkill = defineSkill({
  id: 'hivelink-speak.hivelink',
  className: 'SpeakSkill',
  locale: { en, pt, es },
  intents: [
    {
      name: 'say.intent',
      handler: (ctx) => {
        const words = ctx.entities.words ?? '';
        const text = rawTail(ctx.utterance, words, ctx.lang);
        if (text === '') ctx.speakDialog('nothing');
        else ctx.speak(text);
      },
    },
  ],
});
