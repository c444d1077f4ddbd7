import type { SkillLocale } from '../../../skill.js';

export const en: SkillLocale = {
  description: 'tell you who and where you are, as the hub knows you',
  intents: {
    'who_am_i.intent': [
      '(who|what) am i',
      'who am i talking (as|from)',
      'what is my name',
      'do you know (who i am|my name)',
      'who is (this|speaking|talking)',
      'what do you call me',
      'what is my (client|device) [name]',
      'which (client|device) am i',
      'identify me',
      'tell me who i am',
      'who do you think i am',
      'what client is this',
    ],
    'where_am_i.intent': [
      'where am i',
      'which (room|site) am i in',
      'what (room|site|location) (is this|am i in)',
      'what is my (site|room|location)',
      'where is this (device|client)',
    ],
  },
  dialogs: {
    name_site_peer: ['You are {name}, speaking from the {site}. Your connection is {peer}.'],
    name_peer: ['You are {name}. Your connection is {peer}.'],
    name_site: ['You are {name}, speaking from the {site}.'],
    name: ['You are {name}.'],
    unknown: ["I don't know who you are. You are talking to me directly on the bus."],
    site: ['You are in the {site}.'],
    site_unknown: ["I don't know where you are."],
  },
};
