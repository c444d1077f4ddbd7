/**
 * The sandbox of an installed (third-party) skill: its module runs in a worker thread of its own, with a heap limit
 * (`resourceLimits`, `skillSandboxMaxHeapBytes`), an empty environment, no module outside its directory and only the
 * permissions its manifest declares (`sandbox-worker-source.ts`). The hub's assistant holds a stand-in
 * {@link SkillDefinition} whose handlers are calls into the worker.
 *
 * A watchdog pings the worker while a call is pending; when it has not answered for `skillSandboxTimeoutMs` (its
 * event loop blocked: a loop, a long computation) it is terminated and every pending call fails with
 * HL_ERR_SKILL_TIMEOUT, as it does when the worker runs out of memory or exits. The next call starts a fresh worker,
 * so a skill that loops or throws costs its own turn and never the hub's event loop.
 *
 * It is a boundary for what a skill's manifest says it does, not a proof against hostile code: signatures and trusted
 * publishers decide what is installed at all (docs/PROTOCOL.md §15.4).
 *
 * @module
 */
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type {
  FallbackDefinition,
  IntentDefinition,
  SkillContext,
  SkillDefinition,
  SkillLocale,
  StopContext,
  UtteranceInput,
} from '../assistant/skill.js';
import { HiveLinkError } from '../errors.js';
import { REQUEST_PERMISSION_PREFIX } from './bundle.js';
import { SANDBOX_WORKER_SOURCE } from './sandbox-worker-source.js';

const MiB = 1024 * 1024;
/** What a worker's load gets beyond the time limit: starting a thread may take a while on a busy machine. */
const LOAD_GRACE_MS = 2000;

/** A worker's error as it posts it. */
interface WorkerError {
  readonly message: string;
  readonly stack?: string;
  readonly code?: string;
}

/** What the worker says of the skill it loaded (functions stay in the worker). */
interface SkillDescription {
  readonly id: unknown;
  readonly className?: unknown;
  readonly locale?: Record<string, SkillLocale>;
  readonly intents: readonly { name: string; keywords?: unknown; handlerName?: unknown; handler: boolean }[];
  readonly fallback?: { priority: unknown; handlerName?: unknown; handler: boolean };
  readonly converse?: { handler: boolean };
  readonly stop: boolean;
}

/** Messages the host sends the worker. */
export type SandboxToWorker =
  | { t: 'call'; id: number; kind: CallKind; name?: string; ctx: unknown }
  | { t: 'answer'; op: number; value?: unknown; error?: string; code?: string }
  | { t: 'abort'; id: number }
  | { t: 'ping'; n: number };

/** Messages the worker sends the host. */
export type SandboxFromWorker =
  | { t: 'ready'; skill: SkillDescription }
  | { t: 'loadError'; error: WorkerError }
  | { t: 'done'; id: number; value: unknown }
  | { t: 'fail'; id: number; error: WorkerError }
  | {
      t: 'tell';
      call: number;
      kind: 'speak' | 'speakDialog' | 'storage.set' | 'storage.delete';
      args: unknown[];
    }
  | { t: 'op'; call: number; op: number; kind: 'ask' | 'request'; args: unknown[] }
  | { t: 'pong'; n: number };

type CallKind = 'intent' | 'converse' | 'converseCan' | 'fallback' | 'fallbackCan' | 'stop';

export interface SandboxInit {
  /** The skill's directory (everything it may import is inside it). */
  readonly dir: string;
  /** The entry module, absolute. */
  readonly entry: string;
  /** The manifest's permissions. */
  readonly permissions: readonly string[];
  /** `skillSandboxTimeoutMs` */
  readonly timeoutMs: number;
  /** `skillSandboxMaxHeapBytes` */
  readonly maxHeapBytes: number;
  /** A worker stopped or lost (timeout, memory, exit), for the log. */
  readonly onWorkerLost?: (error: HiveLinkError) => void;
}

interface PendingCall {
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: unknown) => void;
  readonly ctx: SkillContext | null;
  readonly signal: AbortSignal | null;
  readonly offAbort: () => void;
}

/** A worker running one skill module (restarted on demand after it was lost). */
export class SkillSandbox {
  readonly #init: SandboxInit;
  #worker: Worker | null = null;
  #ready: Promise<SkillDescription> | null = null;
  readonly #calls = new Map<number, PendingCall>();
  #serial = 0;
  #pingSerial = 0;
  #lastPong = 0;
  #watchdog: NodeJS.Timeout | null = null;
  #closed = false;
  /** Workers lost to the watchdog, memory or exits (for tests and the log). */
  lost = 0;

