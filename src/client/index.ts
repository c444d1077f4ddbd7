/**
 * The client SDK for Node: {@link HiveClient} bound to the `ws` WebSocket and the node:crypto backend, plus the
 * file-backed key stores. Browsers get `index.browser.ts` through the `browser` export condition.
 *
 * @example
 * ```ts
 * import { createHiveClient, FileIdentityStore } from 'hivelink/client';
 * const identity = new FileIdentityStore('/var/lib/my-satellite/identity.json');
 * const client = createHiveClient({ url: 'ws://hub.local:5678', accessKey, password, identityStore: identity, pinStore: identity });
 * await client.connect();
 * console.log((await client.ask('what time is it')).answers);
 * ```
 *
 * @packageDocumentation
 */
import { WebSocket } from 'ws';
import { nodeBackend } from '../crypto/backend.node.js';
import { nodeFileSystem } from './file-system.node.js';
import { HiveClient } from './hive-client.js';
import { nodeIntercomRsa } from './intercom-rsa.node.js';
import { type TlsTrust, trustingWebSocket } from './tls.node.js';
import type { HiveClientOptions, WebSocketConstructor } from './types.js';

export * from './common.js';
export { FileIdentityStore } from './identity-store.node.js';
export { FilePinStore } from './pin-store.node.js';
export {
  certificateFingerprint,
  fetchCertificate,
  normalizeFingerprint,
  pinnedTrust,
  type TlsTrust,
  trustingWebSocket,
} from './tls.node.js';

/** Node's construction options: those of every runtime, plus what the websocket trusts for a `wss://` hub. */
export type NodeHiveClientOptions = HiveClientOptions & {
  /** Extra CAs, or a pinned certificate ({@link pinnedTrust}); ignored when `WebSocket` is given. */
  tls?: TlsTrust;
};

/** A {@link HiveClient} on `ws` and the node:crypto backend (either can be overridden in `options`). */
export function createHiveClient(options: NodeHiveClientOptions): HiveClient {
  const { tls, ...rest } = options;
  return new HiveClient({
    ...rest,
    backend: options.backend ?? nodeBackend,
    WebSocket:
      options.WebSocket ??
      (tls === undefined ? (WebSocket as unknown as WebSocketConstructor) : trustingWebSocket(tls)),
    intercomRsa: options.intercomRsa ?? nodeIntercomRsa,
    fileSystem: options.fileSystem ?? nodeFileSystem,
  });
}
