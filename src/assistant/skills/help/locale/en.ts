import type { SkillLocale } from '../../../skill.js';

export const en: SkillLocale = {
  description: 'list what I can do',
  intents: {
    'what_can_you_do.intent': [
      'what (can|else can) you do',
      'what are you (able|capable) of [doing]',
      'what are your (skills|abilities|capabilities|features|functions|commands)',
      'what (skills|abilities|commands|features) do you have',
      'what do you know how to do',
      'what do you do',
      'how can you help [me]',
      'what can i (ask|say to) you',
      'what can i (ask|say)',
      'what should i (ask|say)',
      'help [me] [please]',
      'i need help',
      '(list|show) [me] [your|all] [the] skills',
      'what are you good at',
      'what can you help [me] with',
      'give me some examples',
    ],
  },
  dialogs: {
    skills: ['I can {list}.', 'Here is what I can do: {list}.'],
    and: ['and'],
  },
};