  constructor(init: SandboxInit) {
    this.#init = init;
  }

  /**
   * Starts the worker and loads the module; resolves with the stand-in definition the assistant registers.
   * @throws HiveLinkError HL_ERR_SKILL_LOAD (the module threw, its selfCheck failed, it is not a skill),
   *   HL_ERR_SKILL_PERMISSION (it declares a fallback or converse step its manifest does not grant, or imports what
   *   it may not), HL_ERR_SKILL_TIMEOUT (its top level loops).
   */
  async load(): Promise<SkillDefinition> {
    const description = await this.#start();
    return this.#definition(description);
  }

  /** Terminates the worker; pending calls fail. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#lose(new HiveLinkError('HL_ERR_SKILL_FAILED', 'the skill was unloaded'), false);
  }

  #start(): Promise<SkillDescription> {
    if (this.#ready !== null) return this.#ready;
    const init = this.#init;
    const heapMb = Math.max(8, Math.floor(init.maxHeapBytes / MiB));
    const worker = new Worker(SANDBOX_WORKER_SOURCE, {
      eval: true,
      env: {},
      execArgv: [],
      stdout: false,
      stderr: false,
      resourceLimits: {
        maxOldGenerationSizeMb: heapMb,
        maxYoungGenerationSizeMb: Math.max(2, Math.floor(heapMb / 8)),
        stackSizeMb: 4,
      },
      workerData: {
        entry: pathToFileURL(init.entry).href,
        root: `${pathToFileURL(init.dir).href}/`,
        permissions: [...init.permissions],
      },
    });
    worker.unref();
    this.#worker = worker;
    this.#lastPong = Date.now();
    const ready = new Promise<SkillDescription>((resolve, reject) => {
      const loading: PendingCall = {
        resolve: resolve as (v: unknown) => void,
        reject,
        ctx: null,
        signal: null,
        offAbort: () => undefined,
      };
      this.#calls.set(0, loading);
      this.#arm();
    });
    worker.on('message', (msg: SandboxFromWorker) => this.#message(worker, msg));
    worker.on('error', (err) => {
      if (this.#worker !== worker) return;
      const oom = (err as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
      void this.#lose(
        new HiveLinkError(
          oom ? 'HL_ERR_SKILL_TIMEOUT' : 'HL_ERR_SKILL_FAILED',
          oom
            ? `the skill's worker ran out of its memory limit (${heapMb} MiB) and was stopped`
            : `the skill's worker failed: ${err.message}`,
          { cause: err },
        ),
      );
    });
    worker.on('exit', (code) => {
      if (this.#worker !== worker) return;
      void this.#lose(new HiveLinkError('HL_ERR_SKILL_FAILED', `the skill's worker exited (code ${code})`));
    });
    this.#ready = ready;
    ready.catch(() => undefined);
    return ready;
  }

  #message(worker: Worker, msg: SandboxFromWorker): void {
    if (this.#worker !== worker) return;
    this.#lastPong = Date.now();
    switch (msg.t) {
      case 'pong':
        return;
      case 'ready':
        this.#settle(0, msg.skill);
        return;
      case 'loadError': {
        const code =
          msg.error.code === 'HL_ERR_SKILL_PERMISSION' ? 'HL_ERR_SKILL_PERMISSION' : 'HL_ERR_SKILL_LOAD';
        this.#settle(
          0,
          undefined,
          new HiveLinkError(code, `the module failed to load: ${msg.error.message}`, {
            cause: remoteError(msg.error),
          }),
        );
        void this.#lose(new HiveLinkError(code, 'load failed'), false);
        return;
      }
      case 'done':
        this.#settle(msg.id, msg.value);
        return;
      case 'fail':
        this.#settle(msg.id, undefined, remoteError(msg.error));
        return;
      case 'tell':
        this.#tell(msg);
        return;
      case 'op':
        void this.#op(worker, msg);
        return;
    }
  }

  #tell(msg: Extract<SandboxFromWorker, { t: 'tell' }>): void {
    const ctx = this.#calls.get(msg.call)?.ctx;
    if (ctx === null || ctx === undefined) return;
    const [a, b, c] = msg.args;
    switch (msg.kind) {
      case 'speak':
        ctx.speak(String(a), (b ?? {}) as Parameters<SkillContext['speak']>[1]);
        return;
      case 'speakDialog':
        ctx.speakDialog(String(a), (b ?? {}) as Record<string, string | number>, (c ?? {}) as never);
        return;
      case 'storage.set':
        ctx.storage.set(String(a), b);
        return;
      case 'storage.delete':
        ctx.storage.delete(String(a));
        return;
    }
  }

  async #op(worker: Worker, msg: Extract<SandboxFromWorker, { t: 'op' }>): Promise<void> {
    const ctx = this.#calls.get(msg.call)?.ctx;
    const answer = (reply: Omit<Extract<SandboxToWorker, { t: 'answer' }>, 't' | 'op'>): void => {
      if (this.#worker === worker) worker.postMessage({ t: 'answer', op: msg.op, ...reply });
    };
    if (ctx === null || ctx === undefined) {
      answer({ error: 'the call is over' });
      return;
    }
    try {
      if (msg.kind === 'ask') {
        const [question, options] = msg.args as [string, { timeoutMs?: number }];
        answer({ value: await ctx.ask(question, options) });
        return;
      }
      const [type, data, options] = msg.args as [string, Record<string, unknown>, { timeoutMs?: number }];
      if (!this.#mayRequest(type)) {
        answer({
          error: `HL_ERR_SKILL_PERMISSION: the manifest does not grant request:${type}`,
          code: 'HL_ERR_SKILL_PERMISSION',
        });
        return;
      }
      answer({ value: await ctx.request(type, data, options) });
    } catch (err) {
      answer({ error: err instanceof Error ? err.message : String(err) });
    }
  }

  #mayRequest(type: unknown): boolean {
    if (typeof type !== 'string') return false;
    return this.#init.permissions.some((p) => {
      if (!p.startsWith(REQUEST_PERMISSION_PREFIX)) return false;
      const granted = p.slice(REQUEST_PERMISSION_PREFIX.length);
      return granted.endsWith('*') ? type.startsWith(granted.slice(0, -1)) : type === granted;
    });
  }

  #settle(id: number, value: unknown, error?: unknown): void {
    const call = this.#calls.get(id);
    if (call === undefined) return;
    this.#calls.delete(id);
    call.offAbort();
    if (error === undefined) call.resolve(value);
    else call.reject(error);
    if (this.#calls.size === 0) this.#disarm();
  }

  /** The watchdog: pings while calls are pending; a worker silent for the time limit is stopped. */
  #arm(): void {
    // A pending call keeps the process alive (its answer, or the worker's end, must come); an idle worker does not.
    this.#worker?.ref();
    if (this.#watchdog !== null) return;
    const limit = this.#init.timeoutMs;
    this.#lastPong = Date.now();
    this.#watchdog = setInterval(
      () => {
        const worker = this.#worker;
        if (worker === null) return;
        const allowed = this.#calls.has(0) ? limit + LOAD_GRACE_MS : limit;
        if (Date.now() - this.#lastPong > allowed) {
          void this.#lose(
            new HiveLinkError(
              'HL_ERR_SKILL_TIMEOUT',
              `the skill's worker did not answer for ${allowed} ms (skillSandboxTimeoutMs) and was stopped`,
            ),
          );
          return;
        }
        this.#pingSerial += 1;
        worker.postMessage({ t: 'ping', n: this.#pingSerial } satisfies SandboxToWorker);
      },
      Math.max(10, Math.floor(limit / 4)),
    );
    this.#watchdog.unref();
  }

