/**
 * CASCADE across the mesh (docs/PROTOCOL.md §14.5): a question that floods down and up the tree, every node answers
 * it, and the hub the question was asked of gathers the answers for `cascadeWindowMs`, then a
 * {@link CascadeSelector} picks what the asker gets (`first`, `all`, `highest` confidence, or one a program adds
 * with {@link registerCascadeSelector}).
 *
 * ```
 *  satellite ──CASCADE (route [])──▶ origin hub ── floods to its connections and up its parent links ──▶ …
 *      ▲                              │ gathers: its own agent's answers + every answer that comes back
 *      └── the selected answers ◀─────┘ (after the window, or when the selector is satisfied)
 *          then hive.query.complete {query_id, answers, gathered, selector}
 *
 *  relay hub (the CASCADE came from a child hub or down a parent link): passes it on the same way, asks its own
 *  agent, and streams every answer (its own, and those coming back from further on) to where the CASCADE came from.
 * ```
 *
 * Each answer is one CASCADE response (a wrapped BUS `speak`) with `metadata {query_id, originator_peer,
 * responder_peer, responder_node, confidence, answer_id, is_response: true}`; `confidence` is the confidence of the
 * intent the answering hub's agent matched (`data.confidence` or `data.conf` of a message of that turn), or null.
 * Floods are de-duplicated as usual (§14.4), so a node reached twice answers once; answers are de-duplicated by
 * `answer_id` at the origin.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { MessageData } from '../../bus/types.js';
import { HiveLinkError } from '../../errors.js';
import type { Limits } from '../../limits.js';
import type { JsonObject } from '../../protocol/json.js';
import type { HiveMessage } from '../../protocol/message.js';
import { unrefTimers } from '../../timers.js';
import { hubBusMessage } from '../replies.js';
import { isSpeak, queryAnswerMessage, spoken } from '../router.js';
import type { HubContext, HubPeer } from '../types.js';
import { isObject, nodeFingerprint } from './node.js';
import type { ParentLink } from './parent-link.js';

/** One node's answer to a CASCADE, as a selector sees it. */
export interface CascadeAnswer {
  /** The answering hub's name (`responder_peer`). */
  readonly responder: string;
  /** Its node fingerprint (`responder_node`), or null from a node that does not send one. */
  readonly node: string | null;
  /** What it said, in order (one entry per `speak`). */
  readonly utterances: readonly string[];
  readonly lang: string | null;
  /** The confidence of its match (0…1), or null when it gave none. */
  readonly confidence: number | null;
  /** When its first speak arrived, in ms after the CASCADE did. */
  readonly elapsedMs: number;
}

/**
 * Picks what the asker of a CASCADE gets from the gathered answers (in the order they arrived). A selector may end
 * the window early: `complete` is asked after every new answer.
 */
export interface CascadeSelector {
  /** Its name: `hive.query.complete` reports it; `metadata.selector` or the `cascadeSelector` setting choose it. */
  readonly name: string;
  select(answers: readonly CascadeAnswer[]): CascadeAnswer[];
  /** True when no later answer can change the pick: the window ends now. */
  complete?(answers: readonly CascadeAnswer[]): boolean;
}

/** The first answer to arrive; the window ends with it. */
export const firstSelector: CascadeSelector = {
  name: 'first',
  select: (answers) => answers.slice(0, 1),
  complete: (answers) => answers.length > 0,
};

/** Every answer, in arrival order. */
export const allSelector: CascadeSelector = { name: 'all', select: (answers) => [...answers] };

/** The answer of the highest confidence (an answer without one counts as 0; a tie goes to the earlier). */
export const highestSelector: CascadeSelector = {
  name: 'highest',
  select: (answers) => {
    let best: CascadeAnswer | undefined;
    for (const a of answers) if (best === undefined || (a.confidence ?? 0) > (best.confidence ?? 0)) best = a;
    return best === undefined ? [] : [best];
  },
};

const SELECTORS = new Map<string, CascadeSelector>(
  [firstSelector, allSelector, highestSelector].map((s) => [s.name, s]),
);

/** Adds (or replaces) a selector a CASCADE or the `cascadeSelector` setting may name. */
export function registerCascadeSelector(selector: CascadeSelector): void {
  if (typeof selector.name !== 'string' || !/^[a-z][a-z0-9_-]{0,31}$/.test(selector.name)) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'a cascade selector needs a name of [a-z0-9_-], 1-32');
  }
  SELECTORS.set(selector.name, selector);
}

/** The selector named `name`, or undefined. */
export function cascadeSelector(name: string): CascadeSelector | undefined {
  return SELECTORS.get(name);
}

/** The names of the selectors there are. */
export function cascadeSelectorNames(): string[] {
  return [...SELECTORS.keys()];
}

/** What the gatherer needs of the mesh. */
export interface CascadeHost {
  readonly ctx: HubContext;
  readonly limits: Limits;
  readonly logger: Logger;
  /** The selector of a CASCADE that names none (`cascadeSelector`). */
  readonly selector: CascadeSelector;
}

