/**
 * The client SDK for browsers (and any runtime with a global `WebSocket` and `crypto.getRandomValues`):
 * {@link HiveClient} bound to the global WebSocket and the @noble crypto backend. No Node built-in is imported.
 *
 * @example
 * ```ts
 * import { createHiveClient } from 'hivelink/client';
 * const client = createHiveClient({ url: 'wss://hub.example:5678', accessKey, password });
 * client.onState((state) => console.log(state.type));
 * await client.connect();
 * ```
 *
 * @packageDocumentation
 */
import { browserBackend } from '../crypto/backend.browser.js';
import { HiveLinkError } from '../errors.js';
import { HiveClient } from './hive-client.js';
import { webIntercomRsa } from './intercom-rsa.web.js';
import type { HiveClientOptions, WebSocketConstructor } from './types.js';

export * from './common.js';

/** A {@link HiveClient} on the global `WebSocket` and the browser backend (either can be overridden in `options`). */
export function createHiveClient(options: HiveClientOptions): HiveClient {
  const ws = options.WebSocket ?? (globalThis.WebSocket as unknown as WebSocketConstructor | undefined);
  if (ws === undefined) {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ARGUMENT',
      'WebSocket: this runtime has no global WebSocket; pass one',
    );
  }
  return new HiveClient({
    ...options,
    backend: options.backend ?? browserBackend,
    WebSocket: ws,
    intercomRsa: options.intercomRsa ?? webIntercomRsa,
  });
}
