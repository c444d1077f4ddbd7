/**
 * `hivelink chat [--url U --key K --password P] [--lang L] [--timeout S]`: an interactive terminal client. A prompt;
 * every answer printed as it arrives, unsolicited ones too (a broadcast from an admin client is shown as
 * `[announcement] …`, a line of a room's conference as `kitchen-tablet: hello`, a sealed private message as
 * `[private] alice: hello`); the connection state shown (`[connected]`, `[reconnecting in 3.2 s: …]`); reconnects by
 * itself; `/quit`, `/lang xx`, `/status`, `/help`; `/msg NAME text` and `/anon NAME text` send a sealed message
 * (relay mode, docs/PROTOCOL.md §13) to a client or a room, signed or anonymous, and `/reply text` answers the last
 * anonymous one; input history kept in `<config dir>/chat_history`.
 *
 * Piped (stdin not a terminal) it reads one utterance per line, prints only the answers on stdout (state lines go
 * to stderr), and exits once stdin has ended and every question is answered or timed out: 0 when all were answered,
 * 1 (one line) otherwise. A refused login (wrong password, unknown key) ends the chat with exit code 1.
 *
 * @module
 */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { clearLine, createInterface, cursorTo } from 'node:readline';
import { type Command, InvalidArgumentError } from 'commander';
import type { ClientState } from '../../client/index.js';
import type { PrivateMessage } from '../../client/sealed.js';
import { HiveLinkError, isHiveLinkError } from '../../errors.js';
import { conferenceLine } from '../../session/conference-line.js';
import { DEFAULT_ASK_TIMEOUT_MS, notUnderstood, sessionIdIn, spokenText } from '../../session/turn.js';
import type { CliWriter } from '../admin.js';
import { clientFailure, describeFailure, type FailureContext } from '../client-errors.js';
import {
  type ClientCommandOptions,
  openClient,
  parseLang,
  parseSeconds,
  withClientOptions,
} from '../client-options.js';
import { type Env, resolveConfigDir } from '../identity-file.js';
import { outcomeLine, privateLine, sendToAll } from '../private-messages.js';

/** Options of `hivelink chat`. */
export interface ChatCommandOptions extends ClientCommandOptions {
  /** How long one question waits for its answer, in ms. @default 10000 */
  timeout?: number;
  /** Keep input history in `<config dir>/chat_history` (terminal only). @default true */
  history?: boolean;
}

/** The streams of a chat. `terminal` chooses the interactive mode. */
export interface ChatIo {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** State lines in piped mode. */
  err: CliWriter;
  terminal: boolean;
  env?: Env;
}

/** First and largest reconnect delay of the chat. */
const RECONNECT = { initialDelayMs: 1000, maxDelayMs: 30_000 } as const;
const HISTORY_LINES = 1000;

const HELP = [
  '/help          this list',
  '/lang [TAG]    show or set the language of your questions (e.g. /lang pt-PT)',
  '/status        the connection state',
  '/msg NAME TEXT a sealed private message to a client or a room (only they can read it)',
  '/anon NAME TEXT the same, without saying who you are',
  '/reply TEXT    answer the last anonymous private message',
  '/quit          leave (also Ctrl-D)',
  'Anything else is sent to the hub; answers appear as they arrive.',
];

function loadHistory(file: string): string[] {
  try {
    const lines = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    return lines.slice(-HISTORY_LINES).reverse();
  } catch {
    return [];
  }
}

function stateLine(state: ClientState, failure: FailureContext): string {
  switch (state.type) {
    case 'open':
      return '[connected]';
    case 'reconnecting':
      return `[reconnecting in ${(state.delayMs / 1000).toFixed(1)} s: ${describeFailure(state.error, failure)}]`;
    case 'closed':
      return state.error === null ? '[closed]' : `[closed: ${describeFailure(state.error, failure)}]`;
    default:
      return `[${state.type}]`;
  }
}

/**
 * Runs a chat until `/quit`, end of input, or a refused login.
 * @throws HiveLinkError the refusal (one line), or, piped, the last failure when a question got no answer
 */
