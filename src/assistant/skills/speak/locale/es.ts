import type { SkillLocale } from '../../../skill.js';

export const es: SkillLocale = {
  description: 'repetir lo que digas',
  entities: {
    // Words to say back; not a request for something else ("repite eso", "di otra vez").
    dictation: {
      pattern:
        '(?!(?:me|le|te|nos|al|a la|a los|a las|eso|esto|aquello|otra vez|de nuevo|nada|algo|lo que|mi|el último|la última)(?: |$))\\S+(?: \\S+)*',
    },
  },
  intents: {
    'say.intent': [
      '(di|dí|repite|repita|pronuncia) {words:dictation}',
      '(repite|repita) (después de mí|despues de mi|conmigo) {words:dictation}',
      '(puedes|podrías|podrias) (decir|repetir) {words:dictation}',
      'quiero que (digas|repitas) {words:dictation}',
    ],
  },
  dialogs: {
    nothing: ['¿Qué debo decir?'],
  },
};
