/**
 * "Say …" / "repeat …": speaks the rest of the utterance back, as typed (case and punctuation kept).
 *
 * @module
 */
import { defineSkill } from '../../skill.js';
import { en } from './locale/en.js';

/** The words after the command (`say`, `repeat after me`, …) in the original utterance, if they can be found. */
function rawTail(utterance: string, words: string): string {
  const first = words.split(' ')[0];
  if (first === undefined || first === '') return words;
  const lower = utterance.toLowerCase();
  const commands = /\b(?:say|speak|repeat(?: after me)?|echo)\b[\s,:]*/g;
  let tail: string | undefined;
  for (const m of lower.matchAll(commands)) {
    const rest = utterance.slice(m.index + m[0].length).trim();
    if (rest.toLowerCase().startsWith(first)) {
      tail = rest;
      break;
    }
  }
  return (tail ?? words).replace(/^["'“‘]|["'”’]$/g, '').trim();
}

export const speakSkill = defineSkill({
  id: 'hivelink-speak.hivelink',
  className: 'SpeakSkill',
  locale: { en },
  intents: [
    {
      name: 'say.intent',
      handler: (ctx) => {
        const words = ctx.entities.words ?? '';
        const text = rawTail(ctx.utterance, words);
        if (text === '') ctx.speakDialog('nothing');
        else ctx.speak(text);
      },
    },
  ],
});
