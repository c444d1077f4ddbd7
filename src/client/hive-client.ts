/**
 * `HiveClient`: a satellite's connection to a hub, in Node or a browser. It authenticates with the access key in
 * the URL, runs the v3 Noise handshake when the hub offers it (the legacy password handshake otherwise, or as
 * forced), sends its HELLO through the new channel, and then carries HiveMessages both ways. It reconnects with
 * jittered backoff, building every connection from scratch, and stops for good when the hub refuses it.
 *
 * @example
 * ```ts
 * import { createHiveClient } from 'hivelink/client';
 * const client = createHiveClient({ url: 'ws://127.0.0.1:5678', accessKey, password });
 * await client.connect();
 * const { answers } = await client.ask('tell me a joke');
 * client.close();
 * ```
 *
 * @module
 */

import type { MessageContext, MessageData, SessionData } from '../bus/types.js';
import type { X25519KeyPair } from '../crypto/backend.js';
import { derivePskArgon2id } from '../crypto/psk.js';
import { HiveLinkError } from '../errors.js';
import { createHiveMessage, type HiveMessage } from '../protocol/message.js';
import { HiveMessageType } from '../protocol/message-types.js';
import { ClientHandshake } from '../session/client-handshake.js';
import { AskTurn, DEFAULT_ASK_TIMEOUT_MS, UTTERANCE_TYPE } from './ask-turn.js';
import { busMessageOf, fillContext, ownSessionOf, wrappedBusMessageOf } from './bus-context.js';
import { busRequest } from './bus-request.js';
import { Connection, type ConnectionEnd, type EstablishedStep, failedToConnect } from './connection.js';
import {
  type DownloadOptions,
  type FileSource,
  FileTransfers,
  type ReceivedFile,
  type SendFileOptions,
  type SentFile,
} from './files.js';
import {
  type AnnounceAnswer,
  ASK_ROOM_TIMEOUT_MS,
  announceAnswer,
  type ConsentAnswer,
  consentAnswer,
  HOUSE_REQUEST_TIMEOUT_MS,
  HouseRequest,
  type HouseRequestOptions,
  type IntercomAnswer,
  intercomAnswer,
  type RoomAskAnswer,
  type RoomsAnswer,
  roomAskAnswer,
  roomsAnswer,
  type TellAnswer,
  tellAnswer,
} from './house.js';
import {
  type IntercomContent,
  type IntercomMessage,
  IntercomMessaging,
  type IntercomRefusal,
} from './intercom.js';
import type { IntercomShape } from './intercom-envelope.js';
import { JobClient, type JobFile, type JobHandle } from './jobs.js';
import { KeyedListeners, Listeners } from './listeners.js';
import { MailboxReceiver, type MailEntry } from './mailbox.js';
import { type ResolvedOptions, resolveOptions } from './options.js';
import {
  type DirectoryEntry,
  type DirectoryQuery,
  type PrivateMessage,
  type PrivatePayload,
  type PrivateRefusal,
  type PrivateSent,
  SealedMessaging,
} from './sealed.js';
import type {
  AskOptions,
  AskResult,
  ClientState,
  ConnectionInfo,
  HiveClientInit,
  TimerHandle,
} from './types.js';

/** Listens to every message type (with {@link HiveClient.on}) or every bus type (with {@link HiveClient.onBus}). */
export const ANY_TYPE = '*';

/** How long {@link HiveClient.subscribe} and {@link HiveClient.unsubscribe} wait for the hub's answer. */
export const SUBSCRIPTION_REQUEST_TIMEOUT_MS = 5000;

/** The hub's answer to {@link HiveClient.subscribe} / {@link HiveClient.unsubscribe}. */
export interface SubscriptionAnswer {
  /** The subscription's stored name (`morning news`). */
  readonly name: string;
  /** subscribe: the client was subscribed already; unsubscribe: it was not subscribed. */
  readonly unchanged: boolean;
}

/** PSKs kept per hub node id; a hub that changes node id on every connect cannot grow the cache. */
const MAX_CACHED_PSKS = 4;

/** Errors after which retrying cannot help: the client stops and reports them. */
const FATAL_CODES: ReadonlySet<string> = new Set([
  'HL_ERR_AUTH_REFUSED',
  'HL_ERR_HANDSHAKE_VERIFY_FAILED',
  'HL_ERR_NOISE_KEY_MISMATCH',
  'HL_ERR_DOWNGRADE_REFUSED',
  'HL_ERR_NOISE_HANDSHAKE_FAILED',
  'HL_ERR_NEGOTIATION_FAILED',
  'HL_ERR_PSK_DERIVATION',
  'HL_ERR_KEY_FILE',
  'HL_ERR_INVALID_ARGUMENT',
]);

interface Waiter {
  resolve: () => void;
  reject: (error: HiveLinkError) => void;
}

function closedError(): HiveLinkError {
  return new HiveLinkError('HL_ERR_CLIENT_CLOSED', 'the client was closed');
}

