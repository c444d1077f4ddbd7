import type { SkillLocale } from '../../../skill.js';

export const es: SkillLocale = {
  description: 'decirte lo que sé hacer',
  intents: {
    'what_can_you_do.intent': [
      '(qué|que) [más] (sabes|puedes) hacer',
      '(cuáles|cuales) son tus (habilidades|funciones|capacidades|skills)',
      '(qué|que) (habilidades|funciones|skills|comandos) tienes',
      '(en qué|en que|cómo|como) me (puedes|podrías) ayudar',
      '(en qué|en que) puedes ayudarme',
      '(qué|que) (te puedo|puedo) (preguntar|decir)',
      '(ayuda|ayúdame|ayudame|socorro)',
      'necesito ayuda',
      '(lista|muestra|muéstrame) [tus|las] skills',
      'dame (algunos|unos) ejemplos',
    ],
  },
  dialogs: {
    skills: ['Puedo {list}.', 'Esto es lo que sé hacer: {list}.'],
    and: ['y'],
  },
};
