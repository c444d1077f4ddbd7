/**
 * argon2id off the event loop. hash-wasm computes argon2id synchronously inside WebAssembly (about half a second
 * for the v3 PSK's 64 MiB), which would stall every connection of the hub; so the hub runs it in a short-lived
 * worker thread. The result is cached by the caller (one derivation per client).
 *
 * @module
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Argon2idParams, CryptoBackend } from '../crypto/backend.js';
import { checkArgon2id } from '../crypto/backend-checks.js';
import { HiveLinkError } from '../errors.js';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { argon2id } = require(workerData.module);
argon2id({
  password: workerData.password,
  salt: workerData.salt,
  iterations: workerData.params.timeCost,
  memorySize: workerData.params.memoryKiB,
  parallelism: workerData.params.parallelism,
  hashLength: workerData.params.hashLength,
  outputType: 'binary',
}).then(
  (out) => parentPort.postMessage({ ok: true, out }),
  (err) => parentPort.postMessage({ ok: false, message: String(err && err.message) }),
);
`;

let hashWasmPath: string | null = null;

/** argon2id (v1.3) computed in a worker thread. */
export async function argon2idOffThread(
  password: Uint8Array,
  salt: Uint8Array,
  params: Argon2idParams,
): Promise<Uint8Array> {
  checkArgon2id(password, salt, params);
  hashWasmPath ??= createRequire(import.meta.url).resolve('hash-wasm');
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { module: hashWasmPath, password, salt, params: { ...params } },
    });
    let settled = false;
    worker.once('message', (msg: { ok: boolean; out?: Uint8Array; message?: string }) => {
      settled = true;
      if (msg.ok && msg.out instanceof Uint8Array) resolve(new Uint8Array(msg.out));
      else
        reject(new HiveLinkError('HL_ERR_PSK_DERIVATION', `argon2id failed: ${msg.message ?? 'no result'}`));
      void worker.terminate();
    });
    worker.once('error', (err) => {
      if (settled) return;
      settled = true;
      reject(new HiveLinkError('HL_ERR_PSK_DERIVATION', 'argon2id worker failed', { cause: err }));
    });
    worker.once('exit', (code) => {
      if (settled) return;
      settled = true;
      reject(new HiveLinkError('HL_ERR_PSK_DERIVATION', `argon2id worker exited with ${code}`));
    });
  });
}

/** `backend` with its argon2id moved to a worker thread. */
export function withOffThreadArgon2id(backend: CryptoBackend): CryptoBackend {
  return { ...backend, argon2id: argon2idOffThread };
}
