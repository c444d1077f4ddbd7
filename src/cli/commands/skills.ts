/**
 * `hivelink skills …` (issue 13, docs/PROTOCOL.md §15): signed skill bundles.
 *
 * ```
 * hivelink skills keygen --out FILE                 an Ed25519 publisher key: FILE (0600) and FILE.pub
 * hivelink skills pack DIR --key FILE [-o OUT]      DIR/skill.json + DIR's files → NAME-VERSION.hlskill
 * hivelink skills verify BUNDLE                     signature, hashes; trusted by this data dir or not
 * hivelink skills install BUNDLE [--allow-downgrade]  into the hub's skills dir; a running hub loads it live
 * hivelink skills publish BUNDLE [--allow-downgrade]  install on the running hub and offer it to its children
 * hivelink skills list [--json]                     id, version, publisher, intents, source
 * hivelink skills trust PUBKEY|FILE.pub / untrust   the publishers this hub installs from
 * ```
 * `install`, `publish` and `list` reach a running hub with `--data-dir` alone (the admin command queue, §12.5);
 * without one, `install` and `list` work on the data dir directly (the hub loads what was installed when it starts).
 * Trusted keys live in `<data dir>/skills-trust.json`, which a running hub reads on every verification.
 *
 * @module
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { validateSkill } from '../../assistant/skill-validate.js';
import { HiveLinkError } from '../../errors.js';
import { LIMIT_DEFS } from '../../limits.js';
import { BUNDLE_EXTENSION, bundleFileName, packBundle, verifyBundle } from '../../skills/bundle.js';
import {
  generatePublisherKey,
  parsePublicKeyArg,
  readJsonFile,
  readPublisherKey,
  TrustStore,
} from '../../skills/keys.js';
import {
  type InstallResult,
  SKILLS_INSTALL_KIND,
  SKILLS_PUBLISH_KIND,
  type SkillInfo,
} from '../../skills/service.js';
import { resolveDataDir } from '../../store/data-dir.js';
import {
  type AdminContext,
  adminAction,
  type CliWriter,
  type DataDirOptions,
  STDOUT,
  withDataDirOption,
  writeListing,
} from '../admin.js';
import { commandError, runningHub, submitAdminCommand } from '../admin-queue.js';
import { scaffoldSkill } from '../skill-scaffold.js';
import { skillCatalog, withOfflineSkills } from '../skills-catalog.js';

/** The file in a skill's directory that `pack` reads: what the manifest says besides the files. */
export const SKILL_JSON = 'skill.json';

interface SkillJson {
  name: string;
  version: string;
  entry: string;
  permissions?: string[];
  description?: string;
}

function readSkillJson(dir: string): SkillJson {
  const file = join(dir, SKILL_JSON);
  const j = readJsonFile(file, 'the skill manifest') as Partial<SkillJson>;
  if (typeof j?.name !== 'string' || typeof j.version !== 'string' || typeof j.entry !== 'string') {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `${file} needs "name", "version" and "entry"`);
  }
  return j as SkillJson;
}

/** Every file of `dir` but dotfiles, skill.json and bundles, relative and `/`-separated. */
function skillFiles(dir: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) {
        const rel = relative(dir, path).split('\\').join('/');
        if (rel === SKILL_JSON || rel.endsWith(BUNDLE_EXTENSION) || rel === 'node_modules') continue;
        out.set(rel, new Uint8Array(readFileSync(path)));
      }
    }
  };
  walk(dir);
  return out;
}

/** `skills pack DIR --key FILE [-o OUT]`: checks the skill (its module is imported here) and writes the bundle. */
export async function skillsPack(
  out: CliWriter,
  dir: string,
  opts: { key: string; out?: string },
): Promise<string> {
  const root = resolve(dir);
  const meta = readSkillJson(root);
  const files = skillFiles(root);
  if (!files.has(meta.entry)) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `the entry ${meta.entry} is not a file of ${root}`);
  }
  const mod = (await import(pathToFileURL(join(root, meta.entry)).href)) as { default?: unknown };
  const definition = validateSkill(mod.default, join(root, meta.entry));
  if (definition.id !== meta.name) {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ARGUMENT',
      `the module's skill id is ${definition.id}; ${SKILL_JSON} says ${meta.name} (they must be the same)`,
    );
  }
  const key = readPublisherKey(opts.key);
  const { manifest, bytes } = packBundle({
    name: meta.name,
    version: meta.version,
    entry: meta.entry,
    permissions: meta.permissions ?? [],
    intents: (definition.intents ?? []).map((i) => `${definition.id}:${i.name}`),
    ...(meta.description === undefined ? {} : { description: meta.description }),
    files,
    secretKey: key.secret,
  });
  const target = resolve(opts.out ?? bundleFileName(manifest));
  writeFileSync(target, bytes);
  out.write(
    `Packed ${manifest.name} ${manifest.version} (${manifest.files.length} files, ${bytes.length} bytes), signed by ${manifest.publisher}: ${target}\n`,
  );
  return target;
}

