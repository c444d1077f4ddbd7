/**
 * The program an installed skill's worker thread runs (evaluated as a CommonJS script, so it needs no build step and
 * runs the same from `src/` and `dist/`). It:
 *
 * 1. removes what the manifest does not grant: `fetch`/`WebSocket`/`EventSource` without the `network` permission,
 *    and always `process.binding`/`process.dlopen`; its environment is empty (the host passes `env: {}`);
 * 2. registers a module resolve hook for this thread: the skill's modules may import only files inside the skill's
 *    directory — no `node:` built-in, no package;
 * 3. imports the entry, describes its default export (ids, locale, intent names; functions stay here) and runs its
 *    optional `selfCheck` export;
 * 4. serves the host's calls (`intent`, `converse`, `converseCan`, `fallback`, `fallbackCan`, `stop`) with a context
 *    whose `speak`, `ask`, `request` and storage writes are messages to the host, and answers the host's pings (the
 *    host's watchdog stops a worker whose event loop stays blocked).
 *
 * The message shapes are {@link SandboxToWorker} and {@link SandboxFromWorker} in `sandbox.ts`.
 *
 * @module
 */

/** The resolve hook, registered from a `data:` URL inside the worker. */
const HOOK_SOURCE = `
let root = null;
export async function initialize(data) { root = data.root; }
export async function resolve(specifier, context, next) {
  const parent = context.parentURL;
  if (root === null || parent === undefined || !parent.startsWith(root)) return next(specifier, context);
  if (specifier.startsWith('node:') || !/^(\\.{1,2}\\/|\\/|file:)/.test(specifier)) {
    const err = new Error('HL_ERR_SKILL_PERMISSION: the skill may not import "' + specifier + '" (only its own files)');
    err.code = 'HL_ERR_SKILL_PERMISSION';
    throw err;
  }
  const out = await next(specifier, context);
  if (!out.url.startsWith(root)) {
    const err = new Error('HL_ERR_SKILL_PERMISSION: the skill may not import "' + specifier + '" (outside its directory)');
    err.code = 'HL_ERR_SKILL_PERMISSION';
    throw err;
  }
  return out;
}
`;

