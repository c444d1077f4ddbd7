/**
 * Skill bundles for the tests: a one-intent skill module (its utterance answered with a fixed sentence, or a body of
 * the test's own), packed and signed in-process with {@link packBundle}, or written out as a directory for
 * `hivelink skills pack`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { packBundle } from '../../src/skills/bundle.js';

/** What a test skill says and does. */
export interface TestSkill {
  /** The skill id (`name.author`) and the manifest name. */
  readonly id: string;
  readonly version: string;
  /** The example sentence of its one intent. */
  readonly utterance: string;
  /** What it speaks. */
  readonly answer?: string;
  /** The intent handler's body (JavaScript; `ctx` is the context). @default speaks `answer` */
  readonly handler?: string;
  /** Module source before the definition (top-level code: a throw, a loop). @default '' */
  readonly prelude?: string;
  /** Extra module exports (`export function selfCheck() {…}`). @default '' */
  readonly exports?: string;
  readonly permissions?: readonly string[];
}

/** The module text of `skill`. */
export function skillModule(skill: TestSkill): string {
  const handler = skill.handler ?? `ctx.speak(${JSON.stringify(skill.answer ?? 'ok')});`;
  return `${skill.prelude ?? ''}
export default {
  id: ${JSON.stringify(skill.id)},
  locale: { en: { intents: { 'answer.intent': [${JSON.stringify(skill.utterance)}] } } },
  intents: [{ name: 'answer.intent', handler: async (ctx) => { ${handler} } }],
};
${skill.exports ?? ''}
`;
}

/** A fresh Ed25519 publisher secret key and its public key (hex). */
export function publisherKey(): { secret: Uint8Array; publicKey: string } {
  const secret = ed25519.utils.randomSecretKey();
  return { secret, publicKey: Buffer.from(ed25519.getPublicKey(secret)).toString('hex') };
}

/** `skill` packed into bundle bytes, signed with `secret` (null: unsigned). */
export function bundleOf(skill: TestSkill, secret: Uint8Array | null): Uint8Array {
  return bundleOfModule(skill.id, skill.version, skillModule(skill), secret, skill.permissions);
}

/** A bundle named `name` at `version` whose one file `skill.mjs` is `source`. */
export function bundleOfModule(
  name: string,
  version: string,
  source: string,
  secret: Uint8Array | null,
  permissions: readonly string[] = [],
): Uint8Array {
  return packBundle({
    name,
    version,
    entry: 'skill.mjs',
    permissions,
    intents: [`${name}:answer.intent`],
    files: new Map([['skill.mjs', new TextEncoder().encode(source)]]),
    secretKey: secret,
  }).bytes;
}

/** Writes `skill` as a directory `hivelink skills pack` takes (skill.json and skill.mjs); returns it. */
export function writeSkillDir(root: string, skill: TestSkill): string {
  const dir = join(root, `${skill.id}-${skill.version}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'skill.json'),
    JSON.stringify({
      name: skill.id,
      version: skill.version,
      entry: 'skill.mjs',
      permissions: skill.permissions ?? [],
    }),
  );
  writeFileSync(join(dir, 'skill.mjs'), skillModule(skill));
  return dir;
}

/** `bytes` with one byte of the last file flipped (its hash no longer matches). */
export function tampered(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes);
  out[out.length - 3] = out[out.length - 3]! ^ 0x20;
  return out;
}
