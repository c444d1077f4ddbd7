import type { SkillLocale } from '../../../skill.js';

export const pt: SkillLocale = {
  description: 'contar piadas',
  intents: {
    'joke.intent': [
      '(conta|conte|diz|diga) me (uma|outra) [boa|pequena] (piada|anedota)',
      '(conta|conte|diz|diga) (uma|outra) [boa] (piada|anedota)',
      '(me conta|me conte) (uma|outra) (piada|anedota)',
      '(sabes|você sabe|sabe|conheces) (alguma|uma|umas) [boa|boas] (piada|piadas|anedota|anedotas)',
      '(quero|queria|gostava de) ouvir uma (piada|anedota)',
      '(faz|faça) me (rir|sorrir)',
      '(me faz|me faça) (rir|sorrir)',
      '(outra|uma) (piada|anedota) [por favor]',
      '(piadas|anedotas)',
      '(anima|anime) me',
      '(diz|diga|conta) (algo|alguma coisa) (engraçado|engraçada|divertido)',
      'estou aborrecido',
      'estou entediado',
    ],
  },
  dialogs: {
    joke: [
      'Qual é o contrário de volátil? Vem cá, sobrinho.',
      'O que é que o zero disse ao oito? Belo cinto!',
      'Porque é que o livro de matemática estava triste? Porque tinha muitos problemas.',
      'O que é que o tomate foi fazer ao banco? Tirar extrato.',
      'Qual é o café mais perigoso do mundo? O ex-presso.',
      'O que é que o pato disse à pata? Vem quá!',
      'Qual é o animal mais antigo? A zebra, porque é a preto e branco.',
      'Como se chama um bumerangue que não volta? Um pau.',
      'Porque é que a galinha atravessou a estrada? Para chegar ao outro lado.',
      'O que é um pontinho amarelo no céu? Um yellowcóptero.',
    ],
  },
};