export const SANDBOX_WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { register } = require('node:module');
const port = parentPort;
const permissions = new Set(workerData.permissions);
if (!permissions.has('network')) {
  for (const name of ['fetch', 'WebSocket', 'EventSource', 'Request', 'Response', 'Headers']) {
    try { delete globalThis[name]; } catch {}
  }
}
try { process.binding = undefined; process._linkedBinding = undefined; process.dlopen = undefined; } catch {}
register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOK_SOURCE)}`)}, {
  data: { root: workerData.root },
});
const describeError = (err) => ({
  message: err instanceof Error ? err.name + ': ' + err.message : String(err),
  stack: err instanceof Error ? err.stack : undefined,
  code: err && typeof err.code === 'string' ? err.code : undefined,
});
let skill = null;
const calls = new Map();
const pendingOps = new Map();
let opSerial = 0;
function op(call, kind, args) {
  return new Promise((resolve, reject) => {
    opSerial += 1;
    pendingOps.set(opSerial, { resolve, reject });
    port.postMessage({ t: 'op', call, op: opSerial, kind, args });
  });
}
function render(variants, name, vars) {
  if (!variants || variants.length === 0) return name.replace(/[_.]+/g, ' ').trim();
  const pick = variants[Math.min(variants.length - 1, Math.floor(Math.random() * variants.length))];
  return pick.replace(/\\{(\\w+)\\}/g, (whole, key) => (vars && key in vars ? String(vars[key]) : whole));
}
function context(id, c) {
  const controller = new AbortController();
  calls.set(id, controller);
  const store = new Map(c.storage);
  const tell = (kind, args) => port.postMessage({ t: 'tell', call: id, kind, args });
  return {
    skillId: c.skillId, intent: c.intent, utterance: c.utterance, utterances: c.utterances, lang: c.lang,
    sessionId: c.sessionId, session: c.session, entities: c.entities, confidence: c.confidence, client: c.client,
    message: c.message, timezone: c.timezone, signal: controller.signal,
    storage: {
      get: (key) => store.get(key),
      set: (key, value) => { store.set(key, value); tell('storage.set', [key, value]); },
      delete: (key) => { tell('storage.delete', [key]); return store.delete(key); },
      keys: () => [...store.keys()],
    },
    speak: (text, options) => tell('speak', [String(text), options ?? {}]),
    speakDialog: (name, vars, options) => tell('speakDialog', [name, vars ?? {}, options ?? {}]),
    dialog: (name, vars) => render(c.dialogs[name], name, vars),
    dialogVariants: (name) => c.dialogs[name] ?? [],
    ask: (question, options) => op(id, 'ask', [String(question), options ?? {}]),
    request: (type, data, options) => op(id, 'request', [type, data ?? {}, options ?? {}]),
    now: () => new Date(),
    skills: () => c.skills,
  };
}
async function run(msg) {
  const def = skill;
  switch (msg.kind) {
    case 'intent': {
      const intent = (def.intents || []).find((i) => i.name === msg.name);
      await intent.handler(context(msg.id, msg.ctx));
      return null;
    }
    case 'converse': return (await def.converse.handler(context(msg.id, msg.ctx))) !== false;
    case 'converseCan': return def.converse.canHandle ? (await def.converse.canHandle(msg.ctx)) === true : true;
    case 'fallback': return (await def.fallback.handler(context(msg.id, msg.ctx))) === true;
    case 'fallbackCan': return def.fallback.canHandle ? (await def.fallback.canHandle(msg.ctx)) === true : true;
    case 'stop': return (await def.stop(msg.ctx)) === true;
    default: throw new Error('unknown call ' + msg.kind);
  }
}
port.on('message', (msg) => {
  if (msg.t === 'ping') { port.postMessage({ t: 'pong', n: msg.n }); return; }
  if (msg.t === 'abort') { calls.get(msg.id)?.abort(); return; }
  if (msg.t === 'answer') {
    const p = pendingOps.get(msg.op);
    if (p === undefined) return;
    pendingOps.delete(msg.op);
    if (msg.error) { const e = new Error(msg.error); e.code = msg.code; p.reject(e); } else p.resolve(msg.value);
    return;
  }
  if (msg.t === 'call') {
    run(msg).then(
      (value) => { calls.delete(msg.id); port.postMessage({ t: 'done', id: msg.id, value }); },
      (err) => { calls.delete(msg.id); port.postMessage({ t: 'fail', id: msg.id, error: describeError(err) }); },
    );
  }
});
(async () => {
  try {
    const mod = await import(workerData.entry);
    const def = mod.default;
    if (typeof def !== 'object' || def === null) throw new Error('the module does not default-export a skill definition object');
    skill = def;
    if (typeof mod.selfCheck === 'function' && (await mod.selfCheck()) !== true) {
      throw new Error('its selfCheck() did not return true');
    }
    const intents = Array.isArray(def.intents) ? def.intents : [];
    port.postMessage({ t: 'ready', skill: {
      id: def.id,
      className: def.className,
      locale: def.locale,
      intents: intents.map((i) => ({ name: i && i.name, keywords: i && i.keywords, handlerName: i && i.handlerName,
        handler: typeof (i && i.handler) === 'function' })),
      fallback: def.fallback ? { priority: def.fallback.priority, handlerName: def.fallback.handlerName,
        handler: typeof def.fallback.handler === 'function' } : undefined,
      converse: def.converse ? { handler: typeof def.converse.handler === 'function' } : undefined,
      stop: typeof def.stop === 'function',
    } });
  } catch (err) {
    port.postMessage({ t: 'loadError', error: describeError(err) });
  }
})();
`;
