import type { SkillLocale } from '../../../skill.js';

export const en: SkillLocale = {
  description: 'open an intercom line to a room or a device, and answer who may talk to you directly',
  intents: {
    'intercom.intent': [
      'intercom [the] {target}',
      '(open|start) [an|the] intercom (to|with) [the] {target}',
      '(call|connect me to) [the] {target} on the intercom',
      'put me through to [the] {target}',
    ],
    'end_intercom.intent': ['(end|close|stop|finish) [the] intercom', 'hang up [the] intercom'],
    'allow.intent': [
      'yes',
      'yes (please|allow|allow it|allow them|they can|you can|sure|of course)',
      '(allow|accept) [it|them|him|her|the call|the message]',
      '(sure|of course|ok|okay) [let them talk|allow them|allow it]',
      'let them talk [to me]',
    ],
    'deny.intent': [
      'no',
      'no (thanks|thank you|way|do not|don t|never)',
      '(deny|refuse|block|reject) [it|them|him|her|the call|the message]',
      "(do not|don't) allow [it|them|him|her]",
      'never allow [them|it]',
    ],
  },
  dialogs: {
    calling: ['I asked {target} to allow the intercom. You will hear when they answer.'],
    ended: ['The intercom is closed.'],
    not_open: ['No intercom is open.'],
    allowed: ['OK, {sender} may talk to you.'],
    denied: ['OK, {sender} may not talk to you.'],
    nobody_waiting: ['Nobody is waiting for your answer.'],
    unknown_target: ["I don't know a room or a device called {target}."],
    offline: ['{target} is offline right now.'],
    empty: ['Nobody is in the {target}.'],
    busy: ['{target} is on another intercom line.'],
    too_many: ['Too many intercom lines are open right now.'],
    refused: ['{target} does not accept the intercom from you.'],
    held_full: ['Too many messages are waiting for an answer already. Try again later.'],
    unavailable: ["Sorry, I can't reach the hub's intercom right now."],
    failed: ['Sorry, that did not work: {reason}'],
  },
};
