/**
 * The client store (Node only): clients, secrets at rest, hub identity, data dir, IP rules.
 *
 * @example
 * ```ts
 * import { openDataDir, resolveDataDir } from 'hivelink/store';
 * const data = openDataDir(resolveDataDir());
 * const { record, password } = await data.store.addClient({ name: 'kitchen' });
 * ```
 *
 * @packageDocumentation
 */
export {
  ALWAYS_ALLOWED_TYPE,
  DEFAULT_ALLOWED_TYPES,
  REVOKED_KEY_PREFIX,
} from './client-fields.js';
export {
  DATA_DIR_MODE,
  DATABASE_FILE,
  type DataDir,
  type DataDirPaths,
  dataDirPaths,
  ensureDataDir,
  openDataDir,
  type ResolveDataDirOptions,
  resolveDataDir,
} from './data-dir.js';
export { type HubIdentity, loadOrCreateHubIdentity, NOISE_KEY_FILE, RSA_KEY_FILE } from './identity.js';
export {
  type Cidr,
  cidrContains,
  evaluateIp,
  formatIp,
  type IpAddress,
  type IpRuleInput,
  IpRuleSet,
  normalizeCidr,
  parseCidr,
  parseIp,
} from './ip-rules.js';
export {
  DEFAULT_LAST_SEEN_INTERVAL_MS,
  LastSeenBatcher,
  type LastSeenBatcherInit,
  type LastSeenTimers,
} from './last-seen.js';
export { loadOrCreateSecretsKey, openSecret, SECRETS_KEY_FILE, sealSecret } from './secrets.js';
export {
  DEFAULT_HISTORY_LIMIT,
  DEFAULT_WATCH_INTERVAL_MS,
  openSqliteStore,
  type SqliteStoreInit,
} from './sqlite.js';
/** Every type of the store's interface, including what its methods take and return (timers, logged connections). */
export type * from './types.js';
