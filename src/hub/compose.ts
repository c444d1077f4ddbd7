/**
 * The composition root: everything `hivelink hub` runs — data dir and client store, agent bus, agent (embedded
 * assistant, OVOS messagebus or echo), hub, HTTP server — built from one frozen, validated {@link HubConfig}. It is
 * the one place that reads `config.limits` for the parts around the hub, so every hub-scope limit of
 * `src/limits.ts` reaches its consumer here or in the {@link Hub} (which takes the whole config);
 * `test/integration/limits-wired.test.ts` trips each of them through a hub built by this module.
 *
 * | consumer | limits |
 * |---|---|
 * | client store (`openStoreDataDir`) | `maxHistoryPerClient`, `storePoolSize` |
 * | agent bus (`MemoryBus`, `BusServer` for `busPort`, `BusClient` for `agent: 'ovos'`) | `busMax*` |
 * | embedded assistant (`agent-embedded.ts`) | `assistant*` |
 * | the house (`house/house.ts`: rooms, relays, announcements, admin command queue) | `relayAskTimeoutMs`, `maxPendingRelays`, `adminCommandTtlMs` |
 * | subscriptions (`house/subscriptions.ts`) | `maxSubscriptions`, `maxSubscribersPerSubscription`, `minSubscriptionIntervalMs` |
 * | timers, alarms and reminders (`timers/service.ts`) | `maxTimersPerClient`, `maxTimerDurationMs` |
 * | the mesh (`mesh/mesh-service.ts`: parent links, climbing, CASCADE, the map) | `maxMeshTurns`, `meshClimbTimeoutMs`, `parentReconnectDelayMs`, `cascadeWindowMs`, `meshMapWindowMs`; `maxMeshHops` also in the flood handlers |
 * | the voice path (`handlers/audio.ts`, the engines of `src/voice`) | `voiceMaxUtteranceMs`, `voiceMaxJobs`, `voiceEngineTimeoutMs`, `voiceMaxSynthBytes` |
 * | hub, its connections and handshakes; HTTP server (REST) | every other hub limit, through `config` |
 *
 * @example
 * ```ts
 * const composed = await composeHub(resolveHubConfig({ port: 0, dataDir }));
 * const { port } = await composed.start();
 * // …
 * await composed.stop();
 * ```
 *
 * @module
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import type { Assistant } from '../assistant/assistant.js';
import { MemoryBus } from '../bus/memory-bus.js';
import type { MessageBus } from '../bus/types.js';
import { BusServer } from '../bus/ws-server.js';
import { HiveLinkError } from '../errors.js';
import { HIVELINK_VERSION } from '../http/health.js';
import { createHubServer, loadTlsMaterial, type TlsMaterial } from '../http/server.js';
import { SkillService } from '../skills/service.js';
import { type DataDir, openStoreDataDir } from '../store/data-dir.js';
import type { HubIdentity } from '../store/identity.js';
import type { Timers } from '../timers.js';
import { createStt, createTts } from '../voice/engines.js';
import type { Agent } from './agent.js';
import { echoAgent } from './agent-echo.js';
import { embeddedAgent } from './agent-embedded.js';
import { ovosAgent } from './agent-ovos.js';
import { ClusterNode, leaseMs } from './cluster/cluster.js';
import { defaultNodeId } from './cluster/names.js';
import type { HubConfig } from './config.js';
import { FileService } from './files/service.js';
import { HubVoice } from './handlers/audio.js';
import { House } from './house/house.js';
import { SubscriptionAdmin } from './house/subscription-admin.js';
import { SubscriptionService } from './house/subscriptions.js';
import { Hub } from './hub.js';
import { JobService } from './jobs/service.js';
import { MESH_MAP_KIND } from './mesh/map.js';
import { MESH_STATUS_KIND, MeshService } from './mesh/mesh-service.js';
import { SealedRelay } from './relay/sealed.js';
import { TimerService } from './timers/service.js';

/** What a caller may add to the config. */
export interface ComposeOptions {
  /** @default pino at `config.logLevel`, on stderr */
  logger?: Logger;
  /** Skills for the embedded assistant. @default `<data dir>/skills`, created (0700) when missing */
  skillsDir?: string;
  /** The hub's keys. @default loaded from the data dir (created on first use; RSA-2048 is slow, so tests share one) */
  identity?: HubIdentity;
  /** The timers and clock subscriptions tick on (tests move time by hand). @default unref'd timers, Date.now */
  subscriptionClock?: { timers: Timers; now: () => number };
  /** The timers and clock of the timer service (tests move time by hand). @default unref'd timers, Date.now */
  timerClock?: { timers: Timers; now: () => number };
  /** The hub's clock in ms (rate limits, failure budgets, query paths, records). @default Date.now */
  now?: () => number;
  /** Modules of more job kinds (`defineJob` default exports), beside the built-in ones. @default none */
  jobKinds?: readonly (string | URL)[];
}

