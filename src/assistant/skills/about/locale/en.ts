import type { SkillLocale } from '../../../skill.js';

export const en: SkillLocale = {
  description: 'tell you about hivelink',
  intents: {
    'about.intent': [
      '(tell me|talk) about (hivelink|hive link|yourself)',
      'what is (hivelink|hive link)',
      'what (are you|is this)',
      'what does hivelink do',
      'how does hivelink work',
      'who (made|built|created|wrote|designed) (you|hivelink|this)',
      'who are you',
      'what is your name',
      'introduce yourself',
      'are you (a robot|an ai|human|a computer|a person)',
      'what kind of (assistant|thing) are you',
      '(explain|describe) (hivelink|yourself)',
      'i want to know about hivelink',
    ],
  },
  dialogs: {
    about: [
      'I am the assistant built into hivelink, a secure hub for voice assistants. Satellites in every room connect to the hub, and I answer them, speaking the same messages as OpenVoiceOS.',
      'hivelink is a hub-and-mesh for voice assistants, compatible with HiveMind. I am its built-in assistant: I answer the satellites that connect to the hub.',
    ],
  },
};
