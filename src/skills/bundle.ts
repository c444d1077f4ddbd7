/**
 * Skill bundles (`NAME-VERSION.hlskill`, docs/PROTOCOL.md §15): a manifest (name, version, publisher key, each file's
 * SHA-256 and size, required permissions, entry), the files, and an Ed25519 signature over the canonical manifest.
 *
 * The container is length-prefixed (no archive library, nothing to unpack outside its directory):
 *
 * ```text
 * "HLSKILL1"                       8 bytes, ASCII magic and format version
 * u32be n  manifest                n bytes, the canonical manifest JSON (UTF-8)
 * u32be s  signature               s = 64 (Ed25519 over "hivelink-skill-v1\n" + manifest bytes), or 0: unsigned
 * u32be f  file count              f = manifest.files.length
 * f times: u32be k  content        the file's bytes, in the order of manifest.files
 * ```
 *
 * The manifest's canonical form is JSON with object keys sorted and no whitespace ({@link canonicalJson}); a reader
 * refuses a manifest whose bytes are not canonical, so what was signed is exactly what it parses.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { HiveLinkError } from '../errors.js';

/** The first 8 bytes of every bundle. */
export const BUNDLE_MAGIC = 'HLSKILL1';
/** What the signature covers before the manifest bytes (domain separation). */
export const SIGNATURE_CONTEXT = 'hivelink-skill-v1\n';
/** The manifest format this code writes and reads. */
export const MANIFEST_FORMAT = 1;
/** The file extension of bundles. */
export const BUNDLE_EXTENSION = '.hlskill';

/** What a skill's manifest may ask for (docs/PROTOCOL.md §15.3). */
export const PERMISSIONS = ['fallback', 'converse'] as const;
/** `request:TYPE` (a bus request, `ctx.request`), `TYPE` ending in `*` for a prefix. */
export const REQUEST_PERMISSION_PREFIX = 'request:';

/** One file of a bundle as its manifest lists it. */
export interface ManifestFile {
  /** Relative, `/`-separated, no `..`, no leading `/` or `.`. */
  readonly path: string;
  /** Lowercase hex SHA-256 of the content. */
  readonly sha256: string;
  readonly size: number;
}

/** The signed part of a bundle. */
export interface SkillManifest {
  readonly format: typeof MANIFEST_FORMAT;
  /** The skill id (`name.author`): the id its module's default export must have. */
  readonly name: string;
  /** Semantic version `MAJOR.MINOR.PATCH[-pre]`. */
  readonly version: string;
  /** The publisher's Ed25519 public key, 64 lowercase hex characters. */
  readonly publisher: string;
  /** The module the sandbox imports (one of `files`). */
  readonly entry: string;
  /** See {@link PERMISSIONS}, {@link REQUEST_PERMISSION_PREFIX}. */
  readonly permissions: readonly string[];
  /** Intent names (`skill_id:intent`), recorded at pack time for `skills list` and `clients block-intent`. */
  readonly intents: readonly string[];
  readonly description?: string;
  /** Sorted by path. */
  readonly files: readonly ManifestFile[];
}

/** A bundle read from bytes (not yet verified). */
export interface ParsedBundle {
  readonly manifest: SkillManifest;
  /** The manifest bytes the signature covers. */
  readonly manifestBytes: Uint8Array;
  /** Empty when unsigned. */
  readonly signature: Uint8Array;
  /** Path → content, in manifest order. */
  readonly files: ReadonlyMap<string, Uint8Array>;
}

const SEMVER =
  /^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;
const SKILL_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)+$/;
const HEX64 = /^[0-9a-f]{64}$/;
const MAX_FILES = 256;

function invalid(why: string): never {
  throw new HiveLinkError('HL_ERR_SKILL_BUNDLE_INVALID', `not a valid skill bundle: ${why}`);
}

/** JSON with object keys sorted (recursively) and no whitespace: the manifest's canonical form. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Parses `MAJOR.MINOR.PATCH[-pre]`, or null. */
export function parseVersion(version: string): { core: [number, number, number]; pre: string[] } | null {
  const m = SEMVER.exec(version);
  if (m === null) return null;
  return { core: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] === undefined ? [] : m[4].split('.') };
}

/** Semver precedence: negative when `a < b`, 0 when equal, positive when `a > b`. */
export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  if (x === null || y === null) throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'not a semantic version');
  for (let i = 0; i < 3; i++) if (x.core[i] !== y.core[i]) return x.core[i]! - y.core[i]!;
  if (x.pre.length === 0 || y.pre.length === 0) return y.pre.length - x.pre.length;
  for (let i = 0; i < Math.min(x.pre.length, y.pre.length); i++) {
    const [p, q] = [x.pre[i]!, y.pre[i]!];
    if (p === q) continue;
    const [pn, qn] = [/^\d+$/.test(p), /^\d+$/.test(q)];
    if (pn && qn) return Number(p) - Number(q);
    if (pn !== qn) return pn ? -1 : 1;
    return p < q ? -1 : 1;
  }
  return x.pre.length - y.pre.length;
}

