/**
 * English phrases of the assistant core.
 *
 * @module
 */
import type { CoreLocale } from './index.js';

export const CORE_EN: CoreLocale = {
  stop: [
    'stop',
    'stop (it|that|this|now|talking|speaking|everything|all|playing)',
    'stop it now',
    'stop [the] (music|sound|noise|audio|timer|alarm|reading|playback)',
    '(please|just) stop',
    '(be|keep) quiet',
    'quiet',
    'shut up',
    'silence',
    'halt',
    'enough',
    'that is enough',
    'abort',
  ],
  skillError: 'Sorry, something went wrong in the {skill} skill.',
};
