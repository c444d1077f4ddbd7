/**
 * The house (issue 11): "what rooms are there", "who is in the kitchen", "is the garage online", "tell the kitchen
 * dinner is ready", "ask the kitchen what time it is", "announce dinner is ready everywhere", "turn conference on
 * in the kitchen" / "stop the conference" (§12.10). The skill only understands and words things: rooms, relays,
 * announcements and conference modes live in the hub's house service, reached with `ctx.request` over
 * `hive.house.rooms | tell | ask | announce | room.set` (docs/PROTOCOL.md §12.2), so it works as well when the
 * assistant is a separate process on the hub's bus. The hub knows who asks from the message context it set
 * (`context.peer`): the room hears "office says: …", and only admin clients may announce or change a conference.
 *
 * @module
 */
import { defineSkill, type SkillContext } from '../../skill.js';
import { en } from './locale/en.js';
import { es } from './locale/es.js';
import { pt } from './locale/pt.js';
import { announceTarget, splitRoom, tellText } from './parse-en.js';
import { type HousePhrasing, housePhrasing } from './phrasing.js';

export const HOUSE_SKILL_ID = 'hivelink-house.hivelink';

/** How long the skill waits for the hub to carry out an order (reads of the store and sends: quick). */
const ORDER_TIMEOUT_MS = 4000;
/**
 * How long it waits for a relayed question: the hub gives the room `relayAskTimeoutMs` (default 5 s) and always
 * answers, so this only matters when the hub is gone or its limit is set higher.
 */
const ASK_TIMEOUT_MS = 15_000;

interface RoomInfo {
  readonly name: string;
  readonly online: number;
  readonly clients: readonly { readonly name: string; readonly online: boolean }[];
}

function roomOf(v: unknown): RoomInfo | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (typeof o.name !== 'string') return null;
  const clients = Array.isArray(o.clients)
    ? o.clients
        .filter((c): c is Record<string, unknown> => typeof c === 'object' && c !== null)
        .map((c) => ({ name: String(c.name ?? ''), online: c.online === true }))
    : [];
  return { name: o.name, online: typeof o.online === 'number' ? o.online : 0, clients };
}

/** The dialog of each refusal code (docs/ERRORS.md); others are spoken as `failed` with the hub's reason. */
const REFUSALS: Readonly<Record<string, string>> = {
  HL_ERR_ROOM_UNKNOWN: 'unknown_room',
  HL_ERR_ROOM_EMPTY: 'empty_room',
  HL_ERR_ROOM_OFFLINE: 'offline_room',
  HL_ERR_RELAY_TIMEOUT: 'no_answer',
  HL_ERR_NOT_UNDERSTOOD: 'not_understood',
  HL_ERR_RELAY_BUSY: 'busy',
  HL_ERR_RELAY_LOOP: 'loop',
  HL_ERR_CONSENT_PENDING: 'consent_pending',
  HL_ERR_CONSENT_DENIED: 'consent_denied',
  HL_ERR_CONSENT_HELD_FULL: 'consent_full',
  HL_ERR_ADMIN_REQUIRED: 'admin_only',
};

/** Speaks the refusal of a house answer that is not ok (`overrides`: other dialogs for some codes). */
function refused(
  ctx: SkillContext,
  answer: Record<string, unknown>,
  room: string,
  overrides: Readonly<Record<string, string>> = {},
): void {
  const name = typeof answer.room === 'string' && answer.room !== '' ? answer.room : room;
  const code = String(answer.code);
  const dialog = overrides[code] ?? REFUSALS[code];
  if (dialog !== undefined) ctx.speakDialog(dialog, { room: name });
  else ctx.speakDialog('failed', { reason: String(answer.error ?? answer.code ?? 'unknown error') });
}

/** Asks the house; null (after saying so) when it did not answer. */
async function house(
  ctx: SkillContext,
  type: string,
  data: Record<string, unknown>,
  timeoutMs = ORDER_TIMEOUT_MS,
): Promise<Record<string, unknown> | null> {
  const answer = await ctx.request(`hive.house.${type}`, data, { timeoutMs });
  if (answer === null) ctx.speakDialog('unavailable');
  return answer;
}

