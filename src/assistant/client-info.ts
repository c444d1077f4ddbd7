/**
 * Who sent a message, read from its context: `context.peer` is the hub's id of the connection
 * (`<useragent>::<client_id>::<name>::<session>`); the hub also sets `context.client_name` and `context.site_id`.
 *
 * @module
 */
import type { MessageData } from '../bus/types.js';
import type { ClientInfo } from './skill.js';

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/** The {@link ClientInfo} of `msg`; every field is optional. */
export function clientInfoOf(msg: MessageData): ClientInfo {
  const ctx = msg.context;
  const peer = text(ctx.peer);
  const parts = peer?.split('::') ?? [];
  const fromPeer =
    parts.length >= 3 ? { useragent: text(parts[0]), clientId: text(parts[1]), name: text(parts[2]) } : {};
  const session = ctx.session;
  const sessionSite = typeof session === 'object' && session !== null ? text(session.site_id) : undefined;
  const info: Record<string, string> = {};
  const name = text(ctx.client_name) ?? fromPeer.name;
  // OVOS's placeholder for "no site configured" is the literal "unknown": not a place to name.
  const known = (s: string | undefined) => (s === undefined || s.toLowerCase() === 'unknown' ? undefined : s);
  const site = known(text(ctx.site_id)) ?? known(sessionSite);
  if (name !== undefined) info.name = name;
  if (site !== undefined) info.site = site;
  if (peer !== undefined) info.peer = peer;
  if (fromPeer.clientId !== undefined) info.clientId = fromPeer.clientId;
  if (fromPeer.useragent !== undefined) info.useragent = fromPeer.useragent;
  return info;
}
