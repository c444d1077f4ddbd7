/**
 * Joining a hub with a pairing code (docs/PROTOCOL.md §17), the satellite's side: connect with the access key
 * `pair:<id>`, run XXpsk2 with the PSK derived from the code (argon2id, salted with the hub's node id as every v3
 * PSK), and read the credentials the hub sends inside the channel. A hub that does not know the code cannot finish
 * its handshake message, so the hub's Noise key learned here is authenticated by the code: pin it.
 *
 * Runs in any runtime: the caller brings the WebSocket and the crypto backend.
 *
 * @example
 * ```ts
 * const joined = await joinWithCode({ url: 'ws://hub:5678', code: parsePairingCode('ABCD-EFGH-JKMN'),
 *   WebSocket, backend: nodeBackend, staticKeyPair });
 * // joined.accessKey, joined.password: save them; pin joined.hubNoiseKey for joined.hostPort
 * ```
 *
 * @module
 */
import type { CryptoBackend, X25519KeyPair } from '../crypto/backend.js';
import { derivePskArgon2id } from '../crypto/psk.js';
import { ERROR_CODES, type ErrorCode, HiveLinkError } from '../errors.js';
import { LIMIT_DEFS } from '../limits.js';
import { createHiveMessage, type HiveMessage } from '../protocol/message.js';
import { HiveMessageType } from '../protocol/message-types.js';
import { ClientHandshake } from '../session/client-handshake.js';
import {
  PAIRING_IDENTITY_TYPE,
  PAIRING_KEY_PREFIX,
  PAIRING_REASON,
  PAIRING_USERAGENT,
  type PairingCode,
  pairingPskPassword,
} from '../session/pairing-code.js';
import { type Timers, unrefTimers } from '../timers.js';
import { Connection, type ConnectionEnd } from './connection.js';
import type { WebSocketConstructor } from './types.js';
import { hubEndpoint } from './url.js';

export interface JoinOptions {
  /** The hub URL (`ws://host:port`). */
  readonly url: string;
  readonly code: PairingCode;
  readonly WebSocket: WebSocketConstructor;
  readonly backend: CryptoBackend;
  /** The satellite's Noise static key: the hub pins its public half to the new client. */
  readonly staticKeyPair: X25519KeyPair;
  /** @default LIMIT_DEFS.clientHandshakeTimeoutMs.default */
  readonly timeoutMs?: number;
  readonly timers?: Timers;
}

/** What the hub gave the new client. */
export interface JoinedIdentity {
  readonly clientId: number;
  readonly name: string;
  readonly siteId: string | null;
  readonly accessKey: string;
  readonly password: string;
  /** The hub's Noise static key, authenticated by the code. */
  readonly hubNoiseKey: Uint8Array;
  /** `"host:port"`, the key to pin it under. */
  readonly hostPort: string;
}

/** The error a pairing connection ended with, in the words of the hub's refusal when it sent one. */
function endError(end: ConnectionEnd): HiveLinkError {
  const match = end.remote ? PAIRING_REASON.exec(end.reason) : null;
  if (match !== null && match[1]! in ERROR_CODES) return new HiveLinkError(match[1] as ErrorCode, match[2]!);
  const error = end.error;
  if (error !== null && end.phase === 'handshaking' && error.code === 'HL_ERR_NOISE_HANDSHAKE_FAILED') {
    return new HiveLinkError(
      'HL_ERR_PAIRING_WRONG_CODE',
      "the hub did not accept this code: check it (each wrong try uses one of the code's few attempts), and that --url is the hub that made it",
      { cause: error },
    );
  }
  if (error !== null) return error;
  return new HiveLinkError(
    'HL_ERR_CONNECT_FAILED',
    `the hub closed the pairing connection (${end.code}${end.reason === '' ? '' : ` ${end.reason}`})`,
  );
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/**
 * Pairs with the hub at `url` using `code`.
 * @throws HiveLinkError `HL_ERR_PAIRING_WRONG_CODE`, the hub's `HL_ERR_PAIRING_UNKNOWN|EXPIRED|USED|ATTEMPTS`,
 *   `HL_ERR_CONNECT_FAILED`, `HL_ERR_HANDSHAKE_TIMEOUT`
 */
export function joinWithCode(o: JoinOptions): Promise<JoinedIdentity> {
  const endpoint = hubEndpoint(o.url, PAIRING_USERAGENT, `${PAIRING_KEY_PREFIX}${o.code.id}`, 'raw');
  return new Promise((resolve, reject) => {
    let hubKey: Uint8Array | null = null;
    let done = false;
    const handshake = new ClientHandshake({
      backend: o.backend,
      password: pairingPskPassword(o.code),
      derivePsk: (password, nodeId) => derivePskArgon2id(o.backend, password, nodeId),
      protocol: 'v3',
      pinnedHubKey: null,
      hubKeyPinned: false,
      staticKeyPair: o.staticKeyPair,
    });
    const conn: Connection = new Connection({
      connectUrl: endpoint.connectUrl,
      WebSocket: o.WebSocket,
      handshake,
      timers: o.timers ?? unrefTimers,
      handshakeTimeoutMs: o.timeoutMs ?? LIMIT_DEFS.clientHandshakeTimeoutMs.default,
      maxBufferedBytes: LIMIT_DEFS.clientMaxBufferedBytes.default,
      sendQueueMessages: 8,
      maxFrameBytes: LIMIT_DEFS.maxFrameBytes.default,
      hello: () => createHiveMessage(HiveMessageType.HELLO, {}),
      onHandshaking: () => undefined,
      onEstablished: async (step) => {
        hubKey = step.hubNoiseKey;
      },
      onOpen: () => undefined,
      onMessage: (message: HiveMessage) => {
        const payload = message.payload as { type?: unknown; data?: Record<string, unknown> } | null;
        if (done || message.msg_type !== HiveMessageType.BUS || payload?.type !== PAIRING_IDENTITY_TYPE)
          return;
        done = true;
        conn.close(1000, 'paired');
        const data = payload.data ?? {};
        const accessKey = text(data.access_key);
        const password = text(data.password);
        const name = text(data.name);
        if (accessKey === null || password === null || name === null || hubKey === null) {
          reject(new HiveLinkError('HL_ERR_HANDSHAKE_UNEXPECTED', 'the hub sent incomplete credentials'));
          return;
        }
        resolve({
          clientId: typeof data.client_id === 'number' ? data.client_id : 0,
          name,
          siteId: text(data.site_id),
          accessKey,
          password,
          hubNoiseKey: hubKey,
          hostPort: endpoint.hostPort,
        });
      },
      onEnd: (end) => {
        if (done) return;
        done = true;
        reject(endError(end));
      },
    });
    conn.start();
  });
}
