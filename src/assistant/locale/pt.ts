/**
 * Portuguese phrases of the assistant core (Portugal and Brazil).
 *
 * @module
 */
import type { CoreLocale } from './index.js';

export const CORE_PT: CoreLocale = {
  stop: [
    '(para|pára|pare|parar)',
    '(para|pára|pare) (isso|já|agora|tudo|de falar)',
    '(para|pára|pare|desliga|desligue) [o|a] (música|som|barulho|temporizador|alarme|leitura)',
    '(cala te|cala a boca|silêncio|chega|basta)',
    'já chega',
    '(cancela|cancelar) tudo',
    '(fica|fique) calado',
  ],
  skillError: 'Desculpa, algo correu mal na skill {skill}.',
};
