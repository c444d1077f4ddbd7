import type { SkillLocale } from '../../../skill.js';

export const pt: SkillLocale = {
  description: 'dizer quem é e onde está, como o hub o conhece',
  intents: {
    'who_am_i.intent': [
      'quem sou [eu]',
      'quem é que eu sou',
      'qual é o meu nome',
      'como (me chamo|é que eu me chamo)',
      '(sabes|você sabe|sabe) quem eu sou',
      '(sabes|você sabe|sabe) o meu nome',
      '(que|qual) (cliente|dispositivo|aparelho) sou eu',
      'qual é o meu (cliente|dispositivo|aparelho)',
      '(identifica|identifique) me',
      'quem está a falar',
      'quem está falando',
    ],
    'where_am_i.intent': [
      'onde (estou|é que estou|eu estou)',
      'em que (divisão|sala|quarto|cômodo|sítio|lugar|local) (estou|é que estou)',
      'qual é a minha (divisão|sala|localização)',
      'qual é o meu (local|sítio|cômodo)',
      'onde está este (dispositivo|cliente|aparelho)',
    ],
  },
  dialogs: {
    name_site_peer: ['É {name}, a falar a partir de {site}. A ligação é {peer}.'],
    name_peer: ['É {name}. A ligação é {peer}.'],
    name_site: ['É {name}, a falar a partir de {site}.'],
    name: ['É {name}.'],
    unknown: ['Não sei quem é. Está a falar comigo diretamente no barramento.'],
    site: ['Está em {site}.'],
    site_unknown: ['Não sei onde está.'],
  },
};
