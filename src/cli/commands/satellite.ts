/**
 * `hivelink satellite --bus ws://127.0.0.1:8181/core [--url U --key K --password P] [--grace-ms 1500]`: the
 * local-first bridge ({@link Satellite}) between a local OVOS-compatible bus (a real OVOS device, or `hivelink bus` +
 * `hivelink assistant`) and a hub. The local assistant answers what it can; what it does not understand goes to the
 * hub, whose answers are spoken on the local bus. Each decision is logged on stderr ("handled locally: …" /
 * "asked hub: …" with the fallback latency).
 *
 * With `--assistant` the device is its room's full assistant (docs/PROTOCOL.md §12.3): its HELLO says so, and a
 * question the hub relays to the room ("ask the garage what time it is", from another client) is answered by the
 * local assistant, its answers sent back to the hub.
 *
 * stdout: `hivelink satellite attached to BUS` once the local bus is open, and `hivelink satellite connected to hub
 * URL` each time the hub connection opens. Runs until SIGINT/SIGTERM (exit 0). A local bus that cannot be reached at
 * start, or a hub that refuses the login (wrong password, unknown key), ends it with exit code 1 and one line; an
 * unreachable hub is retried while local answers go on.
 *
 * @module
 */
import { type Command, InvalidArgumentError } from 'commander';
import { BusClient, DEFAULT_BUS_URL } from '../../bus/index.js';
import { DEFAULT_GRACE_MS, formatSatelliteEvent, Satellite } from '../../client/satellite.js';
import type { HiveLinkError } from '../../errors.js';
import { clientFailure, describeFailure } from '../client-errors.js';
import { type ClientCommandOptions, openClient, parseSeconds, withClientOptions } from '../client-options.js';
import type { Env } from '../identity-file.js';
import { firstConnection, PROCESS_IO, type ServeIo, serveUntilSignal } from './serve.js';

/** Options of `hivelink satellite`. */
export interface SatelliteCommandOptions extends ClientCommandOptions {
  /** The local bus. @default 'ws://127.0.0.1:8181/core' */
  bus: string;
  /** @default 1500 */
  graceMs?: number;
  /** How long the hub may take to answer, in ms. @default 10000 */
  timeout?: number;
}

/** Where the command writes, and the environment it reads credentials from. */
export interface SatelliteIo extends ServeIo {
  env?: Env;
}

function parseBusUrl(value: string): string {
  if (!/^wss?:\/\/[^\s/]+/.test(value)) throw new InvalidArgumentError('must be a ws:// or wss:// URL.');
  return value;
}

function parseGraceMs(value: string): number {
  if (!/^\d{1,7}$/.test(value)) throw new InvalidArgumentError('expected a whole number of milliseconds.');
  return Number(value);
}

/**
 * Bridges the local bus and the hub until `until` resolves.
 * @throws HiveLinkError `HL_ERR_BUS_CONNECT_FAILED` when the local bus cannot be reached at start; the hub's
 *   refusal (one line) when it refuses the login
 */
export async function runSatellite(
  opts: SatelliteCommandOptions,
  io: SatelliteIo,
  until: Promise<unknown>,
): Promise<void> {
  const { client, failure } = await openClient(opts, { initialDelayMs: 1000, maxDelayMs: 30_000 }, io.env);
  const log = (line: string) => void io.err.write(`hivelink satellite: ${line}\n`);
  const local = new BusClient({ url: opts.bus, reconnectDelayMs: 1000, maxReconnectDelayMs: 30_000 });
  const satellite = new Satellite({
    bus: local,
    hub: client,
    graceMs: opts.graceMs ?? DEFAULT_GRACE_MS,
    ...(opts.timeout === undefined ? {} : { hubTimeoutMs: opts.timeout }),
    assistant: opts.assistant === true,
    onEvent: (event) => log(formatSatelliteEvent(event)),
  });
  let refuse: (error: HiveLinkError) => void = () => undefined;
  const refused = new Promise<never>((_, reject) => {
    refuse = reject;
  });
  refused.catch(() => undefined);
  const offState = client.onState((state) => {
    if (state.type === 'open') io.out.write(`hivelink satellite connected to hub ${failure.url}\n`);
    else if (state.type === 'reconnecting' && state.delayMs > 0) {
      log(
        `hub ${describeFailure(state.error, failure)}; retrying in ${(state.delayMs / 1000).toFixed(1)} s (local answers go on)`,
      );
    } else if (state.type === 'closed' && state.error !== null) {
      refuse(clientFailure(state.error, failure));
    }
  });
  let attached = false;
  const offBus = local.onState((event) => {
    if (event.type === 'reconnecting' && attached)
      log(`local bus lost; reconnecting in ${(event.delayMs / 1000).toFixed(1)} s`);
  });
  satellite.start();
  try {
    await Promise.race([firstConnection(local, opts.bus, 'the local bus'), refused]);
    attached = true;
    io.out.write(`hivelink satellite attached to ${opts.bus}\n`);
    void client.connect().catch(() => undefined);
    await Promise.race([until, refused]);
  } finally {
    satellite.stop();
    offState();
    offBus();
    client.close();
    await local.close();
  }
}

/** Adds `hivelink satellite` to `program`. */
export function registerSatelliteCommand(program: Command, io: SatelliteIo = PROCESS_IO): Command {
  return withClientOptions(
    program
      .command('satellite')
      .description(
        'bridge a local OVOS bus to a hub: the local assistant first, the hub for what it does not understand',
      )
      .option('--bus <url>', 'the local messagebus', parseBusUrl, DEFAULT_BUS_URL),
  )
    .option(
      '--grace-ms <ms>',
      `ask the hub when the local bus shows no pipeline activity at all for this long (default ${DEFAULT_GRACE_MS})`,
      parseGraceMs,
    )
    .option('--timeout <seconds>', 'how long the hub may take to answer (default 10)', parseSeconds)
    .option(
      '--assistant',
      "be the room's full assistant: answer the questions the hub relays to this room with the local assistant",
    )
    .addHelpText(
      'after',
      `
The hub is asked only when the local pipeline reports it did not understand: complete_intent_failure, or a
fallback request of the unknown-fallback skill; the grace period covers a local bus with no assistant on it.
The hub's answers are emitted on the local bus as "speak" (replies of the utterance, so they carry its session),
then "ovos.utterance.handled". Messages the hub sends on its own (a broadcast) are emitted on the local bus.
With --assistant, "ask the garage what time it is" said anywhere in the house is answered by this device's local
assistant when this device is (in) the garage (hivelink clients set ID --site garage).
Credentials as for "hivelink ask" (flags, $HIVELINK_URL/KEY/PASSWORD, or "hivelink identity set").`,
    )
    .action((opts: SatelliteCommandOptions) => serveUntilSignal((until) => runSatellite(opts, io, until)));
}
