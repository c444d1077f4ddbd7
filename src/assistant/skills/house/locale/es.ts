import type { SkillLocale } from '../../../skill.js';

const IN = '(en|en el|en la)';
const TO = '(a|al|a la|a los|a las)';

export const es: SkillLocale = {
  description:
    'conocer las habitaciones de la casa, llevar recados y preguntas entre ellas, y hacer anuncios',
  intents: {
    'rooms.intent': [
      '(qué|que) habitaciones (hay|conoces|tenemos|tienes|existen)',
      '(cuáles|cuales) son las habitaciones [de la casa]',
      '(lista|dime|muestra) [todas] las habitaciones',
      '(cuántas|cuantas) habitaciones hay',
    ],
    'who_is_in.intent': [
      `(quién|quien) (está|hay) ${IN} {room}`,
      `(quién|quien) está conectado ${IN} {room}`,
      `(qué|que) (dispositivos|clientes|altavoces) hay ${IN} {room}`,
    ],
    'is_online.intent': [
      '(el|la) {room} está (conectado|conectada|en línea|disponible|despierto|despierta)',
      `hay (alguien|algún dispositivo) ${IN} {room}`,
      '(puedes|puede) llegar (a la|al|a) {room}',
    ],
    'tell.intent': [
      `(dile|dígale|digale|avisa|avísale|avisale) ${TO} {rest}`,
      `(manda|envía|envia) [un] mensaje ${TO} {rest}`,
    ],
    'ask.intent': [`(pregunta|pregúntale|preguntale|pregunte) ${TO} {rest}`],
    'announce.intent': ['(anuncia|anuncie) [que] {rest}', 'haz un anuncio {rest}'],
    'conference_on.intent': [`(enciende|activa|empieza|inicia|abre|pon) [la|una] conferencia [${IN} {room}]`],
    'conference_only.intent': [
      `(enciende|activa|empieza|inicia|abre|pon) [la|una] conferencia (silenciosa|privada|sin asistente) [${IN} {room}]`,
      `conferencia (sola|solamente|solo) [${IN} {room}]`,
    ],
    'conference_off.intent': [
      `(apaga|desactiva|termina|cierra|para|detén|deten|acaba) [la] conferencia [${IN} {room}]`,
    ],
  },
  dialogs: {
    rooms: ['Las habitaciones son {list}.'],
    one_room: ['Hay una habitación: {list}.'],
    no_rooms: [
      'Todavía no hay habitaciones. Un administrador pone un cliente en una habitación con hivelink clients set y la opción site.',
    ],
    who_online: ['En {room}: {online}, conectado.'],
    who_offline: ['En {room}: {offline}, todo desconectado.'],
    who_mixed: ['En {room}: {online} conectado, y {offline} desconectado.'],
    online: ['Sí, {room} está conectado: {online}.'],
    offline: ['No, {room} está desconectado.'],
    told: ['Recado dado a {room}.'],
    says: ['{room} dice: {answer}'],
    announced_all: ['Anunciado en {count} dispositivos.'],
    announced_room: ['Anunciado en {room}, en {count} dispositivos.'],
    tell_what: ['¿Qué le digo a {room}?'],
    ask_what: ['¿Qué le pregunto a {room}?'],
    announce_what: ['¿Qué debo anunciar?'],
    which_room: ['¿Qué habitación?'],
    unknown_room: ['No conozco ninguna habitación llamada {room}.'],
    empty_room: ['No hay nadie en {room}.'],
    offline_room: ['{room} está desconectado ahora mismo.'],
    no_answer: ['{room} no ha respondido.'],
    not_understood: ['{room} no lo ha entendido.'],
    busy: ['Hay demasiadas preguntas esperando a sus habitaciones. Inténtalo en un momento.'],
    loop: ['No puedo pasar eso desde una pregunta reenviada.'],
    consent_pending: ['He pedido a {room} que te autorice primero. Te avisaré cuando respondan.'],
    consent_denied: ['{room} no acepta mensajes tuyos.'],
    consent_full: ['Ya hay demasiados mensajes esperando respuesta. Inténtalo más tarde.'],
    admin_only: ['Solo un administrador puede hacer anuncios.'],
    conference_on: ['La conferencia está activa en {room}: todos allí se oyen entre sí.'],
    conference_only: ['La conferencia está activa en {room}, sin mí: no responderé allí hasta que termine.'],
    conference_off: ['La conferencia en {room} está apagada.'],
    conference_admin_only: ['Solo un administrador puede empezar o terminar una conferencia.'],
    unavailable: ['Ahora mismo no puedo llegar a la casa.'],
    failed: ['Eso no ha funcionado: {reason}'],
  },
};
