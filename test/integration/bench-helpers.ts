/**
 * What the bench tests share: the tiny sizes of a smoke run, and an output sink.
 */
import { type BenchOptions, defaultBenchOptions } from '../../src/bench/options.js';

export const tiny: Omit<BenchOptions, 'target'> = {
  ...defaultBenchOptions(),
  protocols: ['v3', 'legacy'],
  clients: [2],
  durationS: 0.5,
  warmupS: 0.1,
  handshakes: 4,
  concurrency: 2,
  background: 1,
  backgroundRate: 10,
  idle: 6,
  satellites: 3,
  reconnectMs: 50,
  reconnectMaxMs: 200,
  stormTimeoutS: 60,
  workers: 1,
  maxClients: 4,
  fileMiB: 1,
  jobFileMiB: 1,
};

export function sink() {
  const parts: string[] = [];
  return {
    write: (s: string) => parts.push(s) > 0,
    text: () => parts.join(''),
  };
}
