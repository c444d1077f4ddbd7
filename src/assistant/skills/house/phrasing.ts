/**
 * The house skill's words per language: where the room and the message start in "tell …", "ask …" and "announce
 * …" (the verb and what may follow it), the words around room names, and how a list is said. English comes from
 * parse-en.ts; Portuguese and Spanish are here.
 *
 * @module
 */
import { intlList, perLanguage } from '../language.js';
import { askText, joinEn, ROOM_WORDS_EN, type RoomWords } from './parse-en.js';

/** One language's phrasing of the house skill. */
export interface HousePhrasing {
  readonly room: RoomWords;
  /** Up to where the order's room starts ("tell the", "diz à", "dile a la"). */
  readonly tell: RegExp;
  readonly ask: RegExp;
  readonly announce: RegExp;
  /** What a relayed question becomes for the room's assistant. */
  askText(message: string): string;
  join(items: readonly string[]): string;
}

const ENGLISH: HousePhrasing = {
  room: ROOM_WORDS_EN,
  tell: /\b(?:tell|let)\s+(?:(?:everyone|everybody)\s+in\s+)?|\bmessage\s+to\s+/i,
  ask: /\bask\s+(?:(?:everyone|everybody|someone)\s+in\s+)?/i,
  announce: /\b(?:announce|broadcast|announcement)\s+(?:that\s+)?/i,
  askText,
  join: joinEn,
};

/** Whole words in any script (`\b` only knows ASCII letters). */
function lead(words: string): RegExp {
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${words})(?![\\p{L}\\p{N}])\\s*`, 'iu');
}

const PORTUGUESE_ROOMS: RoomWords = {
  articles: ['o', 'a', 'os', 'as'],
  prepositions: ['em', 'no', 'na', 'nos', 'nas', 'a', 'à', 'ao', 'para'],
  everywhereEnd:
    /\s+(?:em todo o lado|em todo lado|em toda a casa|em toda casa|em todas as (?:divisões|salas)|a todos|para todos)[.!]*$/iu,
  everywhereStart:
    /^(?:em todo o lado|em toda a casa|em todas as (?:divisões|salas)|a todos|para todos)\s+(?:que\s+)?/iu,
  leadIn: /^(?:em|no|na|nos|nas|à|ao|para o|para a)\s+(.+)$/iu,
  unknownRoom: /^(.+?)\s+(?:no|na)\s+(\S+(?:\s+\S+)?)[.!]*$/iu,
  tellLead: /^(?:que|para)\s+/iu,
};

const SPANISH_ROOMS: RoomWords = {
  articles: ['el', 'la', 'los', 'las'],
  prepositions: ['en', 'a', 'al', 'para'],
  everywhereEnd:
    /\s+(?:en toda la casa|en todas partes|en todas las habitaciones|a todos|para todos)[.!]*$/iu,
  everywhereStart: /^(?:en toda la casa|en todas partes|en todas las habitaciones|a todos)\s+(?:que\s+)?/iu,
  leadIn: /^(?:en|a|al)\s+(?:el\s+|la\s+)?(.+)$/iu,
  unknownRoom: /^(.+?)\s+en\s+(?:el|la)\s+(\S+(?:\s+\S+)?)[.!]*$/iu,
  tellLead: /^(?:que|para)\s+/iu,
};

const PHRASINGS: Readonly<Record<string, (tag: string) => HousePhrasing>> = {
  pt: (tag) => ({
    room: PORTUGUESE_ROOMS,
    tell: lead(
      '(?:diz|diga|avisa|avise|informa|informe)(?:\\s+(?:a|à|ao|aos|às|para|para o|para a))?|(?:manda|envia|mande|envie)\\s+(?:uma\\s+)?mensagem\\s+(?:a|à|ao|para|para o|para a)',
    ),
    ask: lead('(?:pergunta|pergunte)(?:\\s+(?:a|à|ao|aos|às|para|para o|para a))?'),
    announce: lead('(?:anuncia|anuncie|avisa toda a gente|faz um anúncio|faça um anúncio)(?:\\s+que)?'),
    askText: (message) => message.replace(/^se\s+/iu, ''),
    join: intlList(tag),
  }),
  es: (tag) => ({
    room: SPANISH_ROOMS,
    tell: lead(
      '(?:dile|dígale|digale|avisa|avísale|avisale|di)(?:\\s+(?:a|al|a la|a los|a las))?|(?:manda|envía|envia)\\s+(?:un\\s+)?mensaje\\s+(?:a|al|a la)',
    ),
    ask: lead('(?:pregunta|pregúntale|preguntale|pregunte)(?:\\s+(?:a|al|a la|a los|a las))?'),
    announce: lead('(?:anuncia|anuncie|haz un anuncio)(?:\\s+que)?'),
    askText: (message) => message.replace(/^si\s+/iu, ''),
    join: intlList(tag),
  }),
};

/** The phrasing for `lang` (Portuguese, Spanish, else English). */
export const housePhrasing: (lang: string) => HousePhrasing = perLanguage(PHRASINGS, ENGLISH);