function readBundle(file: string): Uint8Array {
  const size = statSync(file).size;
  const max = LIMIT_DEFS.skillBundleMaxBytes.default;
  if (size > max) {
    throw new HiveLinkError('HL_ERR_SKILL_BUNDLE_INVALID', `${file} is ${size} bytes, more than ${max}`);
  }
  return new Uint8Array(readFileSync(file));
}

/** `skills verify BUNDLE`: the signature and hashes, and whether this data dir trusts the publisher. */
export function skillsVerify(out: CliWriter, file: string, opts: DataDirOptions): void {
  const { manifest } = verifyBundle(readBundle(file));
  const trusted = new TrustStore(resolveDataDir({ flag: opts.dataDir })).has(manifest.publisher);
  out.write(
    [
      `${manifest.name} ${manifest.version}: signature and ${manifest.files.length} file hashes verify.`,
      `publisher: ${manifest.publisher} (${trusted ? 'trusted by this hub' : 'NOT trusted by this hub: hivelink skills trust KEY'})`,
      `entry: ${manifest.entry}`,
      `permissions: ${manifest.permissions.length === 0 ? 'none' : manifest.permissions.join(', ')}`,
      `intents: ${manifest.intents.length === 0 ? 'none' : manifest.intents.join(', ')}`,
      '',
    ].join('\n'),
  );
}

function installedLine(r: InstallResult, live: boolean): string {
  if (r.status === 'unchanged') return `${r.name} ${r.version} is installed already.\n`;
  const was = r.previous === null ? '' : ` (was ${r.previous})`;
  return live
    ? `Installed ${r.name} ${r.version}${was} on the running hub: it answers now.\n`
    : `Installed ${r.name} ${r.version}${was}; the hub loads it when it starts.\n`;
}

function resultOf(
  command: Awaited<ReturnType<typeof submitAdminCommand>>,
): InstallResult & { offered_to?: number } {
  const error = commandError(command);
  if (error !== null) throw error;
  return command.result as unknown as InstallResult & { offered_to?: number };
}

/** `skills install BUNDLE`: through the running hub (live), else into the data dir. */
export async function skillsInstall(
  ctx: AdminContext,
  file: string,
  opts: DataDirOptions & { allowDowngrade?: boolean },
): Promise<void> {
  const bytes = readBundle(file);
  if ((await runningHub(ctx.store)) !== null) {
    const command = await submitAdminCommand(ctx.store, SKILLS_INSTALL_KIND, {
      bundle: Buffer.from(bytes).toString('base64'),
      allow_downgrade: opts.allowDowngrade === true,
    });
    ctx.out.write(installedLine(resultOf(command), true));
    return;
  }
  const result = await withOfflineSkills(resolveDataDir({ flag: opts.dataDir }), (service) =>
    service.install(bytes, { source: 'cli', allowDowngrade: opts.allowDowngrade === true }),
  );
  ctx.out.write(installedLine(result, false));
}

/** `skills publish BUNDLE`: the running hub installs it and offers it to the children that subscribed. */
export async function skillsPublish(
  ctx: AdminContext,
  file: string,
  opts: DataDirOptions & { allowDowngrade?: boolean },
): Promise<void> {
  const bytes = readBundle(file);
  const command = await submitAdminCommand(ctx.store, SKILLS_PUBLISH_KIND, {
    bundle: Buffer.from(bytes).toString('base64'),
    allow_downgrade: opts.allowDowngrade === true,
  });
  const result = resultOf(command);
  ctx.out.write(installedLine(result, true));
  ctx.out.write(`Offered to ${result.offered_to ?? 0} subscribed child hub(s).\n`);
}

/** `skills list [--json]`. */
export async function skillsList(
  ctx: AdminContext,
  opts: DataDirOptions & { json?: boolean },
): Promise<void> {
  const skills = await skillCatalog(ctx.store, resolveDataDir({ flag: opts.dataDir }));
  writeListing<SkillInfo>(ctx.out, opts, skills, {
    empty: 'No skills.\n',
    header: ['ID', 'VERSION', 'PUBLISHER', 'SOURCE', 'INTENTS'],
    row: (s) => [
      s.id,
      s.version ?? '-',
      s.publisher === null ? '-' : `${s.publisher.slice(0, 16)}…`,
      s.source,
      s.intents.length === 0 ? '-' : s.intents.join(', '),
    ],
  });
}

