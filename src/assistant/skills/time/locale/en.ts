import type { SkillLocale } from '../../../skill.js';

export const en: SkillLocale = {
  description: 'tell the time and the date',
  intents: {
    'time.intent': [
      'what time is it [now|right now|here]',
      'what is the [current] time [now|right now|here]',
      '(tell|give) me the [current] time',
      'do you (know|have) (the time|what time it is)',
      'what hour is it',
      '[the] [current] time',
      'time [please]',
      'what is the time of day',
      'have you got the time',
      'check the time',
      'what does the clock say',
    ],
    'date.intent': [
      'what is [the] [current] date [today]',
      'what is today date',
      'what is the date (today|now)',
      'what day is (it|today) [today]',
      'what is today',
      'which day is (it|today)',
      '(tell|give) me [the] [current] date',
      'what day of the week is it [today]',
      'what month is it',
      'what year is it',
      '[today] date',
      'date [please]',
      'do you know what day it is',
      'do you know the date',
    ],
  },
  dialogs: {
    time: ["It's {time}.", 'The time is {time}.'],
    date: ['Today is {date}.', "It's {date}."],
  },
};
