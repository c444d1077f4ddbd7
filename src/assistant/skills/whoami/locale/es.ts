import type { SkillLocale } from '../../../skill.js';

export const es: SkillLocale = {
  description: 'decirte quién eres y dónde estás, según te conoce el hub',
  intents: {
    'who_am_i.intent': [
      '(quién|quien) soy [yo]',
      '(cuál|cual) es mi nombre',
      '(cómo|como) me llamo',
      'sabes (quién|quien) soy',
      'sabes mi nombre',
      '(qué|que|cuál|cual) (cliente|dispositivo|aparato) soy [yo]',
      '(cuál|cual) es mi (cliente|dispositivo)',
      '(identifícame|identificame)',
      '(quién|quien) (está hablando|habla)',
    ],
    'where_am_i.intent': [
      '(dónde|donde) estoy',
      '(en qué|en que) (habitación|sala|cuarto|sitio|lugar) estoy',
      '(cuál|cual) es mi (habitación|sala|ubicación|sitio)',
      '(dónde|donde) está este (dispositivo|cliente|aparato)',
    ],
  },
  dialogs: {
    name_site_peer: ['Eres {name}, hablando desde {site}. Tu conexión es {peer}.'],
    name_peer: ['Eres {name}. Tu conexión es {peer}.'],
    name_site: ['Eres {name}, hablando desde {site}.'],
    name: ['Eres {name}.'],
    unknown: ['No sé quién eres. Me hablas directamente por el bus.'],
    site: ['Estás en {site}.'],
    site_unknown: ['No sé dónde estás.'],
  },
};
