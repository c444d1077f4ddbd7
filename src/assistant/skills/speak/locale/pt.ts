import type { SkillLocale } from '../../../skill.js';

export const pt: SkillLocale = {
  description: 'repetir o que disser',
  entities: {
    // Words to say back; not a request for something else ("diz-me as horas", "repete isso").
    dictation: {
      pattern:
        '(?!(?:me|lhe|te|nos|à|ao|aos|às|isso|isto|aquilo|outra vez|de novo|nada|algo|alguma coisa|o que|a minha|o meu|a última|o último)(?: |$))\\S+(?: \\S+)*',
    },
  },
  intents: {
    'say.intent': [
      '(diz|diga|repete|repita|fala|fale) {words:dictation}',
      '(repete|repita) (depois de mim|comigo) {words:dictation}',
      '(podes|pode|consegues) (dizer|repetir) {words:dictation}',
      'quero que (digas|diga|repitas|repita) {words:dictation}',
    ],
  },
  dialogs: {
    nothing: ['O que devo dizer?'],
  },
};
