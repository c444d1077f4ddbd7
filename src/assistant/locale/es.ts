/**
 * Spanish phrases of the assistant core.
 *
 * @module
 */
import type { CoreLocale } from './index.js';

export const CORE_ES: CoreLocale = {
  stop: [
    '(para|detente|alto|parar)',
    '(para|detente) (eso|ya|ahora|todo|de hablar)',
    '(para|apaga|quita) [el|la] (música|sonido|ruido|temporizador|alarma|lectura)',
    '(cállate|silencio|basta|ya basta|ya está bien)',
    '(cancela|cancelar) todo',
    '(quédate|estate) callado',
  ],
  skillError: 'Lo siento, algo ha fallado en la skill {skill}.',
};
