import type { SkillLocale } from '../../../skill.js';

const SUBS = '(suscripciones|boletines|newsletters)';

export const es: SkillLocale = {
  description: 'suscribirte a los boletines del hub, y darte de baja',
  intents: {
    'subscribe.intent': [
      '(suscríbeme|suscribeme|apúntame|apuntame|inscríbeme|inscribeme) (a|al|en) {name}',
      '(quiero|quisiera) (suscribirme|apuntarme|inscribirme) (a|al|en) {name}',
      '(quiero|quisiera) recibir {name}',
    ],
    'unsubscribe.intent': [
      '(desuscríbeme|desuscribeme|desapúntame|desapuntame|bórrame|borrame|sácame|sacame) (de|del) {name}',
      '(dame|darme) de baja (de|del) {name}',
      '(cancela|anula) mi suscripción (a|al|de|del) {name}',
      'ya no quiero recibir {name}',
      'no quiero recibir más {name}',
    ],
    'list.intent': [
      '(a qué|a que) estoy (suscrito|suscrita|apuntado|apuntada)',
      '(cuáles|cuales) son mis suscripciones',
      '(qué|que) suscripciones tengo',
      '(lista|muestra|dime) mis suscripciones',
      '(qué|que) recibo',
    ],
    'available.intent': [
      `(qué|que) ${SUBS} (hay|existen|tienes)`,
      `(cuáles|cuales) ${SUBS} hay`,
      '(a qué|a que) me puedo (suscribir|apuntar)',
      `(lista|muestra) las ${SUBS} disponibles`,
    ],
  },
  dialogs: {
    subscribed: ['Hecho: ahora estás suscrito a {name}.'],
    already: ['Ya estás suscrito a {name}.'],
    unsubscribed: ['Hecho: ya no estás suscrito a {name}.'],
    not_subscribed: ['No estabas suscrito a {name}.'],
    unknown: ['No hay ninguna suscripción llamada {name}. Puedes suscribirte a {available}.'],
    unknown_none: ['No hay ninguna suscripción llamada {name}; el hub aún no tiene suscripciones.'],
    full: ['Lo siento, {name} ya tiene todos los suscriptores que admite.'],
    list: ['Estás suscrito a {names}.'],
    list_none: ['No estás suscrito a nada. Puedes suscribirte a {available}.'],
    list_none_empty: ['No estás suscrito a nada, y el hub aún no tiene suscripciones.'],
    available: ['Puedes suscribirte a {names}.'],
    available_none: ['El hub aún no tiene suscripciones.'],
    unreachable: ['Lo siento, ahora mismo no puedo llegar a las suscripciones del hub.'],
    failed: ['Lo siento, no he podido cambiar tus suscripciones: {reason}'],
    and: ['y'],
  },
};
