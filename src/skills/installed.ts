/**
 * Installed skill bundles on disk (docs/PROTOCOL.md §15.5), under `<skills dir>/installed/`:
 *
 * ```text
 * index.json                 {"skills": {NAME: {version, publisher, source, installed_at, previous}}}
 * NAME/VERSION/…             the bundle's files, and bundle.hlskill (the signed bytes, re-offered to children)
 * .staging-RANDOM/           a version being written; renamed into place whole, removed at start when left over
 * ```
 *
 * A version is written to a staging directory and renamed into `NAME/VERSION` in one step; the index (written
 * through a temp file and a rename) names the current version only once it loaded, so a crash or a failed load leaves
 * the previous version current and nothing half-installed. {@link InstalledSkills.clean} removes what no index entry
 * names.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { HiveLinkError } from '../errors.js';
import { type ParsedBundle, parseBundle, type SkillManifest } from './bundle.js';

/** Where an installed skill came from. */
export type InstallSource = 'cli' | 'published' | 'parent';

/** One skill of the index. */
export interface InstalledEntry {
  readonly version: string;
  readonly publisher: string;
  readonly source: InstallSource;
  readonly installed_at: string;
  /** The version it replaced (kept on disk for a rollback), or null. */
  readonly previous: string | null;
}

/** The bundle file kept beside an installed version's files. */
export const BUNDLE_COPY = 'bundle.hlskill';

export class InstalledSkills {
  readonly root: string;

  constructor(skillsDir: string) {
    this.root = join(skillsDir, 'installed');
  }

  #indexFile(): string {
    return join(this.root, 'index.json');
  }

  /** The index (empty when nothing is installed). */
  index(): Record<string, InstalledEntry> {
    const file = this.#indexFile();
    if (!existsSync(file)) return {};
    try {
      return (
        (JSON.parse(readFileSync(file, 'utf8')) as { skills?: Record<string, InstalledEntry> }).skills ?? {}
      );
    } catch (err) {
      throw new HiveLinkError('HL_ERR_SKILL_LOAD', `${file} is not readable JSON: ${(err as Error).message}`);
    }
  }

  get(name: string): InstalledEntry | undefined {
    return this.index()[name];
  }

  /** The directory of `name` at `version`. */
  dir(name: string, version: string): string {
    return join(this.root, name, version);
  }

  /** The manifest and files of an installed version, read back from its bundle copy. */
  read(name: string, version: string, maxBytes?: number): { bundle: ParsedBundle; bytes: Uint8Array } {
    const bytes = new Uint8Array(readFileSync(join(this.dir(name, version), BUNDLE_COPY)));
    return { bundle: parseBundle(bytes, maxBytes), bytes };
  }

  /**
   * Writes a verified bundle's files to a staging directory and renames it to `NAME/VERSION` (replacing a directory
   * of that version that no index entry names as current). Returns the directory.
   */
  stage(bundle: ParsedBundle, bytes: Uint8Array): string {
    const { manifest } = bundle;
    mkdirSync(this.root, { recursive: true, mode: 0o700 });
    const staging = join(this.root, `.staging-${randomBytes(6).toString('hex')}`);
    try {
      mkdirSync(staging, { mode: 0o700 });
      for (const [path, content] of bundle.files) {
        const file = join(staging, path);
        mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
        writeFileSync(file, content, { mode: 0o600 });
      }
      writeFileSync(join(staging, BUNDLE_COPY), bytes, { mode: 0o600 });
      const target = this.dir(manifest.name, manifest.version);
      mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
      rmSync(target, { recursive: true, force: true });
      renameSync(staging, target);
      return target;
    } catch (err) {
      rmSync(staging, { recursive: true, force: true });
      throw err;
    }
  }

  /** Drops a staged version that failed to load. */
  discard(name: string, version: string): void {
    if (this.get(name)?.version === version) return;
    rmSync(this.dir(name, version), { recursive: true, force: true });
    this.#removeEmpty(name);
  }

  /** Makes `manifest`'s version current in the index (the one before it kept as `previous`). */
  commit(manifest: SkillManifest, source: InstallSource, now = new Date()): InstalledEntry {
    const index = this.index();
    const before = index[manifest.name];
    const entry: InstalledEntry = {
      version: manifest.version,
      publisher: manifest.publisher,
      source,
      installed_at: now.toISOString(),
      previous: before !== undefined && before.version !== manifest.version ? before.version : null,
    };
    this.#write({ ...index, [manifest.name]: entry });
    this.clean();
    return entry;
  }

  /** Removes `name` from the index and the disk; false when it was not installed. */
  uninstall(name: string): boolean {
    const index = this.index();
    if (index[name] === undefined) return false;
    const { [name]: _, ...rest } = index;
    this.#write(rest);
    rmSync(join(this.root, name), { recursive: true, force: true });
    return true;
  }

  /** Removes staging leftovers and versions that are neither current nor previous. */
  clean(): void {
    if (!existsSync(this.root)) return;
    const index = this.index();
    for (const entry of readdirSync(this.root, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const path = join(this.root, entry.name);
      const kept = index[entry.name];
      if (kept === undefined) {
        rmSync(path, { recursive: true, force: true });
        continue;
      }
      for (const version of readdirSync(path)) {
        if (version !== kept.version && version !== kept.previous) {
          rmSync(join(path, version), { recursive: true, force: true });
        }
      }
    }
  }

  #removeEmpty(name: string): void {
    const path = join(this.root, name);
    if (existsSync(path) && readdirSync(path).length === 0 && this.get(name) === undefined)
      rmSync(path, { recursive: true });
  }

  #write(skills: Record<string, InstalledEntry>): void {
    mkdirSync(this.root, { recursive: true, mode: 0o700 });
    const tmp = `${this.#indexFile()}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ skills }, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.#indexFile());
  }
}
