import type { SkillLocale } from '../../../skill.js';

const NEWS = '(subscriptions|newsletters|news letters)';

export const en: SkillLocale = {
  description: "subscribe you to the hub's newsletters, and unsubscribe you",
  intents: {
    'subscribe.intent': [
      'subscribe (me|this device|us) to {name}',
      'subscribe to {name}',
      'sign (me|us) up (for|to) {name}',
      '(add|put) me on [the] {name} (list|subscription|newsletter)',
    ],
    'unsubscribe.intent': [
      'unsubscribe (me|this device|us) from {name}',
      'unsubscribe from {name}',
      'take me off [the] {name} [list|subscription|newsletter]',
      'i do not want (to get|to receive|to hear) {name} [any more|anymore]',
      'cancel my subscription to {name}',
    ],
    'list.intent': [
      'what am i subscribed to',
      'what (am i|are we|is this device) subscribed to',
      'what are my subscriptions',
      '(which|what) (subscriptions|newsletters) do (i|we) have',
      '(list|tell me|read me) my (subscriptions|newsletters)',
      'what do i get (sent|every day)',
    ],
    'available.intent': [
      `what ${NEWS} (are there|do you have|can i get)`,
      'what can i subscribe to',
      `(list|tell me) [the|all] [available] ${NEWS}`,
      `which ${NEWS} are there`,
    ],
  },
  dialogs: {
    subscribed: ['You are now subscribed to {name}.'],
    already: ['You are already subscribed to {name}.'],
    unsubscribed: ['You are no longer subscribed to {name}.'],
    not_subscribed: ['You were not subscribed to {name}.'],
    unknown: ['There is no subscription called {name}. You can subscribe to {available}.'],
    unknown_none: ['There is no subscription called {name}; the hub has no subscriptions yet.'],
    full: ['Sorry, {name} already has as many subscribers as it can take.'],
    list: ['You are subscribed to {names}.'],
    list_none: ['You are not subscribed to anything. You can subscribe to {available}.'],
    list_none_empty: ['You are not subscribed to anything, and the hub has no subscriptions yet.'],
    available: ['You can subscribe to {names}.'],
    available_none: ['The hub has no subscriptions yet.'],
    unreachable: ["Sorry, I can't reach the hub's subscriptions right now."],
    failed: ['Sorry, I could not change your subscriptions: {reason}'],
    and: ['and'],
  },
};
