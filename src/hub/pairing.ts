/**
 * The hub's side of pairing (docs/PROTOCOL.md §17): a satellite that connects with the access key `pair:<id>` is not
 * a client yet, so the hub does not authenticate it: it looks the pending pairing up in the store, charges the
 * handshake to it (`pairingMaxAttempts`), and runs an XXpsk2 handshake whose PSK is derived (argon2id, off the event
 * loop) from the code's secret. The handshake is the proof: only a satellite that holds the code completes msg3.
 * Then, inside the encrypted channel, the hub claims the pairing (once, in one write transaction), makes the client
 * (random access key and password, the name and room `hivelink pair` gave, the satellite's Noise key pinned), sends
 * its credentials (`hivelink.pair.identity`) and closes. A refusal closes with 1008 and `HL_ERR_PAIRING_…: why`.
 *
 * @module
 */
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { CryptoBackend, X25519KeyPair } from '../crypto/backend.js';
import { derivePskArgon2id } from '../crypto/psk.js';
import { CLOSE_POLICY_VIOLATION, type ErrorCode, HiveLinkError, isHiveLinkError } from '../errors.js';
import { createHiveMessage, serializeHiveMessage } from '../protocol/message.js';
import { HiveMessageType } from '../protocol/message-types.js';
import { HubHandshake, hubHandshakeLimits } from '../session/hub-handshake.js';
import { SessionMachine } from '../session/machine.js';
import {
  isPairingId,
  PAIRING_IDENTITY_TYPE,
  PAIRING_KEY_PREFIX,
  pairingPskPassword,
} from '../session/pairing-code.js';
import type { PairingRefusal, PairingRules } from '../store/pairings.js';
import type { ClientStore } from '../store/types.js';
import { unrefTimers } from '../timers.js';
import { parseAuthorization } from './auth.js';
import type { HubConfig } from './config.js';
import { gatePreOpenFrames, preOpenMessageBytes, wsFrameSocket } from './ws-frame-socket.js';

/** Pairing handshakes the hub runs at once; one more is refused (each costs an argon2id). */
export const MAX_PAIRING_SESSIONS = 32;
/** A pairing handshake gets this many times `handshakeTimeoutMs`. */
export const PAIRING_TIMEOUT_FACTOR = 3;

const REFUSALS: Record<PairingRefusal, [ErrorCode, string]> = {
  unknown: ['HL_ERR_PAIRING_UNKNOWN', 'no such pairing code on this hub: run hivelink pair again'],
  expired: ['HL_ERR_PAIRING_EXPIRED', 'the pairing code expired: run hivelink pair again'],
  used: ['HL_ERR_PAIRING_USED', 'the pairing code was used already: a code pairs once'],
  burnt: ['HL_ERR_PAIRING_ATTEMPTS', 'too many attempts: the pairing code is burnt, run hivelink pair again'],
};

function refused(why: PairingRefusal): HiveLinkError {
  const [code, message] = REFUSALS[why];
  return new HiveLinkError(code, message, { closeCode: CLOSE_POLICY_VIOLATION, stage: 'hub.pairing' });
}

/**
 * The pairing id an upgrade names (any access key `pair:…`; a malformed id is refused as unknown), or null: the
 * hub authenticates that connection as a client.
 */
export function pairingUpgradeId(url: string): string | null {
  const auth = parseAuthorization(url);
  if (auth === null || !auth.accessKey.startsWith(PAIRING_KEY_PREFIX)) return null;
  return auth.accessKey.slice(PAIRING_KEY_PREFIX.length);
}

export interface PairingResponderInit {
  store: ClientStore;
  config: HubConfig;
  identity: { readonly noiseStatic: X25519KeyPair; readonly rsaPublicPem: string };
  /** The handshake's backend. */
  backend: CryptoBackend;
  /** The backend for the PSK's argon2id (off the event loop). */
  kdfBackend: CryptoBackend;
  logger: Logger;
}

/** The pairing handshakes of one hub. */
export class PairingResponder {
  readonly #init: PairingResponderInit;
  readonly #sessions = new Set<SessionMachine>();

  constructor(init: PairingResponderInit) {
    this.#init = init;
  }

