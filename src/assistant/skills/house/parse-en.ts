/**
 * English phrasing of the house skill: which room an order names ("tell the living room dinner is ready": the
 * longest known room name wins over the first word), where an announcement goes ("… everywhere", "… in the
 * kitchen"), and a relayed question in direct form ("what time it is" → "what time is it"). Pure functions over the
 * raw utterance, so what the room hears keeps the speaker's case and punctuation.
 *
 * @module
 */

/** The words around a room name in one language (English here; others in phrasing.ts). */
export interface RoomWords {
  /** Articles skipped before a room name ("the"). */
  readonly articles: readonly string[];
  /** Words before a room at the end of an announcement ("in", "to"). */
  readonly prepositions: readonly string[];
  /** An announcement's target of every room, at its end or its start. */
  readonly everywhereEnd: RegExp;
  readonly everywhereStart: RegExp;
  /** An announcement that starts with its room ("in the kitchen that …"): the rest in group 1. */
  readonly leadIn: RegExp;
  /** "… in the garage" with a room nobody knows: text in group 1, room in group 2. */
  readonly unknownRoom: RegExp;
  /** What a message starts with and is not part of it ("that", "to"). */
  readonly tellLead: RegExp;
}

/** English. */
export const ROOM_WORDS_EN: RoomWords = {
  articles: ['the'],
  prepositions: ['in', 'to'],
  everywhereEnd:
    /\s+(?:everywhere|to everyone|to everybody|in every room|in all (?:the )?rooms|to all (?:the )?rooms)[.!]*$/i,
  everywhereStart:
    /^(?:everywhere|to everyone|to everybody|in every room|in all (?:the )?rooms)\s+(?:that\s+)?/i,
  leadIn: /^(?:in|to)\s+(?:the\s+)?(.+)$/i,
  unknownRoom: /^(.+?)\s+in\s+the\s+(\S+(?:\s+\S+)?)[.!]*$/i,
  tellLead: /^(?:that|to)\s+/i,
};

/** How room names compare (the store's `roomKey`): lower case, `_`/`-` as spaces, a leading "the" dropped. */
export function foldRoom(name: string): string {
  return name
    .toLowerCase()
    .replace(/[_-]+/g, ' ')
    .replace(/[^\p{L}\p{N}\p{M} ]+/gu, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^the /, '');
}

function words(text: string): string[] {
  return text
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '');
}

function foldWord(word: string): string {
  return foldRoom(word).replace(/ /g, '');
}

/** The number of leading words of `raw` that spell `room` (0 when they do not). */
function prefixLength(raw: readonly string[], room: string): number {
  const key = foldRoom(room).split(' ');
  if (key.length === 0 || key[0] === '' || key.length > raw.length) return 0;
  for (let i = 0; i < key.length; i++) if (foldWord(raw[i]!) !== key[i]) return 0;
  return key.length;
}

/**
 * Splits "living room dinner is ready" into the room and the rest, given the rooms the hub knows: the longest known
 * room the words start with, else the first word (the hub then says it knows no such room). A leading "the" is
 * skipped. Null when there are no words.
 */
export function splitRoom(
  rest: string,
  rooms: readonly string[],
  lang: RoomWords = ROOM_WORDS_EN,
): { room: string; message: string } | null {
  let raw = words(rest);
  if (lang.articles.includes(raw[0]?.toLowerCase() ?? '')) raw = raw.slice(1);
  if (raw.length === 0) return null;
  let best: { room: string; n: number } | null = null;
  for (const room of rooms) {
    const n = prefixLength(raw, room);
    if (n > 0 && (best === null || n > best.n)) best = { room, n };
  }
  const n = best?.n ?? 1;
  return {
    room: best?.room ?? raw[0]!.replace(/[^\p{L}\p{N}\p{M}_-]+/gu, ''),
    message: raw.slice(n).join(' '),
  };
}

/** What to tell, without a leading "that" or "to" ("tell the kitchen that dinner is ready"). */
export function tellText(message: string, lang: RoomWords = ROOM_WORDS_EN): string {
  return message.replace(lang.tellLead, '').trim();
}

/**
 * A relayed question as the room's assistant understands it best: without a leading "to" ("ask the kitchen to set
 * a timer"), and an indirect question made direct ("what time it is" → "what time is it").
 */
export function askText(message: string): string {
  let text = message.replace(/^to\s+/i, '').trim();
  const indirect =
    /^((?:what|where|when|who|how|which)\b.*?)\s+(it|that|this|he|she|they|there)\s+(is|are|was|were)([?.!]*)$/i.exec(
      text,
    );
  if (indirect !== null) text = `${indirect[1]} ${indirect[3]} ${indirect[2]}${indirect[4]}`;
  return text;
}

/** Where an announcement goes, and its text. */
export type AnnounceTarget = { readonly all: true } | { readonly room: string };

/**
 * "dinner is ready everywhere" → every room; "dinner is ready in the kitchen" / "in the kitchen that dinner is
 * ready" → that room (a known one, or the words after "in the"); no target → every room.
 */
export function announceTarget(
  rest: string,
  rooms: readonly string[],
  lang: RoomWords = ROOM_WORDS_EN,
): { target: AnnounceTarget; text: string } {
  const trimmed = rest.trim();
  if (lang.everywhereEnd.test(trimmed))
    return { target: { all: true }, text: trimmed.replace(lang.everywhereEnd, '') };
  if (lang.everywhereStart.test(trimmed))
    return { target: { all: true }, text: trimmed.replace(lang.everywhereStart, '') };
  const start = lang.leadIn.exec(trimmed);
  if (start !== null) {
    const split = splitRoom(start[1]!, rooms, lang);
    if (split !== null && split.message !== '') {
      return { target: { room: split.room }, text: tellText(split.message, lang) };
    }
  }
  const raw = words(trimmed);
  let best: { room: string; at: number } | null = null;
  for (let at = raw.length - 1; at > 0; at--) {
    const preposition = raw[at - 1]!.toLowerCase();
    const article = lang.articles.includes(raw[at]!.toLowerCase()) ? 1 : 0;
    if (!lang.prepositions.includes(preposition)) continue;
    for (const room of rooms) {
      const tail = raw.slice(at + article);
      if (prefixLength(tail, room) === tail.length && (best === null || at < best.at)) best = { room, at };
    }
  }
  if (best !== null) return { target: { room: best.room }, text: raw.slice(0, best.at - 1).join(' ') };
  const unknown = lang.unknownRoom.exec(trimmed);
  if (unknown !== null) return { target: { room: unknown[2]! }, text: unknown[1]! };
  return { target: { all: true }, text: trimmed };
}

/** "a, b and c". */
export function joinEn(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