/** Where a started hub listens. */
export interface StartedHub {
  /** The port of the websocket and HTTP server (the real one when `config.port` is 0). */
  readonly port: number;
  /** `wss` with TLS, else `ws`. */
  readonly scheme: 'ws' | 'wss';
  /** The port of the agent bus served on 127.0.0.1 (`config.busPort`), or null. */
  readonly busPort: number | null;
}

/** A hub and everything around it, built and not yet started. */
export interface ComposedHub {
  readonly config: HubConfig;
  /** The data dir and its client store (opened with `maxHistoryPerClient`). */
  readonly data: DataDir;
  readonly hub: Hub;
  /** Timers, alarms and reminders: stored per client, spoken on its satellite (or its room) when they fire. */
  readonly timers: TimerService;
  /** Relay mode: the end-to-end key directory and sealed messages (`relay/sealed.ts`; the mailbox's `setOffline`). */
  readonly relay: SealedRelay;
  /** Subscriptions ("newsletters"): scheduled ticks, and the clients' subscribe requests on the agent bus. */
  readonly subscriptions: SubscriptionService;
  /** The mesh: the links to the parent hubs (`config.parents`), climbing, floods up and down (`mesh/`). */
  readonly mesh: MeshService;
  /** Speech in and out (`config.voice`: `--stt`, `--tts`), or null when the hub has no engine. */
  readonly voice: HubVoice | null;
  /** Files on the hub: chunked, resumable transfers and HiveMind FILEs (`files/`, `<data dir>/files`). */
  readonly files: FileService;
  /** Jobs: stored, run in worker threads under limits, with progress and results (`jobs/`). */
  readonly jobs: JobService;
  /** This hub as a node of a cluster (`config.cluster`, `cluster/`), else null. */
  readonly cluster: ClusterNode | null;
  /** Installed signed skills and their flow down the mesh (`skills/service.ts`), with the embedded assistant; else null. */
  readonly skills: SkillService | null;
  readonly agent: Agent;
  /** The agent bus: the hub injects client messages here and routes every message it sees. */
  readonly bus: MessageBus;
  /** The embedded assistant (`agent: 'embedded'`), else null. */
  readonly assistant: Assistant | null;
  /** The skills dir the embedded assistant loads (`agent: 'embedded'`), else null. */
  readonly skillsDir: string | null;
  /** The agent bus served as an OVOS messagebus (`busPort`), else null. */
  readonly busServer: BusServer | null;
  /** The HTTP server: health, REST, chat page, and the websocket upgrade at `/`. */
  readonly app: FastifyInstance;
  readonly tls: TlsMaterial | null;
  /**
   * Starts the bus server, the hub (and with it the agent) and listens on `config.host`/`config.port`. On a failure
   * everything is stopped again and the error rethrown.
   */
  start(): Promise<StartedHub>;
  /**
   * Closes every connection with 1001 (the hub, then the agent), the HTTP server, the bus server and the data dir, in
   * that order: the HTTP server's close waits for open sockets, so the hub closes them first. Safe to call twice.
   */
  stop(): Promise<void>;
}

