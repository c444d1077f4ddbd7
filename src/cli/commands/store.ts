/**
 * `hivelink store …` (issue 16): the client store itself.
 *
 * ```
 * hivelink store keygen --out FILE                                  a secrets key file (0600) for --secrets-key-file
 * hivelink store migrate --from sqlite:PATH --to postgres://… [--force] [--json]
 * ```
 *
 * `keygen` makes the key every hub of one PostgreSQL database shares (the passwords in the database are sealed
 * with it; the database alone reveals none). `migrate` moves a hub's SQLite database to PostgreSQL and prints each
 * table's rows and checksum, the same on both sides (`src/store/migrate.ts`).
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import { HiveLinkError } from '../../errors.js';
import { createFileOnce } from '../../store/files.js';
import { migrateSqliteToPostgres, type TableReport } from '../../store/migrate.js';
import { isPostgresUrl, redactUrl } from '../../store/postgres.js';
import { SECRETS_KEY_BYTES } from '../../store/secrets.js';
import { type CliWriter, STDOUT, table, writeJson } from '../admin.js';

/** `store keygen`: a new secrets key at `file` (64 hex characters, mode 0600); an existing file is never replaced. */
export function storeKeygen(out: CliWriter, file: string): void {
  const made = createFileOnce(file, () => `${randomBytes(SECRETS_KEY_BYTES).toString('hex')}\n`);
  if (!made) {
    throw new HiveLinkError(
      'HL_ERR_ALREADY_EXISTS',
      `${file} exists: a new key cannot open what the old one sealed; remove it first if it is really unused`,
    );
  }
  out.write(
    `Wrote a secrets key to ${file} (mode 0600). Give it to every hub and admin command of the database: --secrets-key-file ${file}\n`,
  );
}

export interface StoreMigrateOptions {
  from: string;
  to: string;
  force?: boolean;
  json?: boolean;
}

/** `store migrate`: moves everything and prints what moved. */
export async function storeMigrate(out: CliWriter, opts: StoreMigrateOptions): Promise<TableReport[]> {
  if (!isPostgresUrl(opts.to))
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', '--to takes a postgres:// URL');
  const reports = await migrateSqliteToPostgres({ from: opts.from, to: opts.to, force: opts.force === true });
  if (opts.json === true) {
    writeJson(out, reports);
    return reports;
  }
  out.write(
    table(
      ['TABLE', 'ROWS', 'CHECKSUM'],
      reports.map((r) => [r.table, String(r.rows), r.checksum.slice(0, 16)]),
    ),
  );
  const total = reports.reduce((n, r) => n + r.rows, 0);
  out.write(
    `Moved ${total} rows in ${reports.length} tables to ${redactUrl(opts.to)}; every table's count and checksum match.\n` +
      'The hubs on it need the secrets key of the SQLite data dir: --secrets-key-file <data dir>/secrets.key\n',
  );
  return reports;
}

/** Registers `store keygen` and `store migrate`. */
export function registerStoreCommands(program: Command, out: CliWriter = STDOUT): Command {
  const keygen = new Command('keygen')
    .description(
      'write a new secrets key file (0600) for --secrets-key-file, shared by the hubs of one database',
    )
    .requiredOption('--out <file>', 'where to write it (never over an existing file)')
    .action((opts: { out: string }) => storeKeygen(out, opts.out));
  const migrate = new Command('migrate')
    .description("move a hub's SQLite database to PostgreSQL, with each table's rows and checksum")
    .requiredOption('--from <sqlite:path>', 'the SQLite database (sqlite:<data dir>/hivelink.db)')
    .requiredOption('--to <url>', 'the PostgreSQL database, postgres://…')
    .option('--force', 'replace what a non-empty target holds')
    .option('--json', 'print JSON')
    .action(async (opts: StoreMigrateOptions) => {
      await storeMigrate(out, opts);
    });
  return program
    .command('store')
    .description('the client store: secrets keys, moving SQLite to PostgreSQL')
    .addCommand(keygen)
    .addCommand(migrate);
}
