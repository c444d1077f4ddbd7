/**
 * The `hivelink` command. Exit codes: 0 ok, 1 failure (one line on stderr), 2 usage error.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

type Register = (program: Command) => void;

/**
 * Every top-level command, in help order, with the module that defines it. A module is imported only when its
 * command runs (all of them only for the full help): `hivelink ask` need not load the hub, fastify or SQLite.
 */
const COMMANDS: readonly (readonly [string, () => Promise<Register>])[] = [
  ['hub', async () => (await import('./commands/hub.js')).registerHubCommand],
  ['clients', async () => (await import('./commands/clients.js')).registerClientsCommands],
  ['ip', async () => (await import('./commands/ip.js')).registerIpCommands],
  ['rooms', async () => (await import('./commands/house.js')).registerRoomsCommand],
  ['announce', async () => (await import('./commands/house.js')).registerAnnounceCommand],
  ['subscriptions', async () => (await import('./commands/subscriptions.js')).registerSubscriptionsCommands],
  ['consent', async () => (await import('./commands/consent.js')).registerConsentCommands],
  ['mesh', async () => (await import('./commands/mesh.js')).registerMeshCommands],
  ['skills', async () => (await import('./commands/skills.js')).registerSkillsCommands],
  ['relay', async () => (await import('./commands/relay.js')).registerRelayCommands],
  ['store', async () => (await import('./commands/store.js')).registerStoreCommands],
  ['cluster', async () => (await import('./commands/cluster.js')).registerClusterCommands],
  ['discover', async () => (await import('./commands/discover.js')).registerDiscoverCommand],
  ['ask', async () => (await import('./commands/ask.js')).registerAskCommand],
  ['chat', async () => (await import('./commands/chat.js')).registerChatCommand],
  ['send', async () => (await import('./commands/send.js')).registerSendCommand],
  ['send-file', async () => (await import('./commands/send-file.js')).registerSendFileCommand],
  ['files', async () => (await import('./commands/files.js')).registerFilesCommands],
  ['jobs', async () => (await import('./commands/jobs.js')).registerJobsCommands],
  ['inbox', async () => (await import('./commands/inbox.js')).registerInboxCommand],
  ['satellite', async () => (await import('./commands/satellite.js')).registerSatelliteCommand],
  ['identity', async () => (await import('./commands/identity.js')).registerIdentityCommands],
  ['pair', async () => (await import('./commands/pair.js')).registerPairCommands],
  ['join', async () => (await import('./commands/pair.js')).registerJoinCommand],
  ['bus', async () => (await import('./commands/bus.js')).registerBusCommand],
  ['assistant', async () => (await import('./commands/assistant.js')).registerAssistantCommand],
  ['bench', async () => (await import('./commands/bench.js')).registerBenchCommand],
  ['voice', async () => (await import('./commands/voice.js')).registerVoiceCommand],
  ['wyoming-serve', async () => (await import('./commands/wyoming.js')).registerWyomingCommand],
];

/**
 * Builds the command tree for `argv`: only the named command's module when argv names one, every command
 * otherwise (help, usage errors).
 */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command('hivelink')
    .description('A secure hub-and-mesh for voice assistants, wire-compatible with HiveMind.')
    .version(pkg.version, '-V, --version', 'print the hivelink version')
    .showHelpAfterError('(run "hivelink --help" for usage)')
    .exitOverride();
  const first = argv[2];
  if (first === '-V' || first === '--version') return program;
  const named = COMMANDS.find(([name]) => name === first);
  for (const [, load] of named === undefined ? COMMANDS : [named]) (await load())(program);
  return program;
}

/** Runs the CLI with `argv` (as in `process.argv`) and resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = await buildProgram(argv);
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help, `help CMD` and --version succeed (commander's exit code 0); help shown because a subcommand is
      // missing, and every parse error, are usage errors.
      return err.exitCode === 0 ? 0 : 2;
    }
    process.stderr.write(`hivelink: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
