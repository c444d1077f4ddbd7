/**
 * Dialogue state per session, keyed by `session_id`: which skills are active (converse order), which skill waits
 * for an answer, and each skill's per-session storage. Sessions never share state. The store is bounded: the least
 * recently used session goes first when it is full.
 *
 * OVOS carries this state inside `context.session`; clients send it back with their next utterance. The assistant
 * merges what the client sends with what it remembers, so dialogue works whether or not a client echoes the session.
 *
 * @module
 */
import type { SessionData } from '../bus/types.js';

/** Seconds an activation lasts (OVOS `skills.converse.timeout`). */
export const ACTIVE_SKILL_TIMEOUT_S = 300;

/** The state of one session. */
export interface SessionState {
  readonly id: string;
  /** `[skill_id, unix seconds]`, most recent first. */
  activeSkills: [string, number][];
  /** Skill id → key → value. */
  readonly storage: Map<string, Map<string, unknown>>;
}

/** Options of {@link SessionStore}. */
export interface SessionStoreInit {
  /** Most sessions remembered. @default 10000 */
  maxSessions?: number;
  /** Current time in ms. @default Date.now */
  now?: () => number;
}

/** Dialogue state of every session the assistant has seen. */
export class SessionStore {
  readonly #sessions = new Map<string, SessionState>();
  readonly #max: number;
  readonly #now: () => number;

  constructor(init: SessionStoreInit = {}) {
    this.#max = init.maxSessions ?? 10000;
    this.#now = init.now ?? Date.now;
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** The state of session `id`, created when new; marks it most recently used. */
  get(id: string): SessionState {
    let state = this.#sessions.get(id);
    if (state === undefined) {
      state = { id, activeSkills: [], storage: new Map() };
      while (this.#sessions.size >= this.#max) {
        const oldest = this.#sessions.keys().next().value;
        if (oldest === undefined) break;
        this.#sessions.delete(oldest);
      }
    } else {
      this.#sessions.delete(id);
    }
    this.#sessions.set(id, state);
    return state;
  }

  /**
   * The state of `incoming.session_id`, with the client's `active_skills` merged in (the newest timestamp of each
   * skill wins) and expired activations dropped.
   */
  merge(incoming: SessionData): SessionState {
    const state = this.get(incoming.session_id);
    const byId = new Map<string, number>();
    const sources: unknown[] = [
      ...state.activeSkills,
      ...(Array.isArray(incoming.active_skills) ? incoming.active_skills : []),
    ];
    for (const entry of sources) {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string' || typeof entry[1] !== 'number') continue;
      const ts = entry[1];
      if (!Number.isFinite(ts)) continue;
      if ((byId.get(entry[0]) ?? Number.NEGATIVE_INFINITY) < ts) byId.set(entry[0], ts);
    }
    const cutoff = this.#now() / 1000 - ACTIVE_SKILL_TIMEOUT_S;
    state.activeSkills = [...byId.entries()].filter(([, ts]) => ts >= cutoff).sort((a, b) => b[1] - a[1]);
    return state;
  }

  /** Puts `skillId` first in the session's active skills. */
  activate(state: SessionState, skillId: string): void {
    state.activeSkills = [
      [skillId, this.#now() / 1000],
      ...state.activeSkills.filter(([id]) => id !== skillId),
    ];
  }

  /** Storage of `skillId` in `state`. */
  storage(state: SessionState, skillId: string): Map<string, unknown> {
    let map = state.storage.get(skillId);
    if (map === undefined) {
      map = new Map();
      state.storage.set(skillId, map);
    }
    return map;
  }
}
