/**
 * What the SQLite store lends each of its parts (house, consent, mailbox, relay, subscriptions): one shape, so a
 * part is written against the same connection, error wrapper, write transaction and clock as the others.
 *
 * @module
 */
import type { Kysely } from 'kysely';
import type { Schema } from './sqlite-schema.js';

export interface StorePartDeps {
  readonly db: Kysely<Schema>;
  /** Runs `fn`, wrapping every failure as `HL_ERR_STORE_UNAVAILABLE` (or its own code). */
  guard<T>(what: string, fn: () => Promise<T>): Promise<T>;
  /** Runs `fn` in a `BEGIN IMMEDIATE` transaction. */
  write<T>(fn: (db: Kysely<Schema>) => Promise<T>): Promise<T>;
  /** The store's clock, in ms. */
  now(): number;
}