/** A connection to one hub; see the module documentation. */
export class HiveClient {
  /** This client's session id (sent in HELLO and every bus message). */
  readonly sessionId: string;
  readonly useragent: string;
  readonly #o: ResolvedOptions;
  #state: ClientState = { type: 'idle' };
  #conn: Connection | null = null;
  #generation = 0;
  #attempt = 0;
  /** Which of the hubs (`url`, `urls`) the next attempt goes to. */
  #endpointIndex = 0;
  #reconnectTimer: TimerHandle | null = null;
  #session: SessionData;
  readonly #psks = new Map<string, Promise<Uint8Array>>();
  #keyPair: Promise<X25519KeyPair> | null = null;
  /** The next attempt is the XXpsk2 retry after a failed KKpsk0: it ignores the pin (and replaces it). */
  #skipPin = false;
  readonly #waiters = new Set<Waiter>();
  readonly #turns = new Set<AskTurn>();
  #askChain: Promise<void> = Promise.resolve();
  readonly #stateListeners = new Listeners<ClientState>();
  readonly #errorListeners = new Listeners<HiveLinkError>();
  readonly #typeListeners = new KeyedListeners<HiveMessage>();
  readonly #busListeners = new KeyedListeners<MessageData>();
  /** Relay mode (sealed messages), made on first use. */
  #sealed: SealedMessaging | null = null;
  /** HiveMind INTERCOM, with the `intercom` option. */
  readonly #intercom: IntercomMessaging | null;
  /** The hub's mailbox: what waited for this client while it was offline. */
  readonly #mailbox: MailboxReceiver;
  /** Files to and from the hub (issue 15). */
  readonly files: FileTransfers;
  /** Jobs on the hub (issue 15). */
  readonly jobs: JobClient;