/** True for a safe relative path inside the skill's directory. */
export function safeRelativePath(path: string): boolean {
  if (path === '' || path.length > 255 || path.startsWith('/') || path.includes('\\')) return false;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters have no place in a path
  if (/[\u0000-\u001f]/.test(path)) return false;
  return path.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..' && !seg.startsWith('.'));
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** `name-version.hlskill`. */
export function bundleFileName(manifest: Pick<SkillManifest, 'name' | 'version'>): string {
  return `${manifest.name}-${manifest.version}${BUNDLE_EXTENSION}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks a permission string. */
export function validPermission(p: unknown): p is string {
  if (typeof p !== 'string') return false;
  if ((PERMISSIONS as readonly string[]).includes(p)) return true;
  return p.startsWith(REQUEST_PERMISSION_PREFIX) && /^[A-Za-z0-9_.:-]+\*?$/.test(p.slice(8));
}

/**
 * Checks a manifest's shape (not its signature or hashes).
 * @throws HiveLinkError HL_ERR_SKILL_BUNDLE_INVALID naming the first problem.
 */
export function validateManifest(value: unknown): SkillManifest {
  if (!isObject(value)) invalid('the manifest is not a JSON object');
  const m = value;
  if (m.format !== MANIFEST_FORMAT) invalid(`manifest format ${JSON.stringify(m.format)} (this hub reads 1)`);
  if (typeof m.name !== 'string' || !SKILL_NAME.test(m.name)) invalid('name must look like "name.author"');
  if (typeof m.version !== 'string' || parseVersion(m.version) === null) {
    invalid('version must be a semantic version (1.2.3)');
  }
  if (typeof m.publisher !== 'string' || !HEX64.test(m.publisher))
    invalid('publisher must be 64 hex characters');
  if (!Array.isArray(m.permissions) || !m.permissions.every(validPermission)) {
    invalid(`permissions must be a list of ${PERMISSIONS.join(', ')} or request:TYPE`);
  }
  if (
    !Array.isArray(m.intents) ||
    !m.intents.every((i) => typeof i === 'string' && i.startsWith(`${m.name}:`))
  ) {
    invalid('intents must be a list of "name:intent"');
  }
  if (m.description !== undefined && typeof m.description !== 'string')
    invalid('description must be a string');
  if (!Array.isArray(m.files) || m.files.length === 0 || m.files.length > MAX_FILES) {
    invalid(`files must list 1 to ${MAX_FILES} files`);
  }
  let previous = '';
  for (const f of m.files as unknown[]) {
    if (!isObject(f) || typeof f.path !== 'string' || !safeRelativePath(f.path)) {
      invalid(`file path ${JSON.stringify(isObject(f) ? f.path : f)} is not a safe relative path`);
    }
    if (typeof f.sha256 !== 'string' || !HEX64.test(f.sha256)) invalid(`file ${f.path}: sha256 must be hex`);
    if (!Number.isSafeInteger(f.size) || (f.size as number) < 0) invalid(`file ${f.path}: bad size`);
    if (f.path <= previous) invalid('files must be sorted by path, each once');
    previous = f.path;
  }
  if (typeof m.entry !== 'string' || !(m.files as ManifestFile[]).some((f) => f.path === m.entry)) {
    invalid('entry must be one of the files');
  }
  if (!/\.m?js$/.test(m.entry as string)) invalid('entry must be a .js or .mjs module');
  return m as unknown as SkillManifest;
}

/** What {@link packBundle} takes. */
export interface PackInput {
  readonly name: string;
  readonly version: string;
  readonly entry: string;
  readonly permissions?: readonly string[];
  readonly intents?: readonly string[];
  readonly description?: string;
  /** Relative path → content. */
  readonly files: ReadonlyMap<string, Uint8Array>;
  /** The publisher's 32-byte Ed25519 secret key; null makes an unsigned bundle (which no hub installs). */
  readonly secretKey: Uint8Array | null;
  /** The publisher key when unsigned (hex). @default derived from `secretKey` */
  readonly publisher?: string;
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
}

/** The manifest and its signature for `input`, then the bundle bytes. */
export function packBundle(input: PackInput): { manifest: SkillManifest; bytes: Uint8Array } {
  const publisher =
    input.secretKey === null
      ? (input.publisher ?? '0'.repeat(64))
      : Buffer.from(ed25519.getPublicKey(input.secretKey)).toString('hex');
  const paths = [...input.files.keys()].sort();
  const manifest = validateManifest({
    format: MANIFEST_FORMAT,
    name: input.name,
    version: input.version,
    publisher,
    entry: input.entry,
    permissions: [...(input.permissions ?? [])],
    intents: [...(input.intents ?? [])],
    ...(input.description === undefined ? {} : { description: input.description }),
    files: paths.map((path) => {
      const content = input.files.get(path)!;
      return { path, sha256: sha256Hex(content), size: content.length };
    }),
  });
  const manifestBytes = new TextEncoder().encode(canonicalJson(manifest));
  const signature =
    input.secretKey === null ? new Uint8Array(0) : ed25519.sign(signedBytes(manifestBytes), input.secretKey);
  const parts: Uint8Array[] = [
    new TextEncoder().encode(BUNDLE_MAGIC),
    u32(manifestBytes.length),
    manifestBytes,
    u32(signature.length),
    signature,
    u32(paths.length),
  ];
  for (const path of paths) {
    const content = input.files.get(path)!;
    parts.push(u32(content.length), content);
  }
  return { manifest, bytes: Buffer.concat(parts) };
}

function signedBytes(manifestBytes: Uint8Array): Uint8Array {
  return Buffer.concat([Buffer.from(SIGNATURE_CONTEXT, 'utf8'), manifestBytes]);
}

/**
 * Reads the container (magic, lengths, manifest shape); does not check the signature or the hashes.
 * @throws HiveLinkError HL_ERR_SKILL_BUNDLE_INVALID
 */
export function parseBundle(bytes: Uint8Array, maxBytes: number = Number.MAX_SAFE_INTEGER): ParsedBundle {
  if (bytes.length > maxBytes)
    invalid(`it is ${bytes.length} bytes, more than skillBundleMaxBytes (${maxBytes})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const take = (n: number, what: string): Uint8Array => {
    if (at + n > bytes.length) invalid(`truncated in ${what}`);
    const out = bytes.subarray(at, at + n);
    at += n;
    return out;
  };
  const length = (what: string): number => {
    if (at + 4 > bytes.length) invalid(`truncated before ${what}`);
    const n = view.getUint32(at);
    at += 4;
    return n;
  };
  if (Buffer.from(take(8, 'the magic')).toString('latin1') !== BUNDLE_MAGIC) invalid('no HLSKILL1 magic');
  const manifestBytes = take(length('the manifest'), 'the manifest');
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(manifestBytes));
  } catch {
    invalid('the manifest is not UTF-8 JSON');
  }
  const manifest = validateManifest(parsed);
  if (canonicalJson(manifest) !== Buffer.from(manifestBytes).toString('utf8')) {
    invalid('the manifest is not in canonical form (sorted keys, no whitespace)');
  }
  const sigLength = length('the signature');
  if (sigLength !== 0 && sigLength !== 64) invalid('a signature must be 64 bytes (or absent)');
  const signature = take(sigLength, 'the signature');
  const count = length('the file count');
  if (count !== manifest.files.length) invalid(`${count} files, the manifest lists ${manifest.files.length}`);
  const files = new Map<string, Uint8Array>();
  for (const f of manifest.files) files.set(f.path, take(length(f.path), f.path));
  if (at !== bytes.length) invalid('bytes after the last file');
  return { manifest, manifestBytes, signature, files };
}