/** The names of the rooms the hub knows (for splitting "living room dinner is ready"); [] when it is unreachable. */
async function roomNames(ctx: SkillContext): Promise<string[]> {
  const answer = await ctx.request('hive.house.rooms', {}, { timeoutMs: ORDER_TIMEOUT_MS });
  if (answer === null || answer.ok !== true || !Array.isArray(answer.rooms)) return [];
  return answer.rooms.map(roomOf).flatMap((r) => (r === null ? [] : [r.name]));
}

/** The `room` slot of an intent, without a leading article ("la cocina" → "cocina"). */
function roomSlot(ctx: SkillContext): string {
  const [first = '', ...rest] = (ctx.entities.room ?? '').trim().split(/\s+/);
  return phrasing(ctx).room.articles.includes(first.toLowerCase())
    ? rest.join(' ')
    : [first, ...rest].join(' ');
}

/** The room an intent names in its `room` slot, or null (after asking which). */
function spokenRoom(ctx: SkillContext): string | null {
  const room = roomSlot(ctx);
  if (room === '') {
    ctx.speakDialog('which_room');
    return null;
  }
  return room;
}

/** The words after the intent's verb in the utterance as spoken (case and punctuation kept), else the slot. */
function rawRest(ctx: SkillContext, verbs: RegExp): string {
  const slot = ctx.entities.rest ?? '';
  const m = verbs.exec(ctx.utterance);
  if (m === null) return slot;
  const tail = ctx.utterance.slice(m.index + m[0].length).trim();
  const first = slot.split(' ')[0] ?? '';
  return first !== '' && tail.toLowerCase().includes(first) ? tail : slot;
}

/** The phrasing of the turn's language. */
function phrasing(ctx: SkillContext): HousePhrasing {
  return housePhrasing(ctx.lang);
}

async function listRooms(ctx: SkillContext): Promise<void> {
  const answer = await house(ctx, 'rooms', {});
  if (answer === null) return;
  if (answer.ok !== true) {
    refused(ctx, answer, '');
    return;
  }
  const names = (Array.isArray(answer.rooms) ? answer.rooms : [])
    .map(roomOf)
    .flatMap((r) => (r ? [r.name] : []));
  if (names.length === 0) ctx.speakDialog('no_rooms');
  else ctx.speakDialog(names.length === 1 ? 'one_room' : 'rooms', { list: phrasing(ctx).join(names) });
}

async function roomInfo(ctx: SkillContext): Promise<{ spoken: string; room: RoomInfo } | null> {
  const spoken = spokenRoom(ctx);
  if (spoken === null) return null;
  const answer = await house(ctx, 'rooms', { room: spoken });
  if (answer === null) return null;
  const room = answer.ok === true ? roomOf(answer.room) : null;
  if (room === null) {
    refused(ctx, answer, spoken);
    return null;
  }
  return { spoken, room };
}

async function whoIsIn(ctx: SkillContext): Promise<void> {
  const info = await roomInfo(ctx);
  if (info === null) return;
  const { room } = info;
  const join = phrasing(ctx).join;
  const online = room.clients.filter((c) => c.online).map((c) => c.name);
  const offline = room.clients.filter((c) => !c.online).map((c) => c.name);
  if (room.clients.length === 0) ctx.speakDialog('empty_room', { room: room.name });
  else if (offline.length === 0) ctx.speakDialog('who_online', { room: room.name, online: join(online) });
  else if (online.length === 0) ctx.speakDialog('who_offline', { room: room.name, offline: join(offline) });
  else ctx.speakDialog('who_mixed', { room: room.name, online: join(online), offline: join(offline) });
}

async function isOnline(ctx: SkillContext): Promise<void> {
  const info = await roomInfo(ctx);
  if (info === null) return;
  const { room } = info;
  const online = room.clients.filter((c) => c.online).map((c) => c.name);
  if (room.clients.length === 0) ctx.speakDialog('empty_room', { room: room.name });
  else if (online.length === 0) ctx.speakDialog('offline', { room: room.name });
  else ctx.speakDialog('online', { room: room.name, online: phrasing(ctx).join(online) });
}