/** Where a CASCADE came from: a connection of this hub, or a parent link. */
type Source =
  | { readonly conn: HubPeer; readonly link?: undefined }
  | { readonly conn?: undefined; readonly link: ParentLink };

interface Gathered {
  readonly key: string;
  readonly responder: string;
  readonly node: string | null;
  readonly utterances: string[];
  readonly lang: string | null;
  confidence: number | null;
  readonly elapsedMs: number;
}

/** One CASCADE this hub passed on and asked its agent. */
interface Entry {
  readonly queryId: string;
  readonly source: Source;
  /** The peer id answers come back to (the source connection's, or the link's). */
  readonly sourcePeer: string;
  /** Asked here by a client (route []): the answers are gathered and selected here; else streamed back. */
  readonly origin: boolean;
  readonly originatorPeer: string;
  readonly selector: CascadeSelector;
  readonly startedAt: number;
  readonly gathered: Gathered[];
  readonly answerIds: Set<string>;
  /** The confidence of this hub's own match, once a message of its turn carried one. */
  confidence: number | null;
  timer: unknown;
}

function confidenceOf(data: Record<string, unknown> | undefined): number | null {
  const value = data?.confidence ?? data?.conf;
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Gathers and passes on CASCADE answers; see the module documentation. */
export class CascadeGatherer {
  readonly #host: CascadeHost;
  readonly #entries = new Map<string, Entry>();
  readonly #self: string;

  constructor(host: CascadeHost) {
    this.#host = host;
    this.#self = nodeFingerprint(host.ctx.nodeId);
  }

  /** CASCADEs followed now. */
  get size(): number {
    return this.#entries.size;
  }

  /** A CASCADE this hub accepted from its connection `conn` (the flood hook). */
  fromConnection(conn: HubPeer, message: HiveMessage): void {
    this.#open({ conn }, conn.peer, message, message.route.length === 0);
  }

  /** A CASCADE that came down `link` (the mesh service floods and asks it): its answers go back up the link. */
  fromParent(link: ParentLink, message: HiveMessage): void {
    this.#open({ link }, link.peer.peer, message, false);
  }

  /** A CASCADE answer from the connection `conn` (the flood hook); true when it belongs to a CASCADE followed here. */
  answerFromConnection(conn: HubPeer, message: HiveMessage): boolean {
    return this.#answer(conn.peer, message);
  }

  /** A CASCADE answer that came down `link`; true when it belongs to a CASCADE followed here. */
  answerFromParent(link: ParentLink, message: HiveMessage): boolean {
    return this.#answer(link.peer.peer, message);
  }

  /** The route tap: this hub's agent's messages of a CASCADE asked by `conn` are taken here, not by the router. */
  readonly routeTap = (conn: HubPeer, message: MessageData): boolean => {
    const entry = this.#entryOf(message);
    if (entry === undefined || entry.sourcePeer !== conn.peer) return false;
    this.#local(entry, message);
    return true;
  };

  /** Every agent-bus message: the turn of a CASCADE that came down a parent link (no connection to route it to). */
  agentMessage(message: MessageData): void {
    const entry = this.#entryOf(message);
    if (entry === undefined || entry.source.link === undefined) return;
    const destination = message.context?.destination;
    const to = Array.isArray(destination) ? destination : [destination];
    if (to.includes(entry.sourcePeer)) this.#local(entry, message);
  }

  /** `link` went down: what came down it is forgotten (nobody above is waiting any more). */
  linkDown(link: ParentLink): void {
    for (const entry of [...this.#entries.values()]) if (entry.source.link === link) this.#drop(entry);
  }

  stop(): void {
    for (const entry of [...this.#entries.values()]) this.#drop(entry);
  }

  #entryOf(message: MessageData): Entry | undefined {
    if (this.#entries.size === 0) return undefined;
    const queryId = message.context?.query_id;
    return typeof queryId === 'string' ? this.#entries.get(queryId) : undefined;
  }

  #open(source: Source, sourcePeer: string, message: HiveMessage, origin: boolean): void {
    const host = this.#host;
    const queryId = message.metadata.query_id as string;
    const previous = this.#entries.get(queryId);
    if (previous !== undefined) this.#drop(previous);
    while (this.#entries.size >= host.limits.maxMeshTurns) {
      const oldest = this.#entries.values().next().value;
      if (oldest === undefined) break;
      this.#end(oldest);
    }
    const named = message.metadata.selector;
    const originator = message.metadata.originator_peer;
    const entry: Entry = {
      queryId,
      source,
      sourcePeer,
      origin,
      originatorPeer: typeof originator === 'string' ? originator : sourcePeer,
      selector: (typeof named === 'string' ? cascadeSelector(named) : undefined) ?? host.selector,
      startedAt: host.ctx.now(),
      gathered: [],
      answerIds: new Set(),
      confidence: null,
      timer: null,
    };
    entry.timer = unrefTimers.setTimeout(() => this.#end(entry), host.limits.cascadeWindowMs);
    this.#entries.set(queryId, entry);
    host.logger.debug({ queryId, origin, selector: entry.selector.name }, 'mesh: cascade gathering');
  }

  /** A message of this hub's own turn for `entry`. */
  #local(entry: Entry, message: MessageData): void {
    const confidence = confidenceOf(message.data);
    if (confidence !== null) entry.confidence = Math.max(entry.confidence ?? confidence, confidence);
    if (!isSpeak(message)) return; // the match, handler messages, the end of the turn: nothing to pass on
    const { utterance, lang } = spoken(message);
    const metadata: JsonObject = {
      originator_peer: entry.originatorPeer,
      responder_peer: this.#host.ctx.config.name,
      responder_node: this.#self,
      confidence: entry.confidence,
      answer_id: randomUUID(),
    };
    this.#deliver(entry, { utterance, lang }, metadata);
  }

  #answer(fromPeer: string, message: HiveMessage): boolean {
    const entry = this.#entries.get(String(message.metadata.query_id));
    // Answers flow towards the asker: one coming from where the CASCADE came from is not for this hub.
    if (entry === undefined || entry.sourcePeer === fromPeer) return false;
    const inner = message.payload as HiveMessage;
    const bus = isObject(inner.payload) ? inner.payload : {};
    const data = isObject(bus.data) ? bus.data : {};
    const answer = {
      utterance: typeof data.utterance === 'string' ? data.utterance : '',
      lang: typeof data.lang === 'string' ? data.lang : null,
    };
    const { query_id: _id, is_response: _response, ...metadata } = message.metadata;
    this.#deliver(entry, answer, metadata);
    return true;
  }

  /** One answer (this hub's or one from further on): gathered at the origin, else passed back at once. */
  #deliver(entry: Entry, answer: { utterance: string; lang: string | null }, metadata: JsonObject): void {
    const answerId = typeof metadata.answer_id === 'string' ? metadata.answer_id : null;
    if (answerId !== null) {
      if (entry.answerIds.has(answerId)) return;
      entry.answerIds.add(answerId);
    }
    if (!entry.origin) {
      this.#send(entry, queryAnswerMessage('cascade', entry.sourcePeer, entry.queryId, answer, metadata));
      return;
    }
    const responder = typeof metadata.responder_peer === 'string' ? metadata.responder_peer : 'unknown';
    const node = typeof metadata.responder_node === 'string' ? metadata.responder_node : null;
    const key = node ?? responder;
    const confidence = typeof metadata.confidence === 'number' ? metadata.confidence : null;
    const same = entry.gathered.find((g) => g.key === key);
    if (same !== undefined) {
      same.utterances.push(answer.utterance);
      if (confidence !== null) same.confidence = Math.max(same.confidence ?? confidence, confidence);
    } else {
      entry.gathered.push({
        key,
        responder,
        node,
        utterances: [answer.utterance],
        lang: answer.lang,
        confidence,
        elapsedMs: this.#host.ctx.now() - entry.startedAt,
      });
    }
    if (entry.selector.complete?.(entry.gathered) === true) this.#end(entry);
  }

  #send(entry: Entry, message: HiveMessage): void {
    if (entry.source.link !== undefined) entry.source.link.send(message);
    else if (this.#host.ctx.peers.get(entry.sourcePeer) === entry.source.conn)
      entry.source.conn.send(message);
  }

  /** The window is over: at the origin the selector picks and the asker gets the pick and the end. */
  #end(entry: Entry): void {
    if (this.#entries.get(entry.queryId) !== entry) return;
    this.#drop(entry);
    const { ctx, logger } = this.#host;
    const conn = entry.source.conn;
    if (conn === undefined) return;
    const path = ctx.queries.find(conn, entry.queryId);
    if (path === undefined) return; // the connection closed, or its queryTimeoutMs ended it first
    ctx.queries.finish(path);
    if (!entry.origin) return; // a relay's return path ends quietly: the origin says when it is over
    const picked = entry.selector.select(entry.gathered);
    for (const answer of picked) {
      for (const utterance of answer.utterances) {
        conn.send(
          queryAnswerMessage(
            'cascade',
            conn.peer,
            entry.queryId,
            { utterance, lang: answer.lang },
            {
              originator_peer: entry.originatorPeer,
              responder_peer: answer.responder,
              responder_node: answer.node,
              confidence: answer.confidence,
              selector: entry.selector.name,
            },
          ),
        );
      }
    }
    logger.debug(
      { queryId: entry.queryId, gathered: entry.gathered.length, picked: picked.length },
      'mesh: cascade answered',
    );
    conn.send(
      picked.length > 0
        ? hubBusMessage(conn.peer, 'hive.query.complete', {
            query_id: entry.queryId,
            answers: picked.length,
            gathered: entry.gathered.length,
            selector: entry.selector.name,
          })
        : hubBusMessage(conn.peer, 'hive.query.timeout', { query_id: entry.queryId, error: 'no_answer' }),
    );
  }

  #drop(entry: Entry): void {
    unrefTimers.clearTimeout(entry.timer);
    if (this.#entries.get(entry.queryId) === entry) this.#entries.delete(entry.queryId);
  }
}
