import type { SkillLocale } from '../../../skill.js';

export const pt: SkillLocale = {
  description: 'dizer o que sei fazer',
  intents: {
    'what_can_you_do.intent': [
      'o que [mais] (sabes|consegues|podes|você sabe|você consegue|você pode) fazer',
      'o que é que (sabes|consegues|podes) fazer',
      'quais são as (tuas|suas) (capacidades|funcionalidades|funções|skills|habilidades)',
      'que (skills|funcionalidades|capacidades|comandos) (tens|tem|você tem)',
      '(em que|como) (me podes|me pode|podes|pode|você pode) ajudar',
      'o que (posso|é que posso) (perguntar|dizer) [te|lhe]',
      '(ajuda|ajuda me|ajude me|socorro)',
      'preciso de ajuda',
      '(lista|mostra|mostra me) [as] [tuas|suas] skills',
      '(dá me|dê me|me dá|me dê) (alguns|uns) exemplos',
    ],
  },
  dialogs: {
    skills: ['Posso {list}.', 'Eis o que sei fazer: {list}.'],
    and: ['e'],
  },
};
