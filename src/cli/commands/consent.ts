/**
 * `hivelink consent …` (issue 11, docs/PROTOCOL.md §12.8): who may message whom directly. `list` shows the answers
 * the clients gave (and the clients whose setting is not the default `ask`); `allow` and `deny` record an answer
 * for a (sender, recipient) pair as if the recipient had given it; `forget` drops one, so the recipient is asked
 * again next time. Clients are named by id or access key.
 *
 * The commands write the client database of `--data-dir`; a running hub on that data dir watches it and, within
 * `policyRefreshMs`, delivers (allow) or drops (deny) what the pair holds waiting for that answer — no restart, no
 * hub needed for the write itself. A client's own setting is `hivelink clients set ID --consent ask|allow|deny`.
 *
 * @module
 */
import { type Command, InvalidArgumentError } from 'commander';
import { ConsentAdmin } from '../../hub/house/consent-admin.js';
import { CONSENT_MODES, type ConsentMode } from '../../store/consent.js';
import type { ClientRecord } from '../../store/types.js';
import {
  type AdminContext,
  type AdminSubcommand,
  type CliWriter,
  formatTime,
  registerAdminGroup,
  STDOUT,
  table,
  writeJson,
} from '../admin.js';

/** Parses `--consent ask|allow|deny`. */
export function parseConsentMode(value: string): ConsentMode {
  const mode = value.toLowerCase();
  if ((CONSENT_MODES as readonly string[]).includes(mode)) return mode as ConsentMode;
  throw new InvalidArgumentError(`expected one of ${CONSENT_MODES.join(', ')}.`);
}

const named = (c: Pick<ClientRecord, 'id' | 'name'>) => `${c.id} (${c.name})`;

const adminOf = (store: AdminContext['store']) => new ConsentAdmin({ store });

/** `consent list`: every recorded answer, and the clients that are not `ask`. */
export async function consentList({ store, out }: AdminContext, opts: { json?: boolean }): Promise<void> {
  const listing = await adminOf(store).list();
  if (opts.json === true) {
    writeJson(out, listing);
    return;
  }
  if (listing.answers.length === 0) out.write('No consent answers yet.\n');
  else {
    out.write(
      table(
        ['SENDER', 'RECIPIENT', 'ANSWER', 'DECIDED'],
        listing.answers.map((a) => [
          named(a.sender),
          named(a.recipient),
          a.allow ? 'allow' : 'deny',
          formatTime(a.decidedAt),
        ]),
      ),
    );
  }
  for (const c of listing.settings) {
    out.write(`Client ${named(c)} ${c.consent === 'allow' ? 'allows' : 'denies'} every direct message.\n`);
  }
}

/** `consent allow|deny SENDER RECIPIENT`: records the recipient's answer about the sender. */
export async function consentSet(
  { store, out }: AdminContext,
  senderKey: string,
  recipientKey: string,
  allow: boolean,
  opts: { json?: boolean } = {},
): Promise<void> {
  const { sender, recipient, decision } = await adminOf(store).set(senderKey, recipientKey, allow);
  if (opts.json === true) {
    writeJson(out, decision);
    return;
  }
  out.write(
    `Client ${named(sender)} ${allow ? 'may now' : 'may no longer'} message client ${named(recipient)} directly` +
      ' (a running hub delivers or drops what waits for this answer within its policy refresh).\n',
  );
  if (recipient.consent !== 'ask') {
    out.write(
      `Note: client ${named(recipient)} has consent ${recipient.consent}, which wins over answers ` +
        `(hivelink clients set ${recipient.id} --consent ask).\n`,
    );
  }
}

/** `consent forget SENDER RECIPIENT`: the recipient is asked again the next time. */
export async function consentForget(
  { store, out }: AdminContext,
  senderKey: string,
  recipientKey: string,
  opts: { json?: boolean } = {},
): Promise<void> {
  const { sender, recipient, forgotten } = await adminOf(store).forget(senderKey, recipientKey);
  if (opts.json === true) {
    writeJson(out, { senderId: sender.id, recipientId: recipient.id, forgotten });
    return;
  }
  out.write(
    forgotten
      ? `Forgot what client ${named(recipient)} answered about client ${named(sender)}: it will be asked again.\n`
      : `Client ${named(recipient)} had no answer about client ${named(sender)}.\n`,
  );
}

/** A subcommand of one (sender, recipient) pair, each an id or access key, with `--json`. */
const pairCommand = (
  name: string,
  description: string,
  run: (ctx: AdminContext, sender: string, recipient: string, opts: { json?: boolean }) => Promise<void>,
): AdminSubcommand => ({ name, description, args: ['<sender>', '<recipient>'], json: true, run });

/** The subcommands of `hivelink consent`, in the order its help lists them. */
const CONSENT_COMMANDS: readonly AdminSubcommand[] = [
  {
    name: 'list',
    description: 'list the answers clients gave, and the clients that allow or deny everyone',
    json: true,
    run: (ctx, opts: { json?: boolean }) => consentList(ctx, opts),
  },
  ...[true, false].map((allow) =>
    pairCommand(
      allow ? 'allow' : 'deny',
      `record that RECIPIENT ${allow ? 'allows' : 'refuses'} direct messages from SENDER (ids or access keys)`,
      (ctx, sender, recipient, opts) => consentSet(ctx, sender, recipient, allow, opts),
    ),
  ),
  pairCommand('forget', "forget RECIPIENT's answer about SENDER: it is asked again next time", consentForget),
];

/** Registers `hivelink consent`. */
export function registerConsentCommands(program: Command, out: CliWriter = STDOUT): Command {
  return registerAdminGroup(program, out, {
    name: 'consent',
    description: 'who may message whom directly (relayed orders between rooms, intercom lines)',
    commands: CONSENT_COMMANDS,
  });
}
