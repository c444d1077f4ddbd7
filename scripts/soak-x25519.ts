// Soak of the node:crypto X25519 path (issue 10: on Node 20, keys from generateKeyPairSync exported as JWK froze the
// process at a random point, after 4 000 to 96 000 key pairs, when a GC ran inside the export). Makes key pairs,
// then runs complete in-process v3 handshakes (XXpsk2, both suites, a fixed hub static key and a fresh client one
// each time, as a hub sees them), forcing a full GC every --gc-every operations (0: never), and prints rate and
// duration. A deadlock shows as a run that never prints its last line; the unit test runs a short soak in a child
// process with a time limit so that it fails instead of hanging.
//
// The freeze needs a GC that starts inside an allocation, so run with a small young generation as well: forced GCs
// alone rather hide it (they collect at a safe point). With both, the old key path froze within 30 000 key pairs.
//
//   node --expose-gc --max-semi-space-size=1 --import tsx scripts/soak-x25519.ts \
//     [--keypairs 1000000] [--handshakes 200000] [--gc-every 1000]
import { parseArgs } from 'node:util';
import { nodeBackend } from '../src/crypto/backend.node.js';
import { NOISE_SUITES, NoiseHandshake, type NoiseSuite } from '../src/crypto/noise/index.js';

const { values } = parseArgs({
  options: {
    keypairs: { type: 'string', default: '1000000' },
    handshakes: { type: 'string', default: '200000' },
    'gc-every': { type: 'string', default: '1000' },
    quiet: { type: 'boolean', default: false },
  },
});
const keypairs = Number(values.keypairs);
const handshakes = Number(values.handshakes);
const gcEvery = Number(values['gc-every']);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  console.error('run with node --expose-gc: the soak forces garbage collections');
  process.exit(2);
}
const progressEvery = Math.max(1, Math.floor(Math.max(keypairs, handshakes) / 10));
const say = (line: string): void => {
  if (!values.quiet) console.log(line);
};

function handshake(suite: NoiseSuite, hubStatic: ReturnType<typeof nodeBackend.x25519KeyPair>): void {
  const common = { pattern: 'XXpsk2' as const, suite, prologue: new Uint8Array(0), psk: new Uint8Array(32) };
  const client = new NoiseHandshake(nodeBackend, {
    ...common,
    role: 'initiator',
    staticKeyPair: nodeBackend.x25519KeyPair(),
  });
  const hub = new NoiseHandshake(nodeBackend, { ...common, role: 'responder', staticKeyPair: hubStatic });
  hub.readMessage(client.writeMessage(new Uint8Array(0)));
  client.readMessage(hub.writeMessage(new Uint8Array(0)));
  hub.readMessage(client.writeMessage(new Uint8Array(0)));
  const c = client.split();
  const h = hub.split();
  const ping = new Uint8Array([1, 2, 3]);
  const got = h.receive.decrypt(c.send.encrypt(ping));
  if (got.length !== 3 || got[2] !== 3) throw new Error('transport ciphers of a handshake disagree');
}

/** Runs `op` `n` times with a forced GC every `gcEvery`; returns the elapsed milliseconds. */
function phase(name: string, n: number, op: (i: number) => void): number {
  let gcs = 0;
  const t0 = performance.now();
  for (let i = 1; i <= n; i++) {
    op(i);
    if (gcEvery > 0 && i % gcEvery === 0) {
      gc!();
      gcs++;
    }
    if (i % progressEvery === 0) say(`  ${name}: ${i} (${Math.round(performance.now() - t0)} ms)`);
  }
  const ms = performance.now() - t0;
  console.log(
    `${name}: ${n} in ${(ms / 1000).toFixed(1)} s, ${Math.round((n / ms) * 1000)}/s, ${gcs} forced GCs`,
  );
  return ms;
}

console.log(
  `soak-x25519 on Node ${process.version}: forced GC every ${gcEvery || 'never'} operations; flags ${process.execArgv.join(' ')}`,
);
const start = performance.now();
let check = 0;
phase('keypairs', keypairs, () => {
  check ^= nodeBackend.x25519KeyPair().publicKey[0]!;
});
const hubStatic = nodeBackend.x25519KeyPair();
phase('handshakes', handshakes, (i) => handshake(NOISE_SUITES[i % NOISE_SUITES.length]!, hubStatic));
console.log(`soak-x25519 done in ${((performance.now() - start) / 1000).toFixed(1)} s (check ${check})`);
