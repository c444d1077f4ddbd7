/**
 * The embedded agent adapter: the OVOS-compatible assistant of `src/assistant` serving the hub's agent bus in this
 * process (`hivelink hub --agent embedded`, the default). The hub starts it with itself — the built-in skills, then
 * the modules of the skills dir (a broken one is reported and skipped) — and stops it after its connections are
 * closed. The assistant's limits come from the hub config, so a `limits` override in `hivelink.json` reaches it.
 *
 * @example
 * ```ts
 * const agent = embeddedAgent({ bus: new MemoryBus(), skillsDir, limits: config.limits });
 * const hub = new Hub({ config, store, identity, agent }); // hub.start() starts the assistant
 * ```
 *
 * @module
 */
import { Assistant } from '../assistant/assistant.js';
import type { MessageBus } from '../bus/types.js';
import type { HiveLinkError } from '../errors.js';
import type { Limits } from '../limits.js';
import type { Agent } from './agent.js';

/** The limits the assistant enforces. */
export type EmbeddedAgentLimit =
  | 'assistantResponseTimeoutMs'
  | 'assistantMaxSessions'
  | 'assistantMaxUtteranceWords';

export interface EmbeddedAgentInit {
  /** The agent bus the assistant listens and answers on. */
  bus: MessageBus;
  /** A directory of `.js`/`.mjs` skills loaded beside the built-ins. @default none */
  skillsDir?: string;
  /** @default the registry defaults */
  limits?: Partial<Pick<Limits, EmbeddedAgentLimit>>;
  /** Reload skills of `skillsDir` when their files change. @default false */
  watchSkillsDir?: boolean;
  /** Skill load and skill code failures. @default the assistant's: one line and the stack on stderr */
  onError?: (error: HiveLinkError) => void;
}

/** The embedded agent; `assistant` is there for what the operator is told (skills loaded, skills skipped). */
export interface EmbeddedAgent extends Agent {
  readonly assistant: Assistant;
}

/** An agent that is the embedded assistant on `init.bus`; `start` loads the skills, `stop` stops answering. */
export function embeddedAgent(init: EmbeddedAgentInit): EmbeddedAgent {
  const limits = init.limits ?? {};
  const assistant = new Assistant({
    bus: init.bus,
    ...(init.skillsDir === undefined ? {} : { skillsDir: init.skillsDir }),
    ...(init.watchSkillsDir === true ? { watchSkillsDir: true } : {}),
    ...(limits.assistantResponseTimeoutMs === undefined
      ? {}
      : { responseTimeoutMs: limits.assistantResponseTimeoutMs }),
    ...(limits.assistantMaxSessions === undefined ? {} : { maxSessions: limits.assistantMaxSessions }),
    ...(limits.assistantMaxUtteranceWords === undefined
      ? {}
      : { engine: { maxUtteranceWords: limits.assistantMaxUtteranceWords } }),
    ...(init.onError === undefined ? {} : { onError: init.onError }),
  });
  return {
    kind: 'in-process',
    bus: init.bus,
    assistant,
    start: () => assistant.start(),
    stop: () => {
      assistant.stop();
      return Promise.resolve();
    },
  };
}
