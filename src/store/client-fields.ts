/**
 * Defaults and validation of client fields, shared by every store implementation and the admin CLI.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { HiveLinkError } from '../errors.js';
import { CONSENT_MODES } from './consent.js';
import type { ClientPatch, NewClient } from './types.js';

/** The message type every client may send (the legacy hub always adds it). */
export const ALWAYS_ALLOWED_TYPE = 'recognizer_loop:utterance';

/**
 * The house and subscription requests every client may make of the hub (docs/PROTOCOL.md §12.2, §12.7): list the
 * rooms, tell and ask a room, answer a consent question, open and end an intercom line, subscribe and unsubscribe
 * itself. The hub decides what each may do (the asker is the
 * connection, never the message); the admin-only requests (`hive.house.announce`, …) are not among them.
 */
export const DEFAULT_HOUSE_TYPES: readonly string[] = Object.freeze([
  'hive.house.rooms',
  'hive.house.tell',
  'hive.house.ask',
  'hive.house.consent',
  'hive.house.intercom',
  'hive.house.intercom.end',
  'hive.subscriptions.subscribe',
  'hive.subscriptions.unsubscribe',
]);

/**
 * The file and job requests every client may make of the hub (docs/PROTOCOL.md "Files and jobs"): send, resume,
 * fetch, list and remove its own files, and submit, follow and cancel its own jobs. The hub checks each against the
 * asking connection's client (its quota, its files, its jobs).
 */
export const DEFAULT_COMPUTE_TYPES: readonly string[] = Object.freeze([
  'hive.file.offer',
  'hive.file.resume',
  'hive.file.cancel',
  'hive.file.ack',
  'hive.file.get',
  'hive.file.list',
  'hive.file.delete',
  'hive.job.submit',
  'hive.job.get',
  'hive.job.list',
  'hive.job.cancel',
  'hive.job.logs',
]);

/**
 * Default `allowedTypes` of a new client: the legacy HiveMind list (docs/PROTOCOL.md §7.1), then
 * {@link DEFAULT_HOUSE_TYPES} and {@link DEFAULT_COMPUTE_TYPES}. The doc lists four of the legacy ones without a prefix (`record_begin`, …); OVOS names
 * them `recognizer_loop:…`. Both spellings are kept so that satellites and configs of either kind match.
 */
export const DEFAULT_ALLOWED_TYPES: readonly string[] = Object.freeze([
  'recognizer_loop:utterance',
  'recognizer_loop:record_begin',
  'recognizer_loop:record_end',
  'recognizer_loop:audio_output_start',
  'recognizer_loop:audio_output_end',
  'record_begin',
  'record_end',
  'audio_output_start',
  'audio_output_end',
  'recognizer_loop:b64_transcribe',
  'speak:b64_audio',
  'ovos.common_play.SEI.get.response',
  ...DEFAULT_HOUSE_TYPES,
  ...DEFAULT_COMPUTE_TYPES,
]);

/** Prefix of the access key a revoked client gets: `revoked:<id>`. */
export const REVOKED_KEY_PREFIX = 'revoked:';

/** Longest list (allowed types, blocked skills or intents) a client may have. */
export const MAX_LIST_ENTRIES = 1000;

/** 32 random hex characters (16 bytes), the form of generated access keys and passwords. */
export function randomHex32(): string {
  return randomBytes(16).toString('hex');
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

const token = z
  .string()
  .min(1, 'must not be empty')
  .max(256, 'must be at most 256 characters')
  .refine((s) => !/\s/.test(s) && !CONTROL.test(s), 'must not contain spaces or control characters');

const text = (max: number) =>
  z
    .string()
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !CONTROL.test(s), 'must not contain control characters');

const list = z
  .array(token)
  .max(MAX_LIST_ENTRIES, `must have at most ${MAX_LIST_ENTRIES} entries`)
  .transform((a) => [...new Set(a)]);

/** An access key: 1–256 printable characters without spaces, not starting with `revoked:`. */
export const accessKeySchema = token.refine(
  (s) => !s.startsWith(REVOKED_KEY_PREFIX),
  `must not start with "${REVOKED_KEY_PREFIX}"`,
);
/** A password: 1–1024 characters. */
export const passwordSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(1024, 'must be at most 1024 characters');
const nameSchema = text(128).refine((s) => s.trim().length > 0, 'must not be empty');

const patchShape = {
  name: nameSchema,
  siteId: text(128)
    .nullable()
    .transform((s) => (s === '' ? null : s)),
  description: text(1024),
  isAdmin: z.boolean(),
  canBroadcast: z.boolean(),
  canEscalate: z.boolean(),
  canPropagate: z.boolean(),
  allowedTypes: list.transform((a) => (a.includes(ALWAYS_ALLOWED_TYPE) ? a : [ALWAYS_ALLOWED_TYPE, ...a])),
  blockedSkills: list,
  blockedIntents: list,
  minProtocol: z.number().int('must be a whole number').min(1).max(3).nullable(),
  // 0: unlimited (--rate-limit unlimited); null: the hub default.
  rateLimitPerSecond: z.number().nonnegative('must be 0 (unlimited) or positive').max(1_000_000).nullable(),
  allowWeakPassword: z.boolean(),
  consent: z.enum(CONSENT_MODES),
};

const patchSchema = z.strictObject(patchShape).partial();
const newClientSchema = z
  .strictObject({ ...patchShape, accessKey: accessKeySchema, password: passwordSchema })
  .partial()
  .required({ name: true });

function invalid(err: z.ZodError, what: string): HiveLinkError {
  const issue = err.issues[0];
  const path = issue?.path.length ? issue.path.join('.') : what;
  return new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `${path} ${issue?.message ?? 'is invalid'}`);
}

/** Validated, normalised fields of a client patch (lists deduplicated, utterance always allowed). */
export type ValidPatch = z.output<typeof patchSchema>;
/** Validated, normalised new-client fields. */
export type ValidNewClient = z.output<typeof newClientSchema>;

/** Validates a patch; `HL_ERR_INVALID_ARGUMENT` names the first bad field. */
export function validatePatch(patch: ClientPatch): ValidPatch {
  const r = patchSchema.safeParse(patch);
  if (!r.success) throw invalid(r.error, 'patch');
  return r.data;
}

/** Validates new-client fields; `HL_ERR_INVALID_ARGUMENT` names the first bad field. */
export function validateNewClient(client: NewClient): ValidNewClient {
  const r = newClientSchema.safeParse(client);
  if (!r.success) throw invalid(r.error, 'client');
  return r.data;
}

/** Validates a value with a schema, for single fields (`accessKey`, `password`). */
export function validateField<T>(schema: z.ZodType<T>, value: unknown, name: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw invalid(r.error, name);
  return r.data;
}