  /** @throws HiveLinkError `HL_ERR_INVALID_ARGUMENT` naming a bad option */
  constructor(init: HiveClientInit) {
    this.#o = resolveOptions(init);
    this.sessionId = this.#o.sessionId;
    this.useragent = this.#o.useragent;
    this.#session = { session_id: this.sessionId, lang: this.#o.lang, site_id: this.#o.siteId };
    this.#mailbox = new MailboxReceiver({
      host: this,
      timers: this.#o.timers,
      handlers: { sealed: (e) => this.#sealedMail(e), intercom: (e) => this.#intercomMail(e) },
    });
    this.files = new FileTransfers({
      host: this,
      timers: this.#o.timers,
      fileSystem: init.fileSystem ?? null,
    });
    this.jobs = new JobClient(this);
    const o = this.#o;
    this.#intercom =
      o.intercom === null || o.intercomRsa === null
        ? null
        : new IntercomMessaging({
            host: this,
            rsa: o.intercomRsa,
            backend: o.backend,
            identityStore: o.identityStore,
            options: o.intercom,
            lookup: (query) => this.#mailbox.request({ cmd: 'lookup', ...query }),
          });
  }

  get state(): ClientState {
    return this.#state;
  }

  /** What the open connection negotiated, or null when not open. */
  get info(): ConnectionInfo | null {
    if (this.#state.type !== 'open') return null;
    const { type: _type, ...info } = this.#state;
    return info;
  }

  /** A copy of the session the client sends: the latest one the hub returned for this session id. */
  get session(): SessionData {
    return structuredClone(this.#session);
  }

  /** `"host:port"` of the hub, the key its Noise key is pinned under. */
  get hostPort(): string {
    return this.#endpoint().hostPort;
  }

  /** The hub tried now: `url`, else after a failure the next of `urls` in turn. */
  #endpoint(): ResolvedOptions['endpoint'] {
    const list = this.#o.endpoints;
    return list[this.#endpointIndex % list.length] ?? this.#o.endpoint;
  }

  /** Calls `listener` on every state change; returns an unsubscribe function. */
  onState(listener: (state: ClientState) => void): () => void {
    return this.#stateListeners.add(listener);
  }

  /** Calls `listener` with every failure (retryable or not); returns an unsubscribe function. */
  onError(listener: (error: HiveLinkError) => void): () => void {
    return this.#errorListeners.add(listener);
  }

  /**
   * Calls `handler` for every HiveMessage of `msgType` (`'*'`: every message), or with `'file'` for every file sent
   * to this client ({@link ReceivedFile}); returns an unsubscribe function.
   */
  on(event: 'file', handler: (file: ReceivedFile) => void): () => void;
  on(msgType: string, handler: (message: HiveMessage) => void): () => void;
  on(
    msgType: string,
    handler: ((message: HiveMessage) => void) | ((file: ReceivedFile) => void),
  ): () => void {
    if (msgType === 'file') return this.files.onFile(handler as (file: ReceivedFile) => void);
    return this.#typeListeners.add(msgType, handler as (message: HiveMessage) => void);
  }

  /**
   * Sends a file (a path in Node, or bytes) to the hub, or through it to a client or room (`to`), in chunks it can
   * resume after a reconnect; resolves once the hub checked its SHA-256 (docs/PROTOCOL.md "Files and jobs").
   * @throws HiveLinkError as {@link FileTransfers.send}
   */
  sendFile(source: string | Uint8Array | FileSource, options: SendFileOptions = {}): Promise<SentFile> {
    return this.files.send(source, options);
  }

  /**
   * Submits a job of `kind` to the hub (its input `files` sent first), and returns its handle: progress events,
   * `result()`, `cancel()` (docs/PROTOCOL.md "Files and jobs").
   * @throws HiveLinkError as {@link JobClient.submit}
   */
  submitJob(
    kind: string,
    params: Record<string, unknown> = {},
    options: { files?: readonly JobFile[] } = {},
  ): Promise<JobHandle> {
    return this.jobs.submit(kind, params, options);
  }

  /** Fetches a file from the hub (to a path, or as bytes); see {@link FileTransfers.download}. */
  downloadFile(fileId: string, options: DownloadOptions = {}) {
    return this.files.download(fileId, options);
  }

  /**
   * Calls `handler` for every bus message of `busType` (`'*'`: every one) the hub sends, directly (BUS) or wrapped
   * (BROADCAST, PROPAGATE, …); returns an unsubscribe function.
   */
  onBus(busType: string, handler: (message: MessageData) => void): () => void {
    return this.#busListeners.add(busType, handler);
  }

  /**
   * Connects (or waits for the connection in progress). Resolves once the session is open; retryable failures
   * are retried with backoff when reconnect is enabled.
   * @throws HiveLinkError the refusal (`HL_ERR_AUTH_REFUSED`, `HL_ERR_HANDSHAKE_VERIFY_FAILED`,
   *   `HL_ERR_NOISE_HANDSHAKE_FAILED`, `HL_ERR_NOISE_KEY_MISMATCH`, …); with reconnect disabled, the first
   *   failure; `HL_ERR_CLIENT_CLOSED` when {@link close} is called first; with `timeoutMs`,
   *   `HL_ERR_NOT_CONNECTED` when the session is not open by then (the attempt goes on until {@link close})
   */
  connect(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.#state.type === 'open') return Promise.resolve();
    const start = this.#state.type === 'idle' || this.#state.type === 'closed';
    const opened =
      options.timeoutMs === undefined
        ? new Promise<void>((resolve, reject) => this.#waiters.add({ resolve, reject }))
        : this.#waitOpen(options.timeoutMs);
    if (start) {
      this.#o.backoff.reset();
      this.#attempt = 0;
      this.#startAttempt();
    }
    return opened;
  }

  /**
   * Sends one HiveMessage through the encrypted channel.
   * @throws HiveLinkError `HL_ERR_NOT_CONNECTED` unless open; `HL_ERR_SEND_QUEUE_FULL` when the socket is
   *   backed up and the queue is full; a protocol error when the message cannot be encoded
   */
  emit(message: HiveMessage): void {
    if (this.#state.type !== 'open' || this.#conn === null) {
      throw new HiveLinkError('HL_ERR_NOT_CONNECTED', `cannot send while ${this.#state.type}`);
    }
    this.#conn.send(message);
  }

  /**
   * Sends a bus message to the hub's agent as BUS. The context gets, where missing, `source` and `platform` (the
   * useragent), `destination: "HiveMind"` and the client's current session. Returns the bus message sent.
   * @throws HiveLinkError as {@link emit}
   */
  emitBus(type: string, data: Record<string, unknown> = {}, context: MessageContext = {}): MessageData {
    const message: MessageData = {
      type,
      data: structuredClone(data),
      context: fillContext(context, this.useragent, this.#session, this.#o.siteId),
    };
    this.emit(createHiveMessage(HiveMessageType.BUS, message as unknown as HiveMessage['payload']));
    return message;
  }

  /**
   * Asks the hub's assistant: sends `recognizer_loop:utterance` and collects the spoken answers for this session
   * until the turn is handled, not understood (`handled: false`), or the timeout passes with answers
   * (`timedOut: true`). Turns run one at a time, each with the session the previous one returned. Waits for a
   * connection in progress.
   * @throws HiveLinkError `HL_ERR_ASK_TIMEOUT` (no answer in time), `HL_ERR_POLICY_DENIED` (the hub does not
   *   allow this client to send utterances), `HL_ERR_NOT_CONNECTED` (idle, or not open in time),
   *   `HL_ERR_CLIENT_CLOSED`, or the error that closed the client
   */
  ask(utterance: string, options: AskOptions = {}): Promise<AskResult> {
    const run = this.#askChain.then(() => this.#askOnce(utterance, options));
    this.#askChain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /**
   * Subscribes this client to the hub's subscription `name` ("newsletter"; `hivelink subscriptions`): from its next
   * tick the hub says it here, and a tick missed while offline is said once on reconnect. Sends BUS
   * `hive.subscriptions.subscribe {name}` and waits for the hub's answer; the hub takes the client from the
   * connection, never from the message. The type is among a new client's default allowed types; an older
   * client may need it added (`hivelink clients allow-msg ID hive.subscriptions.subscribe`).
   * @throws HiveLinkError the hub's refusal (`HL_ERR_NO_SUBSCRIPTION`, `HL_ERR_TOO_MANY_SUBSCRIBERS`),
   *   `HL_ERR_POLICY_DENIED` (type not allowed), `HL_ERR_ASK_TIMEOUT` (no answer in time), as {@link emit}
   */
  subscribe(name: string, options: { timeoutMs?: number } = {}): Promise<SubscriptionAnswer> {
    return this.#subscriptionRequest('hive.subscriptions.subscribe', name, options.timeoutMs, 'already');
  }

  /** Unsubscribes this client from `name`: the counterpart of {@link subscribe}, same errors. */
  unsubscribe(name: string, options: { timeoutMs?: number } = {}): Promise<SubscriptionAnswer> {
    return this.#subscriptionRequest(
      'hive.subscriptions.unsubscribe',
      name,
      options.timeoutMs,
      'was_subscribed',
    );
  }

  /**
   * Sends BUS `type` with `data` and a fresh `request_id` to a hub service (the house, the subscriptions, …) and
   * resolves with the data of its `<type>.response` when it says `ok: true`.
   * @throws HiveLinkError the hub's refusal with its code, `HL_ERR_POLICY_DENIED` (the type is not in this client's
   *   allowed types), `HL_ERR_ASK_TIMEOUT` (no answer within `timeoutMs`, default 5 s), as {@link emit}
   */
  request(
    type: string,
    data: Record<string, unknown> = {},
    options: { timeoutMs?: number } = {},
  ): Promise<Record<string, unknown>> {
    return busRequest(this, this.#o.timers, type, data, options.timeoutMs ?? HOUSE_REQUEST_TIMEOUT_MS);
  }

  /**
   * The rooms of the house (`hive.house.rooms`, docs/PROTOCOL.md §12.2): each room's clients, who is online, its
   * conference mode, and the clients in no room.
   * @throws HiveLinkError as {@link request}
   */
  async rooms(options: { timeoutMs?: number } = {}): Promise<RoomsAnswer> {
    return roomsAnswer(await this.request(HouseRequest.ROOMS, {}, options));
  }

  /**
   * "tell the kitchen dinner is ready" (`hive.house.tell`): every other online client of `room` hears "<this client's
   * room or name> says: <text>".
   * @throws HiveLinkError `HL_ERR_ROOM_UNKNOWN`, `HL_ERR_ROOM_EMPTY`, `HL_ERR_ROOM_OFFLINE`,
   *   `HL_ERR_INVALID_ARGUMENT`, … as {@link request}
   */
  async tell(room: string, text: string, options: HouseRequestOptions = {}): Promise<TellAnswer> {
    const d = await this.request(HouseRequest.TELL, { room, text, ...langOf(options) }, options);
    return tellAnswer(d);
  }

  /**
   * "ask the garage what time it is" (`hive.house.ask`): the utterance runs on the room's side — its own assistant
   * when a client there is a full assistant (`by: 'client'`), else the hub's in the room's session (`by: 'hub'`) —
   * and resolves with what the room said.
   * @throws HiveLinkError the room refusals, `HL_ERR_RELAY_TIMEOUT`, `HL_ERR_NOT_UNDERSTOOD`, `HL_ERR_RELAY_BUSY`,
   *   … as {@link request} (waiting {@link ASK_ROOM_TIMEOUT_MS} by default)
   */
  async askRoom(room: string, utterance: string, options: HouseRequestOptions = {}): Promise<RoomAskAnswer> {
    const d = await this.request(
      HouseRequest.ASK,
      { room, utterance, ...langOf(options) },
      { timeoutMs: options.timeoutMs ?? ASK_ROOM_TIMEOUT_MS },
    );
    return roomAskAnswer(d);
  }

  /**
   * Speaks `text` on every online client of `options.room`, or of the hub without one (`hive.house.announce`).
   * Admin clients only (the hub refuses others), and the type is not among the default allowed ones: `hivelink
   * clients allow-msg ID hive.house.announce`.
   * @throws HiveLinkError `HL_ERR_ADMIN_REQUIRED`, the room refusals, … as {@link request}
   */
  async announce(
    text: string,
    options: HouseRequestOptions & { room?: string } = {},
  ): Promise<AnnounceAnswer> {
    const target = options.room === undefined ? { all: true } : { room: options.room };
    return announceAnswer(
      await this.request(HouseRequest.ANNOUNCE, { text, ...target, ...langOf(options) }, options),
    );
  }

  /**
   * Answers the consent question the hub asked this client (docs/PROTOCOL.md §12.8, `hive.house.consent`): allow or
   * refuse direct messages from `sender` (a client id or name; without it, the sender of the question waiting now).
   * The answer is remembered; what the sender had waiting is delivered, or dropped and the sender told.
   * @throws HiveLinkError `HL_ERR_CONSENT_NONE_PENDING` (no question waits and no sender was named), … as
   *   {@link request}
   */
  async consent(
    allow: boolean,
    options: { sender?: string | number; timeoutMs?: number } = {},
  ): Promise<ConsentAnswer> {
    const sender = options.sender === undefined ? {} : { sender: options.sender };
    return consentAnswer(await this.request(HouseRequest.CONSENT, { allow, ...sender }, options));
  }

  /**
   * Opens an intercom line to a room or a client (docs/PROTOCOL.md §12.9, `hive.house.intercom`): from then on each
   * utterance on one side is spoken on the other, until {@link endIntercom}, "end intercom" on either side, or
   * `intercomIdleMs` of silence. `state: 'held'` while the called side is asked for consent; BUS
   * `hive.house.intercom.opened` / `closed` tell when the line opens and closes.
   * @throws HiveLinkError `HL_ERR_ROOM_UNKNOWN`, `HL_ERR_ROOM_OFFLINE`, `HL_ERR_CONSENT_DENIED`,
   *   `HL_ERR_INTERCOM_BUSY`, `HL_ERR_INTERCOM_LIMIT`, … as {@link request}
   */
  async intercom(target: string, options: { timeoutMs?: number } = {}): Promise<IntercomAnswer> {
    return intercomAnswer(await this.request(HouseRequest.INTERCOM, { target }, options));
  }

  /**
   * Closes this client's intercom line (`hive.house.intercom.end`); resolves with the line's id.
   * @throws HiveLinkError `HL_ERR_INTERCOM_NOT_OPEN`, … as {@link request}
   */
  async endIntercom(options: { timeoutMs?: number } = {}): Promise<string> {
    return String((await this.request(HouseRequest.INTERCOM_END, {}, options)).line ?? '');
  }

  /**
   * Relay mode (docs/PROTOCOL.md §13): this client's end-to-end identity, the hub's key directory and sealed
   * messages. Made on first use; from then on the client publishes its public keys on every open.
   */
  get sealed(): SealedMessaging {
    if (this.#sealed === null) {
      const sealed = new SealedMessaging({ host: this, identityStore: this.#o.identityStore });
      this.#sealed = sealed;
      const publish = () => void sealed.publish().catch(() => undefined); // a refusal shows on the next send
      this.onState((s) => {
        if (s.type === 'open') publish();
      });
      if (this.#state.type === 'open') publish();
    }
    return this.#sealed;
  }

  /**
   * Seals `message` (a bus message, text or bytes) to `recipient`'s end-to-end key and has the hub relay it: signed
   * by this client (only the recipient learns who wrote it), or `anonymous` (the hub hides the sender from the
   * recipient, who can answer once through a reply handle).
   * @throws HiveLinkError the hub's refusal (`HL_ERR_SEALED_*`, `HL_ERR_CONSENT_*`), as {@link request}
   */
  sendPrivate(
    recipient: number | string | DirectoryEntry,
    message: PrivatePayload,
    options: { anonymous?: boolean } = {},
  ): Promise<PrivateSent> {
    return this.sealed.send(recipient, message, options);
  }

  /** Answers an anonymous sealed message through its one-time reply handle. */
  replyPrivate(to: PrivateMessage, message: PrivatePayload): Promise<PrivateSent> {
    return this.sealed.reply(to, message);
  }

  /** Who this client can write to: the clients (of `{room}`, or `{client}`) that published end-to-end keys. */
  directory(query: DirectoryQuery = {}): Promise<DirectoryEntry[]> {
    return this.sealed.directory(query);
  }

  /** Calls `listener` with every sealed message received, opened and checked; returns an unsubscribe function. */
  onPrivate(listener: (message: PrivateMessage) => void): () => void {
    return this.sealed.onMessage(listener);
  }

  /** Calls `listener` with every sealed message refused (its code); the connection stays open. */
  onPrivateRefused(listener: (refusal: PrivateRefusal) => void): () => void {
    return this.sealed.onRefused(listener);
  }

  /**
   * HiveMind INTERCOM (docs/PROTOCOL.md §5.4; the `intercom` option): seals `message` (a HiveMessage, a bus
   * message, or text sent as BUS `speak`) to `recipient` — a public key PEM, or the name of a client whose key the
   * hub pinned — signed with this client's RSA key, and sends it; the hub relays it, or keeps it in the recipient's
   * mailbox while the recipient is offline. Resolves once sent, with the key it was sealed to.
   * @throws HiveLinkError `HL_ERR_INTERCOM_NO_KEY` (the option is off, or no key is pinned to that name),
   *   `HL_ERR_INTERCOM_TOO_LARGE`, `HL_ERR_NOT_CONNECTED`, …
   */
  sendIntercom(
    recipient: string,
    message: IntercomContent,
    options: { shape?: IntercomShape } = {},
  ): Promise<{ targetPubkey: string; name: string | null }> {
    return this.#intercomSide().send(recipient, message, options);
  }

  /**
   * Calls `listener` with every INTERCOM addressed to this client's key, live or from the mailbox, once its
   * signature verified with a trusted key and it decrypted; returns an unsubscribe function.
   * @throws HiveLinkError `HL_ERR_INTERCOM_NO_KEY` when the `intercom` option is off
   */
  onIntercom(listener: (message: IntercomMessage) => void): () => void {
    return this.#intercomSide().onMessage(listener);
  }

  /** Calls `listener` with every INTERCOM for this client that it refused (its code): nothing of it was used. */
  onIntercomRefused(listener: (refusal: IntercomRefusal) => void): () => void {
    return this.#intercomSide().onRefused(listener);
  }

  /**
   * This client's INTERCOM public key (SPKI PEM), as its HELLO announces it.
   * @throws HiveLinkError `HL_ERR_INTERCOM_NO_KEY` when the `intercom` option is off
   */
  async intercomPublicKey(): Promise<string> {
    return (await this.#intercomSide().keys()).publicKeyPem;
  }

  /**
   * Fetches what waits in the hub's mailbox (RENDEZVOUS `collect`, docs/PROTOCOL.md §5.5), hands each new entry to
   * the {@link onPrivate} or {@link onIntercom} listeners and acknowledges it; resolves with how many were new. The
   * hub also hands mail out by itself when the connection opens: the client takes it the same way, once each (by
   * deposit id). An entry whose kind nobody listens for is left in the mailbox.
   * @throws HiveLinkError `HL_ERR_MAILBOX_REFUSED`, `HL_ERR_ASK_TIMEOUT`, `HL_ERR_NOT_CONNECTED`
   */
  async collectMail(): Promise<number> {
    await this.#mailbox.settled();
    return this.#mailbox.collect();
  }

  /** Closes the connection and stops reconnecting; pending `connect()` and `ask()` calls reject. */
  close(): void {
    this.#generation += 1;
    this.#clearReconnect();
    const conn = this.#conn;
    this.#conn = null;
    conn?.close(1000, 'client closed');
    if (this.#state.type === 'closed' || this.#state.type === 'idle') {
      this.#rejectAll(closedError());
      return;
    }
    this.#setState({ type: 'closed', code: 1000, reason: 'client closed', error: null });
    this.#rejectAll(closedError());
  }

  /** Sends `type {name}` and reads its answer's `flag`. */
  async #subscriptionRequest(
    type: string,
    name: string,
    timeoutMs: number = SUBSCRIPTION_REQUEST_TIMEOUT_MS,
    flag: 'already' | 'was_subscribed',
  ): Promise<SubscriptionAnswer> {
    if (typeof name !== 'string' || name.trim() === '') {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'name: must be a non-empty string');
    }
    const d = await this.request(type, { name }, { timeoutMs });
    return { name: typeof d.name === 'string' ? d.name : name, unchanged: d[flag] === (flag === 'already') };
  }

  async #askOnce(utterance: string, options: AskOptions): Promise<AskResult> {
    if (typeof utterance !== 'string' || utterance.trim().length === 0) {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'utterance: must be a non-empty string');
    }
    const timeoutMs = options.timeoutMs ?? DEFAULT_ASK_TIMEOUT_MS;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'timeoutMs: must be a positive number');
    }
    await this.#whenOpen(timeoutMs);
    return new Promise<AskResult>((resolve, reject) => {
      const turn = new AskTurn({
        sessionId: this.sessionId,
        timeoutMs,
        timers: this.#o.timers,
        resolve,
        reject,
        onDone: () => this.#turns.delete(turn),
      });
      this.#turns.add(turn);
      try {
        this.emitBus(UTTERANCE_TYPE, {
          utterances: [utterance],
          lang: options.lang ?? this.#o.lang,
        });
      } catch (err) {
        turn.fail(err instanceof HiveLinkError ? err : new HiveLinkError('HL_ERR_INTERNAL', String(err)));
      }
    });
  }

  /** Resolves when open; waits through connecting/reconnecting for at most `timeoutMs`. */
  #whenOpen(timeoutMs: number): Promise<void> {
    const type = this.#state.type;
    if (type === 'open') return Promise.resolve();
    if (type === 'idle' || type === 'closed') {
      return Promise.reject(
        new HiveLinkError('HL_ERR_NOT_CONNECTED', `cannot ask while ${type}; call connect()`),
      );
    }
    return this.#waitOpen(timeoutMs);
  }

  /** A waiter for the next open, given up after `timeoutMs`. */
  #waitOpen(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = this.#o.timers.setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new HiveLinkError('HL_ERR_NOT_CONNECTED', `not connected within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter = {
        resolve: () => {
          this.#o.timers.clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          this.#o.timers.clearTimeout(timer);
          reject(error);
        },
      };
      this.#waiters.add(waiter);
    });
  }

  #intercomSide(): IntercomMessaging {
    if (this.#intercom === null) {
      throw new HiveLinkError('HL_ERR_INTERCOM_NO_KEY', 'INTERCOM needs the client option intercom');
    }
    return this.#intercom;
  }

  /** A sealed message from the mailbox: taken when someone listens for sealed messages. */
  async #sealedMail(entry: MailEntry): Promise<boolean> {
    const sealed = this.#sealed;
    if (sealed === null || !sealed.listening) return false;
    return sealed.receive(entry.payload, { depositedAt: entry.depositedAt });
  }

  /** An INTERCOM from the mailbox: taken when the client has INTERCOM and someone listens. */
  async #intercomMail(entry: MailEntry): Promise<boolean> {
    const intercom = this.#intercom;
    if (intercom === null || !intercom.listening) return false;
    return intercom.receiveMail(entry);
  }

  #startAttempt(): void {
    const generation = ++this.#generation;
    this.#attempt += 1;
    this.#setState({ type: 'connecting', attempt: this.#attempt });
    this.#prepare().then(
      ({ pin, keyPair, intercomKey }) => {
        if (generation === this.#generation) this.#open(generation, pin, keyPair, intercomKey);
      },
      (err: unknown) => {
        if (generation !== this.#generation) return;
        const error = err instanceof HiveLinkError ? err : new HiveLinkError('HL_ERR_INTERNAL', String(err));
        this.#onEnd(failedToConnect(error));
      },
    );
  }

  async #prepare(): Promise<{
    pin: Uint8Array | null;
    keyPair: X25519KeyPair;
    intercomKey: string | null;
  }> {
    const [pin, keyPair, intercom] = await Promise.all([
      this.#o.pinStore.get(this.hostPort),
      this.#staticKeyPair(),
      this.#intercom?.keys() ?? null,
    ]);
    return { pin, keyPair, intercomKey: intercom?.publicKeyPem ?? null };
  }

  #open(
    generation: number,
    pin: Uint8Array | null,
    keyPair: X25519KeyPair,
    intercomKey: string | null,
  ): void {
    const o = this.#o;
    const skipPin = this.#skipPin;
    this.#skipPin = false;
    const handshake = new ClientHandshake({
      backend: o.backend,
      password: o.password,
      psk: o.psk,
      derivePsk: (password, nodeId) => this.#derivePsk(password, nodeId),
      protocol: o.protocol,
      ...(o.suites ? { suites: o.suites } : {}),
      ...(o.encodings ? { encodings: o.encodings } : {}),
      ...(o.ciphers ? { ciphers: o.ciphers } : {}),
      binarize: o.binarize,
      pinnedHubKey: skipPin ? null : pin,
      hubKeyPinned: pin !== null,
      allowLegacyFallback: o.allowLegacyFallback,
      staticKeyPair: keyPair,
      limits: { maxFrameBytes: o.maxFrameBytes },
    });
    const current = () => generation === this.#generation;
    const conn = new Connection({
      connectUrl: this.#endpoint().connectUrl,
      WebSocket: o.WebSocket,
      handshake,
      timers: o.timers,
      handshakeTimeoutMs: o.handshakeTimeoutMs,
      maxBufferedBytes: o.maxBufferedBytes,
      sendQueueMessages: o.sendQueueMessages,
      maxFrameBytes: o.maxFrameBytes,
      hello: () =>
        createHiveMessage(HiveMessageType.HELLO, {
          pubkey: intercomKey,
          session: structuredClone(this.#session) as HiveMessage['metadata'],
          site_id: o.siteId,
          ...(o.assistant ? { hivelink_assistant: true } : {}),
        }),
      onHandshaking: () => {
        if (current()) this.#setState({ type: 'handshaking', attempt: this.#attempt });
      },
      onEstablished: (step) => this.#pin(step, skipPin ? null : pin),
      onOpen: (info) => {
        if (!current()) return;
        o.backoff.reset();
        this.#attempt = 0;
        this.#setState({ type: 'open', ...info });
        const waiters = [...this.#waiters];
        this.#waiters.clear();
        for (const waiter of waiters) waiter.resolve();
      },
      onMessage: (message) => {
        if (current()) this.#dispatch(message);
      },
      onEnd: (end) => {
        if (current()) this.#onEnd(end);
      },
    });
    this.#conn = conn;
    conn.start();
  }

  /** Trust on first use: the first v3 handshake with this host:port pins the hub's key. */
  async #pin(step: EstablishedStep, pinned: Uint8Array | null): Promise<void> {
    if (step.hubNoiseKey !== null && pinned === null)
      await this.#o.pinStore.set(this.hostPort, step.hubNoiseKey);
  }

  #staticKeyPair(): Promise<X25519KeyPair> {
    if (this.#keyPair === null) {
      const store = this.#o.identityStore;
      const backend = this.#o.backend;
      const loading = (async () => {
        const stored = await store.getNoisePrivateKey();
        if (stored !== null) return backend.x25519KeyPair(stored);
        const fresh = backend.x25519KeyPair();
        await store.setNoisePrivateKey(fresh.privateKey);
        return fresh;
      })();
      this.#keyPair = loading;
      loading.catch(() => {
        if (this.#keyPair === loading) this.#keyPair = null;
      });
    }
    return this.#keyPair;
  }

  /**
   * argon2id once per hub node id for the client's lifetime (the password is fixed per client), and once per
   * `pskCache` when there is one: a one-shot client then connects with no derivation at all.
   */
  #derivePsk(password: string, nodeId: string): Promise<Uint8Array> {
    const cached = this.#psks.get(nodeId);
    if (cached !== undefined) return cached;
    const store = this.#o.pskCache;
    const derive = () => derivePskArgon2id(this.#o.backend, password, nodeId);
    const derived =
      store === null
        ? derive()
        : (async () => {
            const kept = await store.getPsk(nodeId).catch(() => null);
            if (kept !== null) return kept;
            const psk = await derive();
            // Best effort: a cache that cannot be written only costs the next client the derivation.
            await store.setPsk(nodeId, psk).catch(() => undefined);
            return psk;
          })();
    this.#psks.set(nodeId, derived);
    if (this.#psks.size > MAX_CACHED_PSKS) this.#psks.delete(this.#psks.keys().next().value!);
    derived.catch(() => {
      if (this.#psks.get(nodeId) === derived) this.#psks.delete(nodeId);
    });
    return derived;
  }

  #dispatch(message: HiveMessage): void {
    const bus = busMessageOf(message);
    if (bus !== null) {
      const session = ownSessionOf(bus, this.sessionId);
      if (session !== null) this.#session = session;
      for (const turn of [...this.#turns]) turn.receive(bus);
    }
    const delivered = bus ?? wrappedBusMessageOf(message);
    if (delivered !== null) {
      this.#busListeners.emit(delivered.type, delivered);
      this.#busListeners.emit(ANY_TYPE, delivered);
    }
    this.#typeListeners.emit(message.msg_type, message);
    this.#typeListeners.emit(ANY_TYPE, message);
  }

  #onEnd(end: ConnectionEnd): void {
    this.#conn = null;
    const error = classify(end);
    this.#errorListeners.emit(error);
    if (isKkFailure(end, error)) {
      // The hub's key may have changed (docs/PROTOCOL.md §3.5): redo the handshake with XX now, without the pin; the
      // new key replaces it once that succeeds. The pin stays until then, so the retry (and any later one) still
      // refuses a legacy fallback.
      this.#setState({ type: 'reconnecting', delayMs: 0, attempt: this.#attempt, error });
      this.#skipPin = true;
      this.#startAttempt();
      return;
    }
    if (FATAL_CODES.has(error.code) || !this.#o.reconnect) {
      this.#stop(error, end);
      return;
    }
    // With several hubs (a cluster), the next attempt goes to the next one.
    if (this.#o.endpoints.length > 1)
      this.#endpointIndex = (this.#endpointIndex + 1) % this.#o.endpoints.length;
    const delayMs = this.#o.backoff.next();
    this.#setState({ type: 'reconnecting', delayMs, attempt: this.#attempt, error });
    const generation = this.#generation;
    this.#reconnectTimer = this.#o.timers.setTimeout(() => {
      this.#reconnectTimer = null;
      if (generation === this.#generation) this.#startAttempt();
    }, delayMs);
  }

  #stop(error: HiveLinkError, end: ConnectionEnd): void {
    this.#generation += 1;
    this.#clearReconnect();
    this.#setState({ type: 'closed', code: end.code, reason: end.reason, error });
    this.#rejectAll(error);
  }

  #rejectAll(error: HiveLinkError): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const waiter of waiters) waiter.reject(error);
    for (const turn of [...this.#turns]) turn.fail(error);
  }

  #clearReconnect(): void {
    if (this.#reconnectTimer !== null) this.#o.timers.clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
  }

  #setState(state: ClientState): void {
    this.#state = Object.freeze(state);
    this.#stateListeners.emit(this.#state);
  }
}

/** `{lang}` when the options name one. */
function langOf(options: HouseRequestOptions): { lang?: string } {
  return options.lang === undefined ? {} : { lang: options.lang };
}

/** The typed error for how a connection ended. */
function classify(end: ConnectionEnd): HiveLinkError {
  if (end.error !== null) return end.error;
  const reason = end.reason === '' ? 'no reason given' : end.reason;
  if (end.code === 1008) {
    return new HiveLinkError('HL_ERR_AUTH_REFUSED', `the hub refused the connection: ${reason}`, {
      stage: `client.${end.phase}`,
    });
  }
  if (end.phase === 'open') {
    return new HiveLinkError('HL_ERR_CONNECTION_LOST', `connection lost (close ${end.code}: ${reason})`);
  }
  const hint =
    end.phase === 'handshaking' && (end.code === 1005 || end.code === 1000)
      ? '; an old hub does this for an unknown access key, or when it shares no encoding or cipher with this client (--encoding, --cipher)'
      : '';
  return new HiveLinkError(
    'HL_ERR_CONNECT_FAILED',
    `the hub closed the connection before the session opened (close ${end.code}: ${reason})${hint}`,
    { stage: `client.${end.phase}` },
  );
}

/** A KKpsk0 handshake that failed in a way a stale pin explains: retry once with XXpsk2 and no pin. */
function isKkFailure(end: ConnectionEnd, error: HiveLinkError): boolean {
  if (end.pattern !== 'KKpsk0' || end.phase !== 'handshaking') return false;
  return (
    error.code === 'HL_ERR_NOISE_HANDSHAKE_FAILED' ||
    error.code === 'HL_ERR_NOISE_STATE' ||
    error.code === 'HL_ERR_AUTH_REFUSED'
  );
}