/** Who may publish: the decision {@link verifyBundle} asks for. */
export type TrustCheck = (publisher: string) => boolean;

/**
 * Parses and verifies a bundle: signed, the signature valid for the manifest's publisher, every file's size and
 * hash as listed, and (when `trusted` is given) the publisher trusted.
 *
 * @throws HiveLinkError HL_ERR_SKILL_BUNDLE_INVALID, HL_ERR_SKILL_UNSIGNED, HL_ERR_SKILL_TAMPERED,
 *   HL_ERR_SKILL_UNTRUSTED
 */
export function verifyBundle(
  bytes: Uint8Array,
  options: { maxBytes?: number; trusted?: TrustCheck } = {},
): ParsedBundle {
  const bundle = parseBundle(bytes, options.maxBytes);
  const { manifest } = bundle;
  const label = `${manifest.name} ${manifest.version}`;
  if (bundle.signature.length === 0) {
    throw new HiveLinkError('HL_ERR_SKILL_UNSIGNED', `skill bundle ${label} is not signed`);
  }
  let ok = false;
  try {
    ok = ed25519.verify(
      bundle.signature,
      signedBytes(bundle.manifestBytes),
      Buffer.from(manifest.publisher, 'hex'),
    );
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new HiveLinkError(
      'HL_ERR_SKILL_TAMPERED',
      `skill bundle ${label}: the signature does not verify for publisher ${manifest.publisher}`,
    );
  }
  for (const f of manifest.files) {
    const content = bundle.files.get(f.path)!;
    if (content.length !== f.size || sha256Hex(content) !== f.sha256) {
      throw new HiveLinkError(
        'HL_ERR_SKILL_TAMPERED',
        `skill bundle ${label}: file ${f.path} does not match its SHA-256 in the manifest`,
      );
    }
  }
  if (options.trusted !== undefined && !options.trusted(manifest.publisher)) {
    throw new HiveLinkError(
      'HL_ERR_SKILL_UNTRUSTED',
      `skill bundle ${label}: publisher ${manifest.publisher} is not trusted (hivelink skills trust KEY)`,
    );
  }
  return bundle;
}