/**
 * The room and the cleaned message after `lead` in the utterance, for tell and ask alike. Asks which room when none
 * is said, and says `missing` when nothing is left to pass on; both resolve with null.
 */
async function roomAndMessage(
  ctx: SkillContext,
  lead: RegExp,
  clean: (message: string) => string,
  missing: string,
): Promise<{ room: string; message: string } | null> {
  const split = splitRoom(rawRest(ctx, lead), await roomNames(ctx), phrasing(ctx).room);
  if (split === null) {
    ctx.speakDialog('which_room');
    return null;
  }
  const message = clean(split.message);
  if (message === '') {
    ctx.speakDialog(missing, { room: split.room });
    return null;
  }
  return { room: split.room, message };
}

async function tell(ctx: SkillContext): Promise<void> {
  const words = phrasing(ctx);
  const said = await roomAndMessage(ctx, words.tell, (m) => tellText(m, words.room), 'tell_what');
  if (said === null) return;
  const answer = await house(ctx, 'tell', { room: said.room, text: said.message });
  if (answer === null) return;
  if (answer.ok !== true) {
    refused(ctx, answer, said.room);
    return;
  }
  ctx.speakDialog('told', { room: String(answer.room ?? said.room) });
}

async function ask(ctx: SkillContext): Promise<void> {
  const words = phrasing(ctx);
  const said = await roomAndMessage(ctx, words.ask, words.askText, 'ask_what');
  if (said === null) return;
  const answer = await house(ctx, 'ask', { room: said.room, utterance: said.message }, ASK_TIMEOUT_MS);
  if (answer === null) return;
  if (answer.ok !== true) {
    refused(ctx, answer, said.room);
    return;
  }
  const answers = Array.isArray(answer.answers) ? answer.answers.map(String) : [];
  ctx.speakDialog('says', { room: String(answer.room ?? said.room), answer: answers.join(' ') });
}

async function announce(ctx: SkillContext): Promise<void> {
  const words = phrasing(ctx);
  const rest = rawRest(ctx, words.announce);
  const { target, text } = announceTarget(rest, await roomNames(ctx), words.room);
  if (text.trim() === '') {
    ctx.speakDialog('announce_what');
    return;
  }
  const data = 'all' in target ? { text, all: true } : { text, room: target.room };
  const answer = await house(ctx, 'announce', data);
  if (answer === null) return;
  if (answer.ok !== true) {
    refused(ctx, answer, 'room' in target ? target.room : '');
    return;
  }
  const count = Number(answer.delivered ?? 0);
  if (typeof answer.room === 'string') ctx.speakDialog('announced_room', { room: answer.room, count });
  else ctx.speakDialog('announced_all', { count });
}

/**
 * "turn conference on in the kitchen", "start a conference", "stop the conference": sets the room's conference mode
 * (the asker's own room when none is named); admins only.
 */
function conference(mode: 'on' | 'only' | 'off'): (ctx: SkillContext) => Promise<void> {
  return async (ctx) => {
    const spoken = roomSlot(ctx);
    const answer = await house(ctx, 'room.set', {
      conference: mode,
      ...(spoken === '' ? {} : { room: spoken }),
    });
    if (answer === null) return;
    if (answer.ok !== true) {
      refused(ctx, answer, spoken, {
        HL_ERR_ADMIN_REQUIRED: 'conference_admin_only',
        ...(spoken === '' ? { HL_ERR_INVALID_ARGUMENT: 'which_room' } : {}),
      });
      return;
    }
    ctx.speakDialog(`conference_${mode}`, { room: String(answer.room ?? spoken) });
  };
}

export const houseSkill = defineSkill({
  id: HOUSE_SKILL_ID,
  className: 'HouseSkill',
  locale: { en, pt, es },
  intents: [
    { name: 'rooms.intent', handler: listRooms },
    { name: 'who_is_in.intent', handler: whoIsIn },
    { name: 'is_online.intent', handler: isOnline },
    { name: 'tell.intent', handler: tell },
    { name: 'ask.intent', handler: ask },
    { name: 'announce.intent', handler: announce },
    { name: 'conference_on.intent', handler: conference('on') },
    { name: 'conference_only.intent', handler: conference('only') },
    { name: 'conference_off.intent', handler: conference('off') },
  ],
});
