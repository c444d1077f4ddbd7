/**
 * hivelink: a hub-and-mesh for voice assistants, wire-compatible with HiveMind (legacy v1/v2 and Noise v3).
 *
 * This entry holds every public export: the wire protocol and the crypto API whole (their own index files name
 * them), and the client SDK, backends, Noise, PSK, error and limit exports by name. Narrower entries:
 * `hivelink/protocol` (the pure wire protocol) and `hivelink/client` (the client SDK; its `browser` condition picks
 * the browser build). The hub is added here when it is published.
 *
 * @example
 * ```ts
 * import { createHiveClient, HiveMessageType } from 'hivelink';
 * const client = createHiveClient({ url: 'ws://127.0.0.1:5678', accessKey, password });
 * await client.connect();
 * client.on(HiveMessageType.BROADCAST, (message) => console.log(message.payload));
 * ```
 *
 * @packageDocumentation
 */

export {
  ANY_TYPE,
  authorizationToken,
  CLIENT_VERSION,
  createHiveClient,
  DEFAULT_USERAGENT,
  FileIdentityStore,
  FilePinStore,
  HiveClient,
  MemoryIdentityStore,
  MemoryPinStore,
} from './client/index.js';
export {
  browserBackend,
  createBrowserBackend,
} from './crypto/backend.browser.js';
export {
  createNodeBackend,
  nodeBackend,
} from './crypto/backend.node.js';
export * from './crypto/index.js';
export {
  buildNoisePrologue,
  CipherState,
  type CipherStateOptions,
  isNoisePattern,
  isNoiseSuite,
  MAX_HANDSHAKE_PAYLOAD_BYTES,
  NOISE_MAX_MESSAGE_BYTES,
  NOISE_PATTERNS,
  NOISE_SUITES,
  NoiseHandshake,
  type NoiseHandshakeInit,
  type NoiseOffer,
  type NoisePattern,
  type NoiseRole,
  type NoiseSelectOptions,
  type NoiseSuite,
  type NoiseTransportCiphers,
  noiseHkdf,
  noiseNonce,
  noiseProtocolName,
  SymmetricState,
  selectNoiseOffer,
} from './crypto/noise/index.js';
export {
  derivePskArgon2id,
  derivePskPbkdf2,
  type Pbkdf2PskOptions,
  PSK_ARGON2ID_PARAMS,
  PSK_BYTES,
  parseProvisionedPsk,
} from './crypto/psk.js';
export {
  CLOSE_INTERNAL_ERROR,
  CLOSE_MESSAGE_TOO_BIG,
  CLOSE_POLICY_VIOLATION,
  CLOSE_TRY_AGAIN_LATER,
  ERROR_CODES,
  type ErrorCode,
  type ErrorCodeInfo,
  HiveLinkError,
  type HiveLinkErrorOptions,
  isHiveLinkError,
} from './errors.js';
export {
  defaultLimits,
  LIMIT_DEFS,
  type LimitDef,
  type LimitName,
  type Limits,
  resolveLimits,
} from './limits.js';
export * from './protocol/index.js';