  get #rules(): PairingRules {
    const limits = this.#init.config.limits;
    return { maxAttempts: limits.pairingMaxAttempts, lifetimeMs: limits.pairingLifetimeMs };
  }

  /** Takes an upgraded websocket that named pairing `id`; `running` false closes it with 1001. */
  accept(ws: WebSocket, socket: Duplex, ip: string, id: string, running: boolean): void {
    const limits = this.#init.config.limits;
    let established: { clientKey: Uint8Array | null } | null = null;
    let handshake: HubHandshake | null = null;
    const machine: SessionMachine = new SessionMachine({
      socket: wsFrameSocket(ws, socket),
      timers: unrefTimers,
      limits: {
        // Both sides run a 64 MiB argon2id within it (the hub's in a fresh worker thread), uncached: three times the
        // time a client's handshake gets.
        handshakeTimeoutMs: PAIRING_TIMEOUT_FACTOR * limits.handshakeTimeoutMs,
        maxHandshakeFrameBytes: Math.min(limits.maxHandshakeFrameBytes, limits.maxFrameBytes),
        inboundQueueMessages: 8,
        maxBufferedBytes: limits.maxBufferedBytes,
        sendQueueMessages: 0,
        pingIntervalMs: 0,
        pingTimeoutMs: 0,
        closeGraceMs: Math.max(1000, limits.shutdownGraceMs),
        parse: { maxJsonDepth: limits.maxJsonDepth, maxWrapperDepth: limits.maxWrapperDepth },
      },
      serializeClear: serializeHiveMessage,
      role: {
        handshake: async (message) => {
          // The satellite's HELLO may come early; a pairing session has no use for it.
          if (message.msg_type === HiveMessageType.HELLO) return { send: [], channel: null };
          const step = await handshake!.handle(message);
          if (step.type === 'ignored') return { send: [], channel: null };
          if (step.type === 'established') established = { clientKey: step.clientNoiseKey };
          return {
            send: step.reply === null ? [] : [step.reply],
            channel: step.type === 'established' ? step.channel : null,
          };
        },
        opened: () => {
          this.#redeem(machine, id, ip, established?.clientKey ?? null).catch((err: unknown) => {
            const error = isHiveLinkError(err)
              ? err
              : new HiveLinkError('HL_ERR_INTERNAL', 'pairing failed', { cause: err });
            this.#init.logger.warn({ pairing: id, ip, code: error.code, err }, 'pairing failed');
            machine.fail(error);
          });
        },
        message: () => undefined,
        closeFor: (error) => ({
          code: error.closeCode ?? CLOSE_POLICY_VIOLATION,
          reason: `${error.code}: ${error.message}`,
        }),
      },
      onEnd: (end) => {
        if (end.error !== null && !end.error.code.startsWith('HL_ERR_PAIRING_')) {
          this.#init.logger.info({ pairing: id, ip, code: end.error.code }, 'pairing handshake failed');
        }
      },
    });
    this.#sessions.add(machine);
    void machine.closed.then(() => this.#sessions.delete(machine));
    gatePreOpenFrames(socket, {
      maxMessageBytes: preOpenMessageBytes(limits),
      isOpen: () => false,
      onTooLarge: (bytes) =>
        machine.fail(new HiveLinkError('HL_ERR_FRAME_TOO_LARGE', `message of ${bytes} bytes while pairing`)),
    });
    if (!running) {
      machine.close(1001, 'hub shutting down');
      return;
    }
    if (this.#sessions.size > MAX_PAIRING_SESSIONS) {
      machine.fail(new HiveLinkError('HL_ERR_TOO_MANY_CONNECTIONS', 'too many pairings at once'));
      return;
    }
    this.#start(machine, id, ip).then(
      (hs) => {
        handshake = hs;
        if (hs !== null) machine.begin([hs.helloMessage(), hs.requestMessage()]);
      },
      (err: unknown) => {
        this.#init.logger.error({ err, pairing: id }, 'cannot read the pairing');
        machine.fail(new HiveLinkError('HL_ERR_INTERNAL', 'client database unavailable', { cause: err }));
      },
    );
  }

  /** Charges the attempt and builds the handshake; null when the pairing was refused (the session is failed). */
  async #start(machine: SessionMachine, id: string, ip: string): Promise<HubHandshake | null> {
    const { store, config, identity, backend, kdfBackend, logger } = this.#init;
    if (!isPairingId(id)) {
      machine.fail(refused('unknown'));
      return null;
    }
    const charged = await store.pairings.attempt(id, this.#rules);
    if (!charged.ok) {
      logger.info({ pairing: id, ip, why: charged.why }, 'pairing refused');
      machine.fail(refused(charged.why));
      return null;
    }
    const nodeId = identity.rsaPublicPem;
    const password = pairingPskPassword({ id, secret: charged.secret });
    // Started now: the satellite derives its copy at the same time.
    const psk = derivePskArgon2id(kdfBackend, password, nodeId);
    psk.catch(() => undefined);
    return new HubHandshake({
      backend,
      hello: { pubkey: identity.rsaPublicPem, peer: `pair::${id}`, node_id: nodeId },
      offer: {
        minProtocol: 3,
        maxProtocol: 3,
        binarize: false,
        encodings: config.allowedEncodings,
        ciphers: config.allowedCiphers,
        // XX: the satellite knows no key of the hub yet; the code's PSK authenticates both.
        noise: { patterns: ['XXpsk2'], suites: config.noiseSuites },
      },
      password,
      noiseStatic: identity.noiseStatic,
      pinnedClientKey: null,
      psk: () => psk,
      limits: hubHandshakeLimits(config.limits),
    });
  }

  /** The satellite proved the code: claim the pairing once, make the client, hand over its credentials. */
  async #redeem(
    machine: SessionMachine,
    id: string,
    ip: string,
    clientKey: Uint8Array | null,
  ): Promise<void> {
    const { store, logger } = this.#init;
    const claim = await store.pairings.claim(id, this.#rules);
    if (!claim.ok) throw refused(claim.why);
    const { record } = claim;
    let added: Awaited<ReturnType<ClientStore['addClient']>>;
    try {
      added = await store.addClient({ name: record.name, siteId: record.siteId });
      if (clientKey !== null)
        await store.pinNoiseKey(added.record.id, Buffer.from(clientKey).toString('hex'));
    } catch (err) {
      await store.pairings.release(id).catch(() => undefined);
      throw err;
    }
    await store.pairings.settle(id, added.record.id);
    logger.info({ pairing: id, ip, clientId: added.record.id, name: record.name }, 'satellite paired');
    machine.send(
      createHiveMessage(HiveMessageType.BUS, {
        type: PAIRING_IDENTITY_TYPE,
        data: {
          client_id: added.record.id,
          name: added.record.name,
          site_id: added.record.siteId,
          access_key: added.record.accessKey,
          password: added.password,
        },
        context: {},
      }),
    );
    machine.close(1000, 'paired');
  }

  /** Closes every pairing session (the hub stops). */
  async stop(): Promise<void> {
    const closing = [...this.#sessions].map((m) => m.closed);
    for (const machine of this.#sessions) machine.close(1001, 'hub shutting down');
    await Promise.all(closing);
  }
}
