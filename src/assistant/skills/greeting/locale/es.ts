import type { SkillLocale } from '../../../skill.js';

export const es: SkillLocale = {
  description: 'saludarte y charlar un poco',
  intents: {
    'hello.intent': [
      '(hola|buenas|saludos|hey|ey) [hivelink|asistente|amigo|a todos]',
      '(buenos días|buenas tardes|buenas noches) [hivelink|asistente]',
      'hola hola',
    ],
    'how_are_you.intent': [
      '(cómo|como) (estás|está|andas|te va|te encuentras|va todo) [hoy]',
      '(qué|que) tal [estás|todo|te va|el día]',
      '(todo bien|estás bien)',
      '(qué|que) hay',
      '(hola|buenas) (cómo|como|qué|que) (estás|tal)',
      '(cómo|como) (va|te va) (tu|el) día',
    ],
    'thanks.intent': [
      '[muchas|mil|muchísimas] gracias [por tu ayuda|por todo|hivelink]',
      'te lo agradezco',
      'muy amable',
      'gracias por la ayuda',
    ],
    'goodbye.intent': [
      '(adiós|adios|chao|chau) [hivelink]',
      'hasta (luego|pronto|mañana|la vista|la próxima|después)',
      'nos vemos [luego|pronto|mañana]',
    ],
  },
  dialogs: {
    hello: ['¡Hola!', '¡Hola! ¿En qué puedo ayudarte?', '¡Hola! ¿Qué puedo hacer por ti?'],
    how_are_you: ['Estoy bien, gracias por preguntar.', 'Todo funciona a la perfección. ¿Y tú?'],
    thanks: ['¡De nada!', 'Un placer ayudar.', 'Cuando quieras.'],
    goodbye: ['¡Adiós!', 'Hasta luego.', 'Hasta pronto.'],
  },
};
