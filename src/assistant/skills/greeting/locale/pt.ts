import type { SkillLocale } from '../../../skill.js';

export const pt: SkillLocale = {
  description: 'cumprimentar e conversar um pouco',
  intents: {
    'hello.intent': [
      '(olá|ola|oi|viva|ei|saudações) [hivelink|assistente|amigo|pessoal]',
      '(bom dia|boa tarde|boa noite) [hivelink|assistente]',
      'olá olá',
    ],
    'how_are_you.intent': [
      'como (estás|está|vais|vai|andas|anda) [hoje]',
      'como é que (estás|está|vais|vai)',
      '(tudo bem|tudo bom|tudo certo) [contigo|com você]',
      'como vai isso',
      'como (tens|tem) passado',
      '(estás|está|você está) bem',
      '(olá|oi) (tudo bem|como estás|como está|como vai)',
      'como (corre|está a correr|está correndo) o (teu|seu) dia',
    ],
    'thanks.intent': [
      '(obrigado|obrigada|obrigadão) [pela ajuda|por tudo|hivelink]',
      'muito (obrigado|obrigada)',
      '(valeu|agradeço|fico agradecido|fico agradecida)',
      '(obrigado|obrigada) pela (tua|sua) ajuda',
    ],
    'goodbye.intent': [
      '(adeus|tchau|xau|fui) [hivelink]',
      'até (logo|já|amanhã|mais|breve|à próxima|a próxima|depois)',
      '(falamos|conversamos) depois',
    ],
  },
  dialogs: {
    hello: ['Olá!', 'Olá, em que posso ajudar?', 'Olá! O que posso fazer por si?'],
    how_are_you: ['Estou bem, obrigado por perguntar.', 'Tudo a funcionar na perfeição. E consigo?'],
    thanks: ['De nada!', 'Sempre às ordens.', 'Foi um prazer ajudar.'],
    goodbye: ['Adeus!', 'Até logo.', 'Até à próxima.'],
  },
};
