import type { SkillLocale } from '../../../skill.js';

export const en: SkillLocale = {
  description: 'ask you a question and remember your favourite colour',
  intents: {
    'ask_colour.intent': [
      'ask me (a question|something|anything)',
      'ask me (about|for) my (favourite|favorite) (colour|color)',
      'quiz me',
      '(ask|guess) my (favourite|favorite) (colour|color)',
      'i want to tell you my (favourite|favorite) (colour|color)',
      'let me tell you my (favourite|favorite) (colour|color)',
      'remember my (favourite|favorite) (colour|color)',
      'do you want to know my (favourite|favorite) (colour|color)',
    ],
    'recall_colour.intent': [
      'what is my (favourite|favorite) (colour|color)',
      'do you (know|remember) my (favourite|favorite) (colour|color)',
      '(which|what) (colour|color) do i (like|love|prefer) [best|most]',
      'what (colour|color) is my (favourite|favorite)',
      'tell me my (favourite|favorite) (colour|color)',
    ],
  },
  dialogs: {
    question: ['What is your favourite colour?'],
    remember: ['I will remember that your favourite colour is {colour}.'],
    no_answer: ['Never mind, you can tell me later.'],
    recall: ['Your favourite colour is {colour}.'],
    recall_unknown: ["I don't know your favourite colour yet. Say: ask me a question."],
  },
};
