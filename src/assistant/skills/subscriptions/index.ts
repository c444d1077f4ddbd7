/**
 * Subscriptions by voice ("subscribe me to the morning news", "unsubscribe me from the weather", "what am I
 * subscribed to", "what subscriptions are there"). The skill only understands and words things: the subscriptions
 * live in the hub (`src/hub/house/subscriptions.ts`), reached with `ctx.request` over `hive.subscriptions.subscribe`,
 * `hive.subscriptions.unsubscribe` and `hive.subscriptions.list` (docs/PROTOCOL.md §12.7). The hub knows which client
 * asks from the context it set when it injected the utterance, so a satellite can only (un)subscribe itself.
 *
 * @module
 */
import { defineSkill, type SkillContext } from '../../skill.js';
import { en } from './locale/en.js';
import { es } from './locale/es.js';
import { pt } from './locale/pt.js';

export const SUBSCRIPTIONS_SKILL_ID = 'hivelink-subscriptions.hivelink';

/** "a", "a and b", "a, b and c" in the turn's language. */
function joinList(ctx: SkillContext, items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} ${ctx.dialog('and')} ${items.at(-1)}`;
}

function names(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * The name as the user said it, without the article or possessive ("the morning news" → "morning news", "as notícias"
 * → "notícias", "el tiempo" → "tiempo"), for the answer.
 */
function spokenName(ctx: SkillContext): string {
  return (ctx.entities.name ?? '')
    .trim()
    .replace(/^(?:the|my|our|o|a|os|as|el|la|los|las|meu|minha|meus|minhas|mi|mis)\s+/i, '');
}

/** Asks the hub; speaks the failure and returns null when it does not answer or refuses. */
async function ask(
  ctx: SkillContext,
  type: string,
  data: Record<string, unknown>,
): Promise<Record<string, unknown> | null> {
  const answer = await ctx.request(type, data);
  if (answer === null) {
    ctx.speakDialog('unreachable');
    return null;
  }
  if (answer.ok === true) return answer;
  const name = typeof answer.name === 'string' ? answer.name : spokenName(ctx);
  const available = names(answer.available);
  if (answer.code === 'HL_ERR_NO_SUBSCRIPTION') {
    if (available.length === 0) ctx.speakDialog('unknown_none', { name });
    else ctx.speakDialog('unknown', { name, available: joinList(ctx, available) });
  } else if (answer.code === 'HL_ERR_TOO_MANY_SUBSCRIBERS') {
    ctx.speakDialog('full', { name });
  } else {
    ctx.speakDialog('failed', { reason: typeof answer.error === 'string' ? answer.error : 'unknown error' });
  }
  return null;
}

/**
 * The subscribe or unsubscribe intent: asks the hub to do it for the subscription said, then speaks the first
 * dialog of `dialogs` when the answer's `flag` is true, else the second, with the subscription's name.
 */
function membership(
  action: 'subscribe' | 'unsubscribe',
  flag: 'already' | 'was_subscribed',
  dialogs: readonly [string, string],
) {
  return {
    name: `${action}.intent`,
    handler: async (ctx: SkillContext): Promise<void> => {
      const answer = await ask(ctx, `hive.subscriptions.${action}`, { name: spokenName(ctx) });
      if (answer === null) return;
      ctx.speakDialog(answer[flag] === true ? dialogs[0] : dialogs[1], { name: String(answer.name) });
    },
  };
}

export const subscriptionsSkill = defineSkill({
  id: SUBSCRIPTIONS_SKILL_ID,
  className: 'SubscriptionsSkill',
  locale: { en, pt, es },
  intents: [
    membership('subscribe', 'already', ['already', 'subscribed']),
    membership('unsubscribe', 'was_subscribed', ['unsubscribed', 'not_subscribed']),
    {
      name: 'list.intent',
      handler: async (ctx) => {
        const answer = await ask(ctx, 'hive.subscriptions.list', {});
        if (answer === null) return;
        const mine = names(answer.subscribed);
        const available = names(answer.available);
        if (mine.length > 0) ctx.speakDialog('list', { names: joinList(ctx, mine) });
        else if (available.length > 0) ctx.speakDialog('list_none', { available: joinList(ctx, available) });
        else ctx.speakDialog('list_none_empty');
      },
    },
    {
      name: 'available.intent',
      handler: async (ctx) => {
        const answer = await ask(ctx, 'hive.subscriptions.list', {});
        if (answer === null) return;
        const available = names(answer.available);
        if (available.length > 0) ctx.speakDialog('available', { names: joinList(ctx, available) });
        else ctx.speakDialog('available_none');
      },
    },
  ],
});