interface AgentParts {
  agent: Agent;
  assistant: Assistant | null;
  skillsDir: string | null;
  busServer: BusServer | null;
}

/** The agent the config asks for, on a bus built with the config's bus limits. */
function composeAgent(
  config: HubConfig,
  dataDir: string,
  logger: Logger,
  options: ComposeOptions,
): AgentParts {
  const limits = config.limits;
  if (config.agent === 'ovos') {
    return {
      agent: ovosAgent({ url: config.ovosUrl, logger, limits }),
      assistant: null,
      skillsDir: null,
      busServer: null,
    };
  }
  const busServer =
    config.busPort === null
      ? null
      : new BusServer({
          host: '127.0.0.1',
          port: config.busPort,
          maxMessageBytes: limits.busMaxMessageBytes,
          maxBufferedBytes: limits.busMaxBufferedBytes,
          maxPendingMessages: limits.busMaxPendingMessages,
        });
  const bus = busServer?.localBus() ?? new MemoryBus({ maxPending: limits.busMaxPendingMessages });
  if (config.agent === 'echo') return { agent: echoAgent(bus), assistant: null, skillsDir: null, busServer };
  // Skills dropped in <data dir>/skills (or --skills-dir) load beside the built-ins; a broken one is reported and
  // skipped while the others keep working.
  const skillsDir = options.skillsDir ?? join(dataDir, 'skills');
  if (options.skillsDir === undefined) mkdirSync(skillsDir, { recursive: true, mode: 0o700 });
  // Skill files reload when they change (no restart), and a skill's failure is logged with its stack.
  const agent = embeddedAgent({
    bus,
    skillsDir,
    limits,
    watchSkillsDir: true,
    onError: (err) => {
      const cause = err.cause instanceof Error ? err.cause : undefined;
      logger.warn({ code: err.code, ...(cause === undefined ? {} : { err: cause }) }, err.message);
    },
  });
  return { agent, assistant: agent.assistant, skillsDir, busServer };
}

/**
 * Builds the hub of `config` (its `dataDir` resolved): opens the data dir, loads the identity and the TLS material,
 * builds the agent and its bus, the hub and the HTTP server. Nothing listens until `start()`.
 *
 * @throws HiveLinkError `HL_ERR_INVALID_ARGUMENT` without a data dir or for unreadable TLS files,
 *   `HL_ERR_STORE_UNAVAILABLE` when the data dir cannot be used; the data dir is closed again on any failure.
 */
