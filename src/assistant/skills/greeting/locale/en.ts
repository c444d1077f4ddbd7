import type { SkillLocale } from '../../../skill.js';

export const en: SkillLocale = {
  description: 'greet you and chat a little',
  intents: {
    'hello.intent': [
      '(hello|hi|hey|hiya|howdy|greetings|yo) [there|hivelink|assistant|friend|everyone]',
      'good (morning|afternoon|evening|day)',
      'hello hello',
    ],
    'how_are_you.intent': [
      'how are (you|things) [doing] [today|now]',
      'how is it going',
      'how are you feeling [today]',
      'what is up',
      'sup',
      'how do you do',
      'how have you been [doing|lately]',
      'how is your day [going]',
      'are you (ok|okay|well|alright|fine)',
      '(hello|hi|hey) how are you [doing|today]',
    ],
    'thanks.intent': [
      '(thanks|thank you) [so much|very much|a lot] [hivelink|assistant]',
      'many thanks',
      'cheers',
      'much appreciated',
      'i appreciate (it|that)',
      'thank you for your help',
    ],
    'goodbye.intent': [
      '(goodbye|bye|bye bye) [for now|hivelink|assistant]',
      'see you [later|soon|tomorrow]',
      'good night',
      'talk to you later',
      'catch you later',
      'farewell',
    ],
  },
  dialogs: {
    hello: ['Hello!', 'Hi there!', 'Hello, how can I help?', 'Hey! What can I do for you?'],
    how_are_you: [
      "I'm doing well, thank you for asking.",
      'All systems are running smoothly. How about you?',
      "I'm great, thanks!",
    ],
    thanks: ["You're welcome!", 'Happy to help.', 'Any time.'],
    goodbye: ['Goodbye!', 'See you later.', 'Bye for now.'],
  },
};
