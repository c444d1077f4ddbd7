/**
 * Intercom lines and consent by voice (issue 11): "intercom the garage" opens a line (what is said on one side is
 * spoken on the other, until "end intercom"), and "yes" / "no" answers the hub's question "office wants to talk to
 * you. Allow?". The skill only understands and words things: lines and consent live in the hub's house service,
 * reached with `ctx.request` over `hive.house.intercom`, `hive.house.intercom.end` and `hive.house.consent`
 * (docs/PROTOCOL.md §12.8, §12.9). While a line is open the hub takes that connection's utterances itself, so
 * "end intercom" said on a line never reaches this skill; said elsewhere, it answers that no line is open.
 *
 * @module
 */
import { defineSkill, type SkillContext } from '../../skill.js';
import { en } from './locale/en.js';
import { es } from './locale/es.js';
import { pt } from './locale/pt.js';

export const INTERCOM_SKILL_ID = 'hivelink-intercom.hivelink';

/** How long the skill waits for the hub (a store read and a few sends: quick). */
const TIMEOUT_MS = 4000;

/** The dialog of each refusal code (docs/ERRORS.md); others are spoken as `failed` with the hub's reason. */
const REFUSALS: Readonly<Record<string, string>> = {
  HL_ERR_ROOM_UNKNOWN: 'unknown_target',
  HL_ERR_ROOM_EMPTY: 'empty',
  HL_ERR_ROOM_OFFLINE: 'offline',
  HL_ERR_INTERCOM_BUSY: 'busy',
  HL_ERR_INTERCOM_LIMIT: 'too_many',
  HL_ERR_INTERCOM_NOT_OPEN: 'not_open',
  HL_ERR_CONSENT_DENIED: 'refused',
  HL_ERR_CONSENT_HELD_FULL: 'held_full',
  HL_ERR_CONSENT_NONE_PENDING: 'nobody_waiting',
};

/** Asks the hub; speaks the refusal and returns null when it does not answer or refuses. */
async function house(
  ctx: SkillContext,
  type: string,
  data: Record<string, unknown>,
  target = '',
): Promise<Record<string, unknown> | null> {
  const answer = await ctx.request(type, data, { timeoutMs: TIMEOUT_MS });
  if (answer === null) {
    ctx.speakDialog('unavailable');
    return null;
  }
  if (answer.ok === true) return answer;
  const dialog = REFUSALS[String(answer.code)];
  if (dialog !== undefined) ctx.speakDialog(dialog, { target });
  else ctx.speakDialog('failed', { reason: String(answer.error ?? answer.code ?? 'unknown error') });
  return null;
}

async function intercom(ctx: SkillContext): Promise<void> {
  const target = (ctx.entities.target ?? '').trim().replace(/^(?:the|o|a|os|as|el|la|los|las)\s+/i, '');
  const answer = await house(ctx, 'hive.house.intercom', { target }, target);
  if (answer === null) return;
  // Open: the hub itself says so on both sides; held: the called side is asked first.
  if (answer.state === 'held') ctx.speakDialog('calling', { target: String(answer.with ?? target) });
}

/** The yes or no intent: answers the question of the sender that has waited longest. */
function consent(allow: boolean) {
  return {
    name: `${allow ? 'allow' : 'deny'}.intent`,
    handler: async (ctx: SkillContext): Promise<void> => {
      const answer = await house(ctx, 'hive.house.consent', { allow });
      if (answer === null) return;
      ctx.speakDialog(allow ? 'allowed' : 'denied', { sender: String(answer.sender ?? '') });
    },
  };
}

export const intercomSkill = defineSkill({
  id: INTERCOM_SKILL_ID,
  className: 'IntercomSkill',
  locale: { en, pt, es },
  intents: [
    { name: 'intercom.intent', handler: intercom },
    {
      name: 'end_intercom.intent',
      handler: async (ctx) => {
        if ((await house(ctx, 'hive.house.intercom.end', {})) !== null) ctx.speakDialog('ended');
      },
    },
    consent(true),
    consent(false),
  ],
});
