/**
 * `hivelink send --to CLIENT|ROOM [--anonymous] [--json] "text"`: one sealed message (relay mode, docs/PROTOCOL.md
 * §13) with this machine's identity: sealed to the recipient's end-to-end key, which the hub's directory gives, so
 * the hub relays what it cannot read. Signed by this client (the recipient learns who wrote), or `--anonymous`
 * (only the hub's audit log knows). A ROOM is every other client of that room that published keys. An offline
 * recipient finds the message in the hub's mailbox when it next connects (`hivelink inbox`). Connects once, like
 * `hivelink ask`, with the same credential flags.
 *
 * @module
 */
import { type Command, InvalidArgumentError } from 'commander';
import { HiveLinkError } from '../../errors.js';
import type { CliWriter } from '../admin.js';
import { clientFailure } from '../client-errors.js';
import { type ClientCommandOptions, openClient, withClientOptions } from '../client-options.js';
import type { Env } from '../identity-file.js';
import { accepted, outcomeLine, type SendOutcome, sendToAll } from '../private-messages.js';
import { CONNECT_TIMEOUT_MS } from './ask.js';

/** Options of `hivelink send`. */
export interface SendCommandOptions extends ClientCommandOptions {
  to: string;
  /** The hub hides the sender from the recipient. @default false */
  anonymous?: boolean;
  /** One JSON object per recipient. @default false */
  json?: boolean;
}

/** Where `send` writes, and the environment it reads credentials from. */
export interface SendIo {
  out: CliWriter;
  env?: Env;
}

/**
 * Sends `text` to every recipient `opts.to` names and writes what became of each.
 * @throws HiveLinkError the connection failure, the recipient refusals of `resolveRecipients`, or — when the hub
 *   refused it for every recipient — the (last) refusal
 */
export async function runSend(text: string, opts: SendCommandOptions, io: SendIo): Promise<SendOutcome[]> {
  const { client, failure } = await openClient(opts, { enabled: false }, io.env);
  void client.sealed; // publishes this client's keys once open: the recipient checks the signature against them
  let outcomes: SendOutcome[];
  try {
    try {
      await client.connect({ timeoutMs: CONNECT_TIMEOUT_MS });
      outcomes = await sendToAll(client, opts.to, text, opts.anonymous === true);
    } catch (err) {
      throw clientFailure(err, failure);
    }
  } finally {
    client.close();
  }
  for (const o of outcomes) {
    io.out.write(
      opts.json === true
        ? `${JSON.stringify({
            to: o.to.name,
            client_id: o.to.clientId,
            id: o.sent?.id ?? null,
            delivered: o.sent?.delivered ?? false,
            deposited: o.sent?.deposited ?? false,
            ...(o.error === null ? {} : { code: o.error.code, error: o.error.message }),
          })}\n`
        : `${outcomeLine(o)}\n`,
    );
  }
  const refused = outcomes.filter((o) => !accepted(o));
  if (refused.length > 0 && refused.length === outcomes.length) {
    const last = refused.at(-1)!.error!;
    throw new HiveLinkError(last.code, last.message);
  }
  return outcomes;
}

function parseText(value: string): string {
  if (value.trim().length === 0) throw new InvalidArgumentError('the message must not be empty.');
  return value;
}

const HELP_AFTER = `
The message is sealed on this machine to the recipient's end-to-end key (the hub's directory gives it; compare
fingerprints with "hivelink clients show"), so the hub relays it without being able to read it. Signed, the
recipient learns it came from this client; --anonymous, it does not (the hub still logs who wrote to whom, never
what). A recipient that is offline gets it from the hub's mailbox when it next runs "hivelink inbox" or "chat".
Credentials as for "hivelink ask".

Exit codes: 0 sent (delivered, waiting in the mailbox, or held until the recipient agrees to messages from you);
1 refused for every recipient, or no such client or room (one line on stderr); 2 usage error.`;

/** Adds `hivelink send` to `program`. */
export function registerSendCommand(program: Command, io: SendIo = { out: process.stdout }): Command {
  return withClientOptions(
    program
      .command('send')
      .description('send a sealed private message to a client or a room')
      .argument('<text>', 'the message', parseText)
      .requiredOption(
        '--to <client|room>',
        'the recipient: a client name or id, or a room (its other clients)',
      ),
  )
    .option('--anonymous', 'hide who wrote it from the recipient (it can answer once)')
    .option(
      '--json',
      'one JSON object per recipient: {to, client_id, id, delivered, deposited, code?, error?}',
    )
    .addHelpText('after', HELP_AFTER)
    .action(async (text: string, opts: SendCommandOptions) => {
      await runSend(text, opts, io);
    });
}