/** `skills trust KEY` / `untrust KEY`. */
export function skillsTrust(out: CliWriter, value: string, opts: DataDirOptions, add: boolean): void {
  const key = parsePublicKeyArg(value);
  const store = new TrustStore(resolveDataDir({ flag: opts.dataDir }));
  const changed = add ? store.add(key) : store.remove(key);
  if (add) {
    out.write(
      changed
        ? `Trusted publisher ${key}: bundles it signs install here.\n`
        : `${key} was trusted already.\n`,
    );
  } else {
    out.write(changed ? `No longer trusting publisher ${key}.\n` : `${key} was not trusted.\n`);
  }
}

/** Runs `fn`; a refusal's message starts with its code (`HL_ERR_SKILL_UNTRUSTED: …`), so scripts can tell them apart. */
async function coded<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof HiveLinkError && !err.message.startsWith(err.code)) {
      throw new HiveLinkError(err.code, `${err.code}: ${err.message}`, { cause: err });
    }
    throw err;
  }
}

/** Registers `skills` and its subcommands. */
export function registerSkillsCommands(program: Command, out: CliWriter = STDOUT): Command {
  const skills = program
    .command('skills')
    .description('signed skill bundles: keys, pack, install, publish, list');
  skills
    .command('keygen')
    .description('make an Ed25519 publisher key: FILE (private, 0600) and FILE.pub; prints the public key')
    .requiredOption('--out <file>', 'where to write the private key')
    .action((opts: { out: string }) => {
      const key = generatePublisherKey(opts.out);
      out.write(`${key.publicKey}\n`);
    });
  skills
    .command('new')
    .description('start a skill: NAME/skill.json and NAME/skill.mjs, a working example to edit')
    .argument('<name>', 'the skill id, a name and an owner: porch-light.alice')
    .option('--dir <dir>', 'where to make it (default here)', '.')
    .action((name: string, opts: { dir: string }) => {
      const dir = scaffoldSkill(name, opts.dir);
      out.write(
        `Made ${dir} (skill.json, skill.mjs).\n` +
          "Try it: copy skill.mjs into the hub's skills directory (<data dir>/skills); it loads and reloads on save.\n" +
          `Sign it: hivelink skills keygen --out publisher.key && hivelink skills pack ${dir} --key publisher.key\n`,
      );
    });
  skills
    .command('pack')
    .description(`bundle and sign a skill directory (its ${SKILL_JSON}: name, version, entry, permissions)`)
    .argument('<dir>')
    .requiredOption('--key <file>', 'the publisher key (hivelink skills keygen)')
    .option('-o, --out <file>', 'the bundle to write (default NAME-VERSION.hlskill here)')
    .action(async (dir: string, opts: { key: string; out?: string }) => {
      await coded(() => skillsPack(out, dir, opts));
    });
  withDataDirOption(
    skills
      .command('verify')
      .description('check a bundle: signature, file hashes, trusted here or not')
      .argument('<bundle>'),
  ).action((file: string, opts: DataDirOptions) => coded(() => skillsVerify(out, file, opts)));
  adminAction(
    skills
      .command('install')
      .description("install a bundle into the hub's skills dir (a running hub loads it live)")
      .argument('<bundle>')
      .option('--allow-downgrade', 'install a version older than the installed one'),
    out,
    (ctx, file: string, opts: DataDirOptions & { allowDowngrade?: boolean }) =>
      coded(() => skillsInstall(ctx, file, opts)),
  );
  adminAction(
    skills
      .command('publish')
      .description('install a bundle on the running hub and offer it to the child hubs that subscribed')
      .argument('<bundle>')
      .option('--allow-downgrade', 'publish a version older than the installed one'),
    out,
    (ctx, file: string, opts: DataDirOptions & { allowDowngrade?: boolean }) =>
      coded(() => skillsPublish(ctx, file, opts)),
  );
  adminAction(
    skills
      .command('list')
      .description(
        'the skills the hub runs: id, version, publisher, intents, source (the ids clients block-skill takes)',
      )
      .option('--json', 'print JSON'),
    out,
    (ctx, opts: DataDirOptions & { json?: boolean }) => skillsList(ctx, opts),
  );
  for (const [name, add, description] of [
    ['trust', true, 'trust a publisher key (64 hex characters, or a FILE.pub)'],
    ['untrust', false, 'stop trusting a publisher key'],
  ] as const) {
    withDataDirOption(skills.command(name).description(description).argument('<key>')).action(
      (key: string, opts: DataDirOptions) => coded(() => skillsTrust(out, key, opts, add)),
    );
  }
  return skills;
}
