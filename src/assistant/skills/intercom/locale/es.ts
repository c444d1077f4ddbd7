import type { SkillLocale } from '../../../skill.js';

export const es: SkillLocale = {
  description:
    'abrir una línea de intercomunicador con una habitación o un dispositivo, y responder quién puede hablarte',
  intents: {
    'intercom.intent': [
      'intercomunicador (con|a|para) [el|la] {target}',
      '(abre|inicia|abrir|iniciar) [el|un] intercomunicador (con|a|para|hacia) [el|la] {target}',
      '(llama|conecta) (a|con) [el|la] {target} por el intercomunicador',
      '(llama|conecta) al {target} por el intercomunicador',
      '(ponme|conéctame|conectame) con [el|la] {target}',
    ],
    'end_intercom.intent': [
      '(termina|cierra|corta|finaliza|cuelga|apaga) el intercomunicador',
      '(termina|cierra|corta|cuelga) la llamada del intercomunicador',
    ],
    'allow.intent': [
      '(sí|si)',
      '(sí|si) (por favor|claro|adelante|puede|pueden|acepto|permítelo|permitelo)',
      '(permite|permito|permítelo|acepta|acepto|autoriza|autorizo) [la llamada|el mensaje]',
      '(claro|por supuesto|de acuerdo|vale) [que hable|adelante]',
      'que hable',
    ],
    'deny.intent': [
      'no',
      'no (gracias|quiero|lo permitas|lo permito|acepto)',
      '(rechaza|rechazo|bloquea|deniega|niega|niego) [la llamada|el mensaje]',
      'nunca',
    ],
  },
  dialogs: {
    calling: ['He pedido a {target} que acepte el intercomunicador. Te avisaré cuando respondan.'],
    ended: ['El intercomunicador está cerrado.'],
    not_open: ['No hay ningún intercomunicador abierto.'],
    allowed: ['Vale, {sender} puede hablarte.'],
    denied: ['Vale, {sender} no puede hablarte.'],
    nobody_waiting: ['Nadie está esperando tu respuesta.'],
    unknown_target: ['No conozco ninguna habitación ni dispositivo llamado {target}.'],
    offline: ['{target} está desconectado ahora mismo.'],
    empty: ['No hay nadie en {target}.'],
    busy: ['{target} está en otra línea de intercomunicador.'],
    too_many: ['Hay demasiadas líneas de intercomunicador abiertas ahora mismo.'],
    refused: ['{target} no acepta el intercomunicador de tu parte.'],
    held_full: ['Ya hay demasiados mensajes esperando respuesta. Inténtalo más tarde.'],
    unavailable: ['Lo siento, ahora mismo no puedo llegar al intercomunicador del hub.'],
    failed: ['Lo siento, eso no ha funcionado: {reason}'],
  },
};
