/**
 * `hivelink ask [--url U --key K --password-file F] [--protocol 1|2|3|auto] [--lang L] [--timeout S] "utterance"`: one
 * utterance to a hub; prints each spoken answer on its own line and exits 0. It connects once (no retry) and fails
 * with exit code 1 and one line that says why: wrong password, access key refused, hub unreachable, no answer in
 * time, not understood.
 *
 * @module
 */
import { type Command, InvalidArgumentError } from 'commander';
import type { AskResult } from '../../client/index.js';
import { HiveLinkError } from '../../errors.js';
import type { CliWriter } from '../admin.js';
import { clientFailure, type FailureContext, seconds } from '../client-errors.js';
import { type ClientCommandOptions, openClient, parseSeconds, withClientOptions } from '../client-options.js';
import type { Env } from '../identity-file.js';

/** The default `--timeout`, in ms. */
export const DEFAULT_ASK_TIMEOUT_MS = 10_000;
/** How long `ask` waits for the connection (socket, handshake, PSK derivation), in ms. */
export const CONNECT_TIMEOUT_MS = 10_000;

/** Options of `hivelink ask`. */
export interface AskCommandOptions extends ClientCommandOptions {
  /** How long to wait for the answer, in ms (the connection has {@link CONNECT_TIMEOUT_MS}). @default 10000 */
  timeout?: number;
  /** Print the result as JSON (`{answers, handled, timedOut}`). @default false */
  json?: boolean;
}

/** Where `ask` writes its answers, and the environment it reads credentials from. */
export interface AskIo {
  out: CliWriter;
  env?: Env;
}

/** Rejects after `ms` with `error()`; `cancel` stops the timer. */
function deadline(ms: number, error: () => HiveLinkError): { expired: Promise<never>; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(error()), ms);
  });
  expired.catch(() => undefined);
  return { expired, cancel: () => clearTimeout(timer) };
}

/**
 * Asks the hub once and writes the answers.
 * @throws HiveLinkError with a one-line message: the connection or login failure, `HL_ERR_ASK_TIMEOUT`, or
 *   `HL_ERR_NOT_UNDERSTOOD` when the hub did not understand and spoke no fallback
 */
export async function runAsk(utterance: string, opts: AskCommandOptions, io: AskIo): Promise<AskResult> {
  const timeoutMs = opts.timeout ?? DEFAULT_ASK_TIMEOUT_MS;
  const { client, failure } = await openClient(opts, { enabled: false }, io.env);
  const ctx: FailureContext = { ...failure, timeoutMs };
  let result: AskResult;
  try {
    const connectDeadline = deadline(
      CONNECT_TIMEOUT_MS,
      () =>
        new HiveLinkError(
          'HL_ERR_CONNECT_FAILED',
          `no connection to the hub at ${ctx.url} within ${seconds(CONNECT_TIMEOUT_MS)}`,
        ),
    );
    try {
      await Promise.race([client.connect(), connectDeadline.expired]);
    } catch (err) {
      throw clientFailure(err, ctx);
    } finally {
      connectDeadline.cancel();
    }
    try {
      result = await client.ask(utterance, {
        timeoutMs,
        ...(opts.lang === undefined ? {} : { lang: opts.lang }),
      });
    } catch (err) {
      throw clientFailure(err, ctx);
    }
  } finally {
    client.close();
  }
  if (opts.json === true) io.out.write(`${JSON.stringify(result)}\n`);
  else for (const answer of result.answers) io.out.write(`${answer}\n`);
  if (!result.handled && result.answers.length === 0) {
    throw new HiveLinkError(
      'HL_ERR_NOT_UNDERSTOOD',
      `the hub did not understand ${JSON.stringify(utterance)}`,
    );
  }
  return result;
}

function parseUtterance(value: string): string {
  if (value.trim().length === 0) throw new InvalidArgumentError('the utterance must not be empty.');
  return value;
}

const HELP_AFTER = `
Credentials: the flags, else $HIVELINK_URL / $HIVELINK_KEY / $HIVELINK_PASSWORD (or $HIVELINK_PSK), else the identity
saved with "hivelink identity set" (<config dir>/identity.json, which also keeps this machine's Noise key and the
hub keys it pinned). --password puts the password in the process list, where every user of the machine can read
it (ask warns on stderr): give it with --password-file FILE, --password-prompt, $HIVELINK_PASSWORD or the saved
identity instead.

Exit codes:
  0  answered: every spoken answer printed, one per line. When the hub does not understand but its assistant
     speaks a fallback ("Sorry, I didn't catch that"), that fallback is the answer.
  1  one line on stderr that says what failed: wrong password, access key refused, hub unreachable,
     no answer within the timeout, or "the hub did not understand" (nothing was spoken).
  2  usage error.
ask connects once and never retries.`;

/** Adds `hivelink ask` to `program`. */
export function registerAskCommand(program: Command, io: AskIo = { out: process.stdout }): Command {
  return withClientOptions(
    program
      .command('ask')
      .description('ask a hub one question and print the spoken answers')
      .argument('<utterance>', 'what to say, e.g. "tell me a joke"', parseUtterance),
  )
    .option('--timeout <seconds>', 'how long to wait for the answer (default 10)', parseSeconds)
    .option('--json', 'print {answers, handled, timedOut} as JSON')
    .addHelpText('after', HELP_AFTER)
    .action(async (utterance: string, opts: AskCommandOptions) => {
      await runAsk(utterance, opts, io);
    });
}
