/**
 * Portuguese resources of the intent engine (Portugal and Brazil alike): decimal commas, arithmetic symbols,
 * function words and polite fillers ("podes dizer-me", "por favor").
 *
 * @module
 */
import type { LanguageResources } from './types.js';

/** Portuguese: `2,5` → `2.5`, `1.000` → `1000`, `12x7` → `12 vezes 7`, `diz-me` → `diz me`. */
export const PORTUGUESE: LanguageResources = {
  code: 'pt',
  rewrites: [
    [/[\u2018\u2019\u02bc`´]/g, "'"],
    [/^\s*(?:então|entao|olha|bem|ok|pronto|ora)\s*,\s*/, ''],
    [/(\d)\.(?=\d{3}\b)/g, '$1'],
    [/(\d),(?=\d)/g, '$1.'],
    [/(\d)\s*\+\s*(?=-?\d)/g, '$1 mais '],
    [/(\d)\s*(?:\*|×|x)\s*(?=-?\d)/g, '$1 vezes '],
    [/(\d)\s*(?:\/|÷)\s*(?=-?\d)/g, '$1 a dividir por '],
    [/(\d)\s*[-−–]\s*(?=\d)/g, '$1 menos '],
  ],
  stopwords: new Set(
    (
      'o a os as um uma uns umas de do da dos das em no na nos nas ao aos à às por pelo pela para com sem ' +
      'e ou mas se que é são foi era ser estar está estou tem ter há me te se nos lhe eu tu ele ela você vocês ' +
      'meu minha meus minhas teu tua seu sua isto isso aquilo este esta esse essa por favor só já também agora ' +
      'então muito pouco aqui ali lá'
    ).split(' '),
  ),
  prefixFillers: [
    'olá assistente',
    'ei hivelink',
    'hivelink',
    'assistente',
    'ei',
    'ok',
    'então',
    'olha',
    'bem',
    'por favor',
    'podes me dizer',
    'pode me dizer',
    'podias me dizer',
    'consegues me dizer',
    'diz me',
    'diga me',
    'me diz',
    'me diga',
    'podes',
    'pode',
    'podias',
    'poderias',
    'consegues',
    'você pode',
    'tu podes',
    'sabes',
    'você sabe',
    'sabe',
    'quero saber',
    'queria saber',
    'gostaria de saber',
    'eu queria',
    'queria',
    'desculpa',
    'desculpe',
    'e',
    'também',
  ],
  suffixFillers: [
    'por favor',
    'se faz favor',
    'faz favor',
    'obrigado',
    'obrigada',
    'agora',
    'já',
    'hivelink',
    'assistente',
  ],
  howToPrefixes: [
    'como é que eu',
    'como posso',
    'como se',
    'como faço para',
    'como faço',
    'porque é que',
    'por que',
  ],
  stem: (w) => {
    if (w.length > 4 && w.endsWith('ões')) return `${w.slice(0, -3)}ão`;
    if (w.length > 3 && w.endsWith('s') && !/(?:ss|ás|ês|ós)$/.test(w)) return w.slice(0, -1);
    return w;
  },
};
