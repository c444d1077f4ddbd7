import type { SkillLocale } from '../../../skill.js';

export const es: SkillLocale = {
  description: 'hablarte de hivelink',
  intents: {
    'about.intent': [
      '(háblame|cuéntame|hablame|cuentame) (de|sobre) (ti|hivelink)',
      '(qué|que) es (hivelink|hive link)',
      '(qué|que) (eres|es esto)',
      '(qué|que) hace hivelink',
      '(cómo|como) funciona hivelink',
      '(quién|quien) te (hizo|creó|construyó|programó)',
      '(quién|quien) (hizo|creó) hivelink',
      '(quién|quien) eres [tú]',
      '(cómo|como) te llamas',
      '(cuál|cual) es tu nombre',
      '(preséntate|presentate)',
      'eres (un robot|una máquina|humano|una persona|una inteligencia artificial)',
      '(qué|que) tipo de asistente eres',
    ],
  },
  dialogs: {
    about: [
      'Soy el asistente integrado en hivelink, un hub seguro para asistentes de voz. Los satélites de cada habitación se conectan al hub y yo les respondo, con los mismos mensajes que OpenVoiceOS.',
      'hivelink es un hub para asistentes de voz, compatible con HiveMind. Yo soy su asistente integrado: respondo a los satélites que se conectan al hub.',
    ],
  },
};
