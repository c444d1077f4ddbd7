/**
 * A conference line as a client reads it (docs/PROTOCOL.md §12.10): the hub speaks what one member of a room in
 * conference mode said to the others as a BUS `speak` ("kitchen-tablet says: hello") whose `data.meta` names the
 * room, the speaker and the words, so a chat can show who said what (`hivelink chat` prints `kitchen-tablet: hello`,
 * the browser page shows the name beside the line). Shared by the terminal chat and the browser page.
 *
 * @module
 */
import type { TurnMessage } from './turn.js';

/** One line of a conference. */
export interface ConferenceLine {
  /** The room in conference. */
  readonly room: string;
  /** The client name of who said it. */
  readonly speaker: string;
  /** What it said. */
  readonly text: string;
}

/** The conference line `message` carries, or null for any other message. */
export function conferenceLine(message: TurnMessage): ConferenceLine | null {
  if (message.type !== 'speak') return null;
  const meta = message.data?.meta;
  if (typeof meta !== 'object' || meta === null) return null;
  const { conference, speaker, text } = meta as Record<string, unknown>;
  if (typeof conference !== 'string' || typeof speaker !== 'string' || typeof text !== 'string') return null;
  return { room: conference, speaker, text };
}