  #disarm(): void {
    this.#worker?.unref();
    if (this.#watchdog !== null) clearInterval(this.#watchdog);
    this.#watchdog = null;
  }

  async #lose(error: HiveLinkError, report = true): Promise<void> {
    const worker = this.#worker;
    this.#worker = null;
    this.#ready = null;
    this.#disarm();
    if (worker === null) return;
    if (report) {
      this.lost += 1;
      this.#init.onWorkerLost?.(error);
    }
    for (const id of [...this.#calls.keys()]) this.#settle(id, undefined, error);
    await worker.terminate();
  }

  async #call(
    kind: CallKind,
    ctx: unknown,
    name?: string,
    skillCtx: SkillContext | null = null,
  ): Promise<unknown> {
    if (this.#closed) throw new HiveLinkError('HL_ERR_SKILL_FAILED', 'the skill was unloaded');
    await this.#start();
    const worker = this.#worker;
    if (worker === null) throw new HiveLinkError('HL_ERR_SKILL_FAILED', "the skill's worker is gone");
    this.#serial += 1;
    const id = this.#serial;
    const signal = skillCtx?.signal ?? null;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        if (this.#worker === worker) worker.postMessage({ t: 'abort', id } satisfies SandboxToWorker);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#calls.set(id, {
        resolve,
        reject,
        ctx: skillCtx,
        signal,
        offAbort: () => signal?.removeEventListener('abort', onAbort),
      });
      this.#arm();
      worker.postMessage({
        t: 'call',
        id,
        kind,
        ...(name === undefined ? {} : { name }),
        ctx,
      } satisfies SandboxToWorker);
    });
  }

  /** The stand-in definition: the description's data, handlers that call the worker. */
  #definition(d: SkillDescription): SkillDefinition {
    const permissions = new Set(this.#init.permissions);
    if (d.fallback !== undefined && !permissions.has('fallback')) {
      throw new HiveLinkError(
        'HL_ERR_SKILL_PERMISSION',
        'the skill has a fallback; its manifest does not grant "fallback"',
      );
    }
    if (d.converse !== undefined && !permissions.has('converse')) {
      throw new HiveLinkError(
        'HL_ERR_SKILL_PERMISSION',
        'the skill has a converse step; its manifest does not grant "converse"',
      );
    }
    const dialogNames = new Set<string>();
    for (const res of Object.values(d.locale ?? {}))
      for (const name of Object.keys(res.dialogs ?? {})) dialogNames.add(name);
    const turn = (ctx: SkillContext) => {
      const dialogs: Record<string, readonly string[]> = {};
      for (const name of dialogNames) dialogs[name] = ctx.dialogVariants(name);
      const storage: [string, unknown][] = [];
      for (const key of ctx.storage.keys()) storage.push([key, ctx.storage.get(key)]);
      return {
        skillId: ctx.skillId,
        intent: ctx.intent,
        utterance: ctx.utterance,
        utterances: ctx.utterances,
        lang: ctx.lang,
        sessionId: ctx.sessionId,
        session: ctx.session,
        entities: ctx.entities,
        confidence: ctx.confidence,
        client: ctx.client,
        message: ctx.message,
        timezone: ctx.timezone,
        storage,
        dialogs,
        skills: ctx.skills(),
      };
    };
    const input = (i: UtteranceInput) => ({ utterances: i.utterances, lang: i.lang, sessionId: i.sessionId });
    const intents: IntentDefinition[] = d.intents.map((i) => ({
      name: i.name,
      ...(i.keywords === undefined ? {} : { keywords: i.keywords as IntentDefinition['keywords'] }),
      ...(typeof i.handlerName === 'string' ? { handlerName: i.handlerName } : {}),
      handler: (i.handler
        ? async (ctx: SkillContext) => {
            await this.#call('intent', turn(ctx), i.name, ctx);
          }
        : undefined) as IntentDefinition['handler'],
    }));
    const fallback: FallbackDefinition | undefined =
      d.fallback === undefined
        ? undefined
        : {
            priority: d.fallback.priority as number,
            ...(typeof d.fallback.handlerName === 'string' ? { handlerName: d.fallback.handlerName } : {}),
            canHandle: async (i) => (await this.#call('fallbackCan', input(i))) === true,
            handler: (d.fallback.handler
              ? async (ctx: SkillContext) =>
                  (await this.#call('fallback', turn(ctx), undefined, ctx)) === true
              : undefined) as FallbackDefinition['handler'],
          };
    return {
      id: d.id as string,
      ...(typeof d.className === 'string' ? { className: d.className } : {}),
      ...(d.locale === undefined ? {} : { locale: d.locale }),
      intents,
      ...(fallback === undefined ? {} : { fallback }),
      ...(d.converse === undefined
        ? {}
        : {
            converse: {
              canHandle: async (i: UtteranceInput) => (await this.#call('converseCan', input(i))) === true,
              handler: (d.converse.handler
                ? async (ctx: SkillContext) =>
                    (await this.#call('converse', turn(ctx), undefined, ctx)) !== false
                : undefined) as never,
            },
          }),
      ...(d.stop
        ? {
            stop: async (ctx: StopContext) =>
              (await this.#call('stop', {
                skillId: ctx.skillId,
                sessionId: ctx.sessionId,
                message: ctx.message,
              })) === true,
          }
        : {}),
    };
  }
}

function remoteError(e: WorkerError): Error {
  const err = new Error(e.message);
  if (e.stack !== undefined) err.stack = e.stack;
  if (e.code === 'HL_ERR_SKILL_PERMISSION') {
    return new HiveLinkError('HL_ERR_SKILL_PERMISSION', e.message, { cause: err });
  }
  return err;
}
