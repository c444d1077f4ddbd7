/**
 * `hivelink inbox [--json] [--wait MS]`: the sealed messages (relay mode, docs/PROTOCOL.md §13) for this machine's
 * identity. It connects, takes what waited in the hub's mailbox while it was offline (§5.5), and with `--wait` also
 * what arrives while it stays connected (until the time is up, or SIGINT/SIGTERM); each message is opened and checked
 * here, printed, and only then acknowledged, so the hub hands it out again only if it was never printed. One line per
 * message (`alice: hello`, `anonymous: hello`), or with `--json` one JSON object per line: `id`, `kind`, `text`,
 * `sender` (null when anonymous), `sender_id`, `sender_fingerprint`, `anonymous`, `reply`, `sent_at`,
 * `received_at`, `via` (`mailbox` | `live`). A message this client refuses (a bad signature, tampered, replayed) is
 * one line on stderr with its code. Running it also publishes this client's end-to-end keys, so others can write to
 * it.
 *
 * @module
 */
import type { Command } from 'commander';
import type { PrivateMessage, PrivateRefusal } from '../../client/sealed.js';
import { type CliWriter, parsePositiveInt } from '../admin.js';
import { clientFailure } from '../client-errors.js';
import { type ClientCommandOptions, openClient, withClientOptions } from '../client-options.js';
import type { Env } from '../identity-file.js';
import { privateJson, privateLine } from '../private-messages.js';
import { untilSignal } from '../signals.js';
import { CONNECT_TIMEOUT_MS } from './ask.js';

/** Options of `hivelink inbox`. */
export interface InboxCommandOptions extends ClientCommandOptions {
  /** One JSON object per line. @default false */
  json?: boolean;
  /** Stay connected this long (ms) for messages arriving live. @default 0: only what waits in the mailbox */
  wait?: number;
}

/** Where `inbox` writes, and the environment it reads credentials from. */
export interface InboxIo {
  out: CliWriter;
  err: CliWriter;
  env?: Env;
  /** Ends a `--wait` early. @default SIGINT or SIGTERM */
  stop?: Promise<unknown>;
}

/**
 * Prints the messages waiting and (with `wait`) arriving, acknowledging each once printed; resolves with them.
 * @throws HiveLinkError the connection failure (one line)
 */
export async function runInbox(opts: InboxCommandOptions, io: InboxIo): Promise<PrivateMessage[]> {
  const { client, failure } = await openClient(opts, { enabled: false }, io.env);
  const got: PrivateMessage[] = [];
  client.onPrivate((m) => {
    got.push(m);
    io.out.write(
      opts.json === true ? `${JSON.stringify(privateJson(m, Date.now()))}\n` : `${privateLine(m)}\n`,
    );
  });
  client.onPrivateRefused((r: PrivateRefusal) => {
    io.err.write(`hivelink: refused a sealed message (${r.error.code}): ${r.error.message}\n`);
  });
  const signals = io.stop === undefined ? untilSignal() : null;
  try {
    await client.connect({ timeoutMs: CONNECT_TIMEOUT_MS });
    await client.collectMail();
    const waitMs = opts.wait ?? 0;
    if (waitMs > 0) {
      io.err.write(`[connected; waiting ${waitMs} ms for messages]\n`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        new Promise((resolve) => {
          timer = setTimeout(resolve, waitMs);
        }),
        io.stop ?? signals!.signalled,
      ]);
      clearTimeout(timer);
      await client.collectMail(); // and acknowledge what came in the meantime
    }
    await client.sealed.settled();
  } catch (err) {
    throw clientFailure(err, failure);
  } finally {
    signals?.dispose();
    client.close();
  }
  if (got.length === 0 && opts.json !== true) io.out.write('No messages.\n');
  return got;
}

/** Adds `hivelink inbox` to `program`. */
export function registerInboxCommand(
  program: Command,
  io: InboxIo = { out: process.stdout, err: process.stderr },
): Command {
  return withClientOptions(
    program
      .command('inbox')
      .description('print the sealed private messages for this client, and acknowledge them'),
  )
    .option('--json', 'one JSON object per message and line (id, text, sender, received_at, …)')
    .option(
      '--wait <ms>',
      'stay connected this long for messages arriving live (default 0)',
      parsePositiveInt,
    )
    .addHelpText(
      'after',
      `
Messages that came while this client was offline wait in the hub's mailbox (7 days by default); inbox takes them,
prints each and then acknowledges it, so each is printed once. The hub never sees what they say. Credentials as for
"hivelink ask". Exit codes: 0 (also when there are no messages), 1 no connection (one line on stderr), 2 usage.`,
    )
    .action(async (opts: InboxCommandOptions) => {
      await runInbox(opts, io);
    });
}