export async function composeHub(config: HubConfig, options: ComposeOptions = {}): Promise<ComposedHub> {
  const dataDir = config.dataDir;
  if (dataDir === null) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'the hub config has no data dir; resolve it first');
  }
  const limits = config.limits;
  const logger = options.logger ?? pino({ level: config.logLevel }, pino.destination(2));
  const data = await openStoreDataDir(dataDir, {
    maxHistoryPerClient: limits.maxHistoryPerClient,
    secretsKeyFile: config.secretsKeyFile,
    store: config.store,
    poolSize: limits.storePoolSize,
  });
  try {
    const identity = options.identity ?? data.loadIdentity();
    const tls = await loadTlsMaterial(config, dataDir);
    const parts = composeAgent(config, dataDir, logger, options);
    const hub = new Hub({
      config,
      store: data.store,
      identity,
      agent: parts.agent,
      logger,
      ...(options.now === undefined ? {} : { now: options.now }),
    });
    // A node of a cluster (--cluster): joins before the services that route across it or claim due items.
    const cluster = composeCluster(config, hub, data, logger, () => app);
    // The house (rooms, relayed orders, announcements, the admin command queue) starts and stops with the hub.
    const house = new House({ hub, store: data.store, limits });
    hub.use(house);
    if (cluster !== null) house.adminQueue.setClaim((key) => cluster.claim(key));
    // Relay mode (sealed messages, the end-to-end key directory); signed messages pass the house's consent.
    const relay = new SealedRelay({ hub, store: data.store, limits, consent: house.consent });
    hub.use(relay);
    // A sealed message for an offline client waits in its mailbox (RENDEZVOUS), handed out when it connects.
    const mailbox = hub.ctx.mailbox;
    if (mailbox !== undefined) {
      relay.setOffline(async (recipientId, envelope) =>
        (await mailbox.deposit(recipientId, 'sealed', envelope)).ok ? 'deposited' : 'refused',
      );
    }
    // Files: chunked, resumable transfers under a per-client quota, in <data dir>/files (issue 15).
    const files = new FileService({ hub, store: data.store, dataDir, limits });
    hub.use(files);
    // Jobs (speak, transcribe, image, archive, and kinds skills register), in worker threads under limits.
    const jobs = new JobService({
      bus: parts.agent.bus,
      peers: hub.ctx.peers,
      store: data.store,
      files,
      fileRecord: (id) => data.store.files.get(id),
      dataDir,
      limits,
      logger,
      ...(options.jobKinds === undefined ? {} : { kinds: options.jobKinds }),
      ...(options.now === undefined ? {} : { now: options.now }),
    });
    hub.use(jobs);
    // The mesh (parent links, climbing, floods up and down); `hivelink mesh status` asks it through the admin queue.
    const mesh = new MeshService({
      ctx: hub.ctx,
      config,
      logger,
      keysFile: join(dataDir, 'mesh-keys.json'),
      ...(options.now === undefined ? {} : { now: options.now }),
    });
    hub.use(mesh);
    // Sealed messages to clients of other hubs go across the mesh's links (docs/PROTOCOL.md §13, relay hops).
    relay.attachMesh(mesh.links);
    house.adminQueue.register(MESH_STATUS_KIND, async () => ({ ...mesh.status() }));
    house.adminQueue.register(MESH_MAP_KIND, async () => ({ ...(await mesh.map()) }));
    hub.healthDetails.set('parents', () => mesh.status().parents);
    // Installed skill bundles (sandboxed), `hivelink skills install|publish|list`, and skills flowing down the mesh.
    const skills =
      parts.assistant === null || parts.skillsDir === null
        ? null
        : new SkillService({
            hub,
            assistant: parts.assistant,
            skillsDir: parts.skillsDir,
            dataDir,
            limits,
            logger,
            acceptFrom: config.acceptSkillsFrom,
            links: () => mesh.links,
          });
    if (skills !== null) {
      hub.use(skills);
      for (const [kind, handler] of skills.adminCommands()) house.adminQueue.register(kind, handler);
    }
    // Timers, alarms and reminders: loaded and armed before clients connect, disarmed before they are closed.
    const timers = new TimerService({
      bus: parts.agent.bus,
      store: data.store,
      peers: hub.ctx.peers,
      limits,
      logger,
      ...options.timerClock,
    });
    hub.use(timers);
    if (cluster !== null) {
      // Timers fire once in the cluster (at least once when a node dies), and a node that leaves leaves its timers
      // to the others; a held timer is said when its owner connects to any node.
      timers.setClaim((key) => cluster.claim(key), leaseMs(cluster.ttlMs));
      cluster.onNodeLeft(() => void timers.adopt());
      cluster.onElsewhereChanged(() => timers.elsewhereChanged());
    }
    // REST changes to subscriptions reach the scheduler before they are answered (the service's reload).
    const subscriptionAdmin = new SubscriptionAdmin({
      store: data.store,
      limits,
      changed: () => subscriptions.reload(),
    });
    const app = await createHubServer({
      hub,
      config,
      logger,
      tls,
      house,
      subscriptions: subscriptionAdmin,
      jobs,
      // The admin page's: the clients, and the skills a block may name.
      admin: {
        clients: data.store,
        pairings: data.store.pairings,
        ...(skills === null ? {} : { skills: () => skills.list() }),
      },
    });
    const subscriptions = new SubscriptionService({
      store: data.store.subscriptions,
      watch: (callback, intervalMs) => data.store.watch(callback, intervalMs),
      bus: parts.agent.bus,
      peers: hub.ctx.peers,
      onPeersChanged: (listener) => hub.onPeersChanged(listener),
      limits,
      logger,
      ...options.subscriptionClock,
    });
    hub.use(subscriptions);
    const voice = composeVoice(config, hub, parts.assistant, logger);
    return {
      ...assemble(config, data, hub, app, tls, parts, subscriptions, timers),
      cluster,
      voice,
      relay,
      mesh,
      skills,
      files,
      jobs,
    };
  } catch (err) {
    await data.close();
    throw err;
  }
}