export async function runChat(opts: ChatCommandOptions, io: ChatIo): Promise<void> {
  const timeoutMs = opts.timeout ?? DEFAULT_ASK_TIMEOUT_MS;
  const { client, failure } = await openClient(opts, RECONNECT, io.env);
  const ctx: FailureContext = { ...failure, timeoutMs };
  const terminal = io.terminal;
  const historyFile = join(resolveConfigDir(io.env), 'chat_history');
  const keepHistory = terminal && opts.history !== false;
  const rl = createInterface({
    input: io.input,
    ...(terminal ? { output: io.output } : {}),
    terminal,
    prompt: '> ',
    history: keepHistory ? loadHistory(historyFile) : [],
    historySize: HISTORY_LINES,
    removeHistoryDuplicates: true,
  });
  let lang = opts.lang;
  let open = true;
  let fatal: HiveLinkError | null = null;
  let lastFailure: HiveLinkError | null = null;
  let questions = 0;
  let unanswered = 0;
  let lastReason = '';
  const inflight = new Set<Promise<void>>();

  /** Writes a line above the prompt (terminal) or on `stream` (piped). */
  const line = (text: string, piped: 'out' | 'err'): void => {
    if (terminal) {
      clearLine(io.output, 0);
      cursorTo(io.output, 0);
      io.output.write(`${text}\n`);
      if (open) rl.prompt(true);
    } else if (piped === 'out') {
      io.output.write(`${text}\n`);
    } else {
      io.err.write(`${text}\n`);
    }
  };
  const say = (text: string) => line(text, 'out');
  const status = (text: string) => line(text, 'err');

  const offBus = client.onBus('*', (message) => {
    const said = conferenceLine(message);
    if (said !== null) {
      say(`${said.speaker}: ${said.text}`);
      return;
    }
    const text = spokenText(message);
    // Only a speak naming this chat's session is an answer to show plainly; anything else (a broadcast, another
    // session's speak) arrived unsolicited.
    if (text !== null) say(sessionIdIn(message) === client.sessionId ? text : `[announcement] ${text}`);
  });
  let lastAnonymous: PrivateMessage | null = null;
  const offPrivate = client.onPrivate((m) => {
    if (m.replyTo !== null) lastAnonymous = m;
    say(`[private] ${privateLine(m)}${m.replyTo === null ? '' : ' (/reply to answer)'}`);
  });
  const offRefused = client.onPrivateRefused((r) =>
    status(`[refused a private message (${r.error.code}): ${r.error.message}]`),
  );
  const offState = client.onState((state) => {
    if (state.type === 'reconnecting') {
      if (state.delayMs === 0) return;
      const reason = describeFailure(state.error, ctx);
      status(
        reason === lastReason
          ? `[reconnecting in ${(state.delayMs / 1000).toFixed(1)} s]`
          : stateLine(state, ctx),
      );
      lastReason = reason;
    } else if (state.type === 'open') {
      lastReason = '';
      status(stateLine(state, ctx));
    } else if (state.type === 'closed' && state.error !== null) {
      fatal = clientFailure(state.error, ctx);
      rl.close();
    }
  });

  const ask = (text: string): void => {
    questions += 1;
    const pending = client.ask(text, { timeoutMs, ...(lang === undefined ? {} : { lang }) }).then(
      (result) => {
        if (notUnderstood(result)) {
          unanswered += 1;
          lastFailure = new HiveLinkError(
            'HL_ERR_NOT_UNDERSTOOD',
            `the hub did not understand ${JSON.stringify(text)}`,
          );
          status(`[${lastFailure.message}]`);
        }
      },
      (err: unknown) => {
        if (fatal !== null || (isHiveLinkError(err, 'HL_ERR_CLIENT_CLOSED') && !open)) return;
        unanswered += 1;
        lastFailure = clientFailure(err, ctx);
        status(`[${lastFailure.message}]`);
      },
    );
    inflight.add(pending);
    void pending.finally(() => inflight.delete(pending));
  };

  /** Runs a private-message command once the connection is open; its lines are state lines. */
  const privately = (label: string, work: () => Promise<string[]>): void => {
    const pending = client
      .connect({ timeoutMs })
      .then(work)
      .then(
        (lines) => {
          for (const l of lines) status(`[${l}]`);
        },
        (err: unknown) => status(`[${label}: ${clientFailure(err, ctx).message}]`),
      );
    inflight.add(pending);
    void pending.finally(() => inflight.delete(pending));
  };

  const command = (text: string): void => {
    const [name, ...args] = text.split(/\s+/);
    switch (name) {
      case '/msg':
      case '/anon': {
        const [to, ...words] = args;
        if (to === undefined || words.length === 0) status(`[usage: ${name} NAME TEXT]`);
        else {
          privately(name, async () =>
            (await sendToAll(client, to, words.join(' '), name === '/anon')).map(outcomeLine),
          );
        }
        break;
      }
      case '/reply': {
        const to = lastAnonymous;
        if (to === null) status('[no anonymous private message to answer]');
        else if (args.length === 0) status('[usage: /reply TEXT]');
        else {
          lastAnonymous = null; // one answer per message
          privately(name, async () => {
            const sent = await client.replyPrivate(to, args.join(' '));
            return [sent.delivered ? 'Reply delivered.' : "Reply waits in the hub's mailbox."];
          });
        }
        break;
      }
      case '/quit':
      case '/exit':
        rl.close();
        return;
      case '/help':
        for (const h of HELP) status(h);
        break;
      case '/status':
        status(stateLine(client.state, ctx));
        break;
      case '/lang':
        if (args.length === 0) status(`[language: ${lang ?? 'en-US'}]`);
        else {
          try {
            lang = parseLang(args[0]!);
            status(`[language: ${lang}]`);
          } catch (err) {
            status(`[/lang: ${err instanceof InvalidArgumentError ? err.message : String(err)}]`);
          }
        }
        break;
      default:
        status(`[unknown command ${name}; /help lists the commands]`);
    }
    if (terminal && open) rl.prompt();
  };

  const remember = (text: string): void => {
    if (!keepHistory) return;
    try {
      mkdirSync(dirname(historyFile), { recursive: true, mode: 0o700 });
      appendFileSync(historyFile, `${text}\n`, { mode: 0o600 });
    } catch (err) {
      status(`[history not saved: ${(err as Error).message}]`);
    }
  };

  const closed = new Promise<void>((resolve) => rl.once('close', resolve));
  rl.on('SIGINT', () => rl.close());
  rl.on('line', (raw: string) => {
    const text = raw.trim();
    if (text === '') {
      if (terminal) rl.prompt();
      return;
    }
    remember(text);
    if (text.startsWith('/')) command(text);
    else {
      ask(text);
      if (terminal) rl.prompt();
    }
  });

  if (terminal) io.output.write(`hivelink chat with ${ctx.url}: /help for commands, /quit to leave\n`);
  void client.connect().catch(() => undefined);
  if (terminal) rl.prompt();
  try {
    await closed;
    open = false;
    if (!terminal) {
      while (inflight.size > 0 && fatal === null) await Promise.allSettled([...inflight]);
    }
  } finally {
    open = false;
    offBus();
    offPrivate();
    offRefused();
    offState();
    client.close();
  }
  if (terminal) io.output.write('\n');
  if (fatal !== null) throw fatal;
  if (!terminal && unanswered > 0 && lastFailure !== null) {
    const failed: HiveLinkError = lastFailure;
    throw new HiveLinkError(
      failed.code,
      unanswered === 1 && questions === 1
        ? failed.message
        : `${unanswered} of ${questions} questions got no answer (last: ${failed.message})`,
    );
  }
}

/** Adds `hivelink chat` to `program`. */
export function registerChatCommand(program: Command, io?: ChatIo): Command {
  return withClientOptions(program.command('chat').description('chat with a hub in the terminal'))
    .option('--timeout <seconds>', 'how long each question waits for an answer (default 10)', parseSeconds)
    .option('--no-history', 'do not keep input history in <config dir>/chat_history')
    .addHelpText(
      'after',
      `
Commands inside the chat:
  ${HELP.join('\n  ')}

Piped (stdin is not a terminal): one question per line; answers on stdout, state lines on stderr; exits when stdin
ends and every question is answered: 0, or 1 with one line when a question got no answer. Credentials as for
"hivelink ask" (flags, $HIVELINK_URL/KEY/PASSWORD, or "hivelink identity set").`,
    )
    .action(async (opts: ChatCommandOptions) => {
      await runChat(
        opts,
        io ?? {
          input: process.stdin,
          output: process.stdout,
          err: process.stderr,
          terminal: process.stdin.isTTY === true && process.stdout.isTTY === true,
        },
      );
    });
}
