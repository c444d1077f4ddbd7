import type { SkillLocale } from '../../../skill.js';

export const pt: SkillLocale = {
  description: 'falar sobre o hivelink',
  intents: {
    'about.intent': [
      '(fala|fale|conta|conte) me (sobre|de) (ti|si|você|hivelink|o hivelink)',
      '(fala|fale) (sobre|de) (ti|você|hivelink|o hivelink)',
      'o que é [o] (hivelink|hive link)',
      'o que (és tu|é você|é isto)',
      'o que faz o hivelink',
      'como funciona o hivelink',
      'quem (te|o) (fez|criou|construiu|programou)',
      'quem (fez|criou|construiu) o hivelink',
      'quem (és tu|é você|és)',
      '(como te chamas|como se chama|qual é o teu nome|qual é o seu nome)',
      '(apresenta te|apresente se)',
      '(és|você é) (um robô|uma máquina|humano|uma pessoa|uma inteligência artificial)',
      'que tipo de assistente (és|é você)',
    ],
  },
  dialogs: {
    about: [
      'Sou o assistente integrado no hivelink, um hub seguro para assistentes de voz. Os satélites de cada divisão ligam-se ao hub e eu respondo-lhes, com as mesmas mensagens do OpenVoiceOS.',
      'O hivelink é um hub para assistentes de voz, compatível com o HiveMind. Eu sou o assistente integrado: respondo aos satélites que se ligam ao hub.',
    ],
  },
};