/** The speech path when `config.voice` names an engine: audio in (BINARY, bus forms) and spoken answers out. */
function composeVoice(
  config: HubConfig,
  hub: Hub,
  assistant: Assistant | null,
  logger: Logger,
): HubVoice | null {
  const { voice, limits } = config;
  if (voice.stt === null && voice.tts === null) return null;
  const engineLimits = { timeoutMs: limits.voiceEngineTimeoutMs, maxOutputBytes: limits.voiceMaxSynthBytes };
  const service = new HubVoice({
    ctx: hub.ctx,
    policy: hub.policy,
    stt: voice.stt === null ? null : createStt(voice.stt, engineLimits),
    tts:
      voice.tts === null
        ? null
        : createTts(voice.tts, engineLimits, {
            voice: voice.ttsVoice ?? undefined,
            rate: voice.ttsRate ?? undefined,
          }),
    limits,
    settings: { vadSilenceMs: voice.vadSilenceMs, sttModel: voice.sttModel },
    assistant,
    logger,
  });
  hub.use(service);
  return service;
}

/** The hub as a node of `config.cluster` (NATS), or null for a single hub. */
function composeCluster(
  config: HubConfig,
  hub: Hub,
  data: DataDir,
  logger: Logger,
  app: () => FastifyInstance,
): ClusterNode | null {
  const cluster = config.cluster;
  if (cluster === null) return null;
  const node = new ClusterNode({
    url: cluster.url,
    nodeId: cluster.nodeId ?? defaultNodeId(),
    prefix: cluster.prefix,
    ttlMs: cluster.ttlMs,
    version: HIVELINK_VERSION,
    ctx: hub.ctx,
    store: data.store,
    logger,
    onPeersChanged: (listener) => hub.onPeersChanged(listener),
    publicUrl: () => {
      const address = app().server.address();
      if (address === null || typeof address === 'string') return null;
      const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
      return `${config.tls === null ? 'ws' : 'wss'}://${host}:${address.port}`;
    },
  });
  hub.use(node);
  return node;
}

function assemble(
  config: HubConfig,
  data: DataDir,
  hub: Hub,
  app: FastifyInstance,
  tls: TlsMaterial | null,
  parts: AgentParts,
  subscriptions: SubscriptionService,
  timers: TimerService,
): Omit<ComposedHub, 'relay' | 'mesh' | 'skills' | 'files' | 'jobs' | 'cluster' | 'voice'> {
  const { agent, assistant, skillsDir, busServer } = parts;
  let started = false;
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await hub.stop();
      await app.close();
      await busServer?.stop();
      await data.close();
    })();
    return stopping;
  };
  return {
    config,
    data,
    hub,
    subscriptions,
    timers,
    agent,
    bus: agent.bus,
    assistant,
    skillsDir,
    busServer,
    app,
    tls,
    async start() {
      if (started || stopping !== null) {
        throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'the composed hub was already started');
      }
      started = true;
      try {
        const busPort = busServer === null ? null : (await busServer.start()).port;
        await hub.start();
        await app.listen({ host: config.host, port: config.port });
        const port = (app.server.address() as AddressInfo).port;
        return { port, scheme: tls === null ? 'ws' : 'wss', busPort };
      } catch (err) {
        await stop();
        throw err;
      }
    },
    stop,
  };
}
