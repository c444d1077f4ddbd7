import type { SkillLocale } from '../../../skill.js';

export const en: SkillLocale = {
  description: 'repeat what you say',
  entities: {
    // Words to say back; not a reference to something else ("repeat my last reminder", "say that again").
    dictation: {
      pattern:
        '(?!(?:my|your|our|his|her|their|the last|that|this|it|nothing|something|anything)(?: |$))\\S+(?: \\S+)*',
    },
  },
  intents: {
    'say.intent': [
      '(say|speak|repeat|echo) {words:dictation}',
      'repeat after me {words:dictation}',
      '(can|could|would) you (say|repeat) {words:dictation}',
      'i want you to (say|repeat) {words:dictation}',
      'please (say|repeat) {words:dictation}',
    ],
  },
  dialogs: {
    nothing: ['What should I say?'],
  },
};
