/**
 * Relay mode in the SDK (issue 12, docs/PROTOCOL.md §13): the client's end-to-end identity (X25519 + Ed25519, kept
 * by its identity store beside its Noise key, or made once per client when the store keeps none), published to the
 * hub on every open (`hive.relay.keys.publish`); the hub's directory of who can be written to
 * (`hive.relay.directory`); and sealed messages — {@link SealedMessaging.send} seals a bus message, text or bytes
 * to the recipient's X25519 key (signed by default, anonymous on request) and the hub relays what it cannot read;
 * every `hive.relay.deliver` is opened, checked and handed to the `onPrivate` listeners, or refused with its code
 * to the `onPrivateRefused` listeners (the connection stays open).
 *
 * What the recipient checks: the envelope opens with its key (else `HL_ERR_SEALED_OPEN_FAILED`), its timestamp is
 * within `maxSkewMs` (`HL_ERR_SEALED_STALE`), its id is new (`HL_ERR_SEALED_REPLAY`, the last {@link SEEN_IDS}), and a
 * signed one's signature verifies by a key the directory gives to a client (`HL_ERR_SEALED_BAD_SIGNATURE`).
 * Browser-safe.
 *
 * @module
 */
import type { MessageData } from '../bus/types.js';
import {
  type E2eIdentity,
  e2eFingerprint,
  e2eIdentity,
  openEnvelope,
  replyKeyPair,
  sealEnvelope,
} from '../crypto/sealed.js';
import { HiveLinkError, isHiveLinkError } from '../errors.js';
import { base64Decode, base64Encode, hexEncode } from '../protocol/hex.node.js';
import { SealedContent, type SealedContentType, sameBytes } from '../protocol/sealed.js';
import { Listeners } from './listeners.js';
import type { IdentityStore } from './types.js';

/** Sealed message ids a client remembers to refuse a replay. */
export const SEEN_IDS = 1024;
/** One-time reply keys of anonymous messages sent, kept for their answers. */
export const MAX_REPLY_KEYS = 256;
/** How long the SDK waits for the hub's answer to a relay request. */
export const RELAY_REQUEST_TIMEOUT_MS = 5000;

/** One client of the hub's directory (of this hub, or of another hub of the mesh). */
export interface DirectoryEntry {
  /** Its client id on this hub; null for a client of another hub. */
  readonly clientId: number | null;
  readonly name: string;
  /** The name of the hub it is a client of, when that is another hub of the mesh; else null. */
  readonly hub: string | null;
  /** That hub's node fingerprint (16 hex), else null. */
  readonly hubNode: string | null;
  /** What to write to: its name here, `name@<hub node>` across the mesh. */
  readonly address: string;
  /** The route to it across the mesh (a token of this hub, for this client), else null. */
  readonly route: string | null;
  readonly room: string | null;
  readonly online: boolean;
  /** Base64 of its X25519 public key (what messages to it are sealed to). */
  readonly x25519: string;
  /** Base64 of its Ed25519 public key (what its signatures verify with). */
  readonly ed25519: string;
  /** `sha256:…` of both keys: compare it out of band to know the hub handed out the right ones. */
  readonly fingerprint: string;
}

/**
 * Who to ask the directory about: a room, a client (id or name; `name@hub`, the hub by name or node fingerprint, for
 * a client of another hub of the mesh), or everyone.
 */
export type DirectoryQuery = { room: string } | { client: number | string } | Record<string, never>;

/** What a sealed message carries: a whole bus message, text, or bytes. */
export type PrivatePayload = MessageData | string | Uint8Array;

/** A sealed message this client received, opened and checked. */
export interface PrivateMessage {
  /** The message id (hex). */
  readonly id: string;
  /** When the sender sealed it (ms since the epoch, its clock). */
  readonly timestamp: number;
  readonly anonymous: boolean;
  /** The signer, from the directory; null when anonymous. */
  readonly sender: DirectoryEntry | null;
  readonly kind: 'bus' | 'text' | 'bytes';
  readonly bus: MessageData | null;
  readonly text: string | null;
  readonly bytes: Uint8Array | null;
  /** An answer to an anonymous message this client sent (opened with that message's one-time reply key). */
  readonly isReply: boolean;
  /** Anonymous: what {@link SealedMessaging.reply} needs (the hub's handle and the sender's one-time key). */
  readonly replyTo: { readonly handle: string; readonly key: Uint8Array } | null;
  /** When the hub's mailbox took it for this client while it was offline (ms, the hub's clock); null: live. */
  readonly depositedAt: number | null;
}

/** A sealed message this client refused. */
export interface PrivateRefusal {
  readonly error: HiveLinkError;
  /** The message id, when the header read. */
  readonly id: string | null;
}

/** What {@link SealedMessaging.send} came to. */
export interface PrivateSent {
  readonly id: string;
  /** Delivered to an open connection of the recipient now. */
  readonly delivered: boolean;
  /** Taken by the hub's mailbox for an offline recipient. */
  readonly deposited: boolean;
}

/** What the messaging needs of a {@link HiveClient}. */
export interface SealedHost {
  onBus(busType: string, handler: (message: MessageData) => void): () => void;
  request(
    type: string,
    data: Record<string, unknown>,
    options: { timeoutMs?: number },
  ): Promise<Record<string, unknown>>;
}

export interface SealedMessagingInit {
  host: SealedHost;
  identityStore: IdentityStore;
  /** @default 300 000 ms (the hub's default `sealedMaxSkewMs`) */
  maxSkewMs?: number;
  /** @default Date.now */
  now?: () => number;
}

const b64 = (bytes: Uint8Array) => base64Encode('JSON-B64', bytes);
const unb64 = (text: string) => base64Decode('JSON-B64', text);

function entryOf(d: Record<string, unknown>): DirectoryEntry {
  const remote = typeof d.route === 'string';
  return {
    clientId: remote ? null : Number(d.client_id),
    name: String(d.name),
    hub: remote && typeof d.hub === 'string' ? d.hub : null,
    hubNode: remote && typeof d.hub_node === 'string' ? d.hub_node : null,
    address: remote && typeof d.address === 'string' ? d.address : String(d.name),
    route: remote ? (d.route as string) : null,
    room: typeof d.room === 'string' ? d.room : null,
    online: d.online === true,
    x25519: String(d.x25519),
    ed25519: String(d.ed25519),
    fingerprint: String(d.fingerprint),
  };
}

function contentOf(message: PrivatePayload): { content: SealedContentType; payload: Uint8Array } {
  if (message instanceof Uint8Array) return { content: SealedContent.BYTES, payload: message };
  if (typeof message === 'string')
    return { content: SealedContent.TEXT, payload: new TextEncoder().encode(message) };
  if (typeof message !== 'object' || message === null || typeof message.type !== 'string') {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ARGUMENT',
      'message: a bus message {type, data}, a string or bytes',
    );
  }
  const bus = { type: message.type, data: message.data ?? {}, context: message.context ?? {} };
  return { content: SealedContent.BUS, payload: new TextEncoder().encode(JSON.stringify(bus)) };
}

/** The relay side of one {@link HiveClient}; see the module documentation. */
export class SealedMessaging {
  readonly #init: SealedMessagingInit;
  readonly #now: () => number;
  #identity: Promise<E2eIdentity> | null = null;
  #published: Promise<unknown> | null = null;
  readonly #seen = new Set<string>();
  readonly #replyKeys = new Map<string, Uint8Array>();
  readonly #bySigner = new Map<string, DirectoryEntry>();
  readonly #messages = new Listeners<PrivateMessage>();
  readonly #refusals = new Listeners<PrivateRefusal>();
  #receiving: Promise<void> = Promise.resolve();

  constructor(init: SealedMessagingInit) {
    this.#init = init;
    this.#now = init.now ?? Date.now;
    init.host.onBus('hive.relay.deliver', (m) => {
      const d = m.data ?? {};
      void this.receive(
        d.envelope,
        typeof d.reply_handle === 'string' ? { replyHandle: d.reply_handle } : {},
      );
    });
  }

  /**
   * Resolves once every sealed message received so far is opened and handed over (or refused), and the keys being
   * published are (a command that closes after it has its keys pinned: others can write to it).
   */
  async settled(): Promise<void> {
    await this.#receiving;
    await this.#published;
  }

  /** True while someone listens for sealed messages ({@link onMessage}). */
  get listening(): boolean {
    return this.#messages.size > 0;
  }

  /**
   * Opens, checks and hands over one envelope (base64) as a `hive.relay.deliver` brings it, or a mailbox entry
   * (`depositedAt`: the freshness window is measured from when the hub took it, which it checked then, not from
   * now). Envelopes are taken one at a time, in arrival order, so the replay check sees every earlier id. Resolves
   * true once the message went to the {@link onMessage} listeners or was refused to the {@link onRefused} ones.
   */
  receive(envelope: unknown, options: { replyHandle?: string; depositedAt?: number } = {}): Promise<boolean> {
    let opened = options;
    if (options.depositedAt !== undefined && typeof envelope === 'string' && envelope.includes(' ')) {
      // Mail of an anonymous message: the envelope, a space, its reply handle (docs/PROTOCOL.md §13, mail that waited).
      const at = envelope.indexOf(' ');
      opened = { ...options, replyHandle: envelope.slice(at + 1) };
      envelope = envelope.slice(0, at);
    }
    const run = this.#receiving.then(() => this.#receive(envelope, opened));
    this.#receiving = run.then(
      () => undefined,
      () => undefined,
    );
    return run.then(() => true);
  }

  onMessage(listener: (message: PrivateMessage) => void): () => void {
    return this.#messages.add(listener);
  }

  onRefused(listener: (refusal: PrivateRefusal) => void): () => void {
    return this.#refusals.add(listener);
  }

  /** This client's end-to-end identity: loaded from its identity store, or made and stored on first use. */
  identity(): Promise<E2eIdentity> {
    if (this.#identity === null) {
      const store = this.#init.identityStore;
      const loading = (async () => {
        const stored = (await store.getE2eKeys?.()) ?? null;
        if (stored !== null) return e2eIdentity(stored);
        const fresh = e2eIdentity();
        await store.setE2eKeys?.({
          x25519PrivateKey: fresh.x25519.privateKey,
          ed25519PrivateKey: fresh.ed25519.privateKey,
        });
        return fresh;
      })();
      this.#identity = loading;
      loading.catch(() => {
        if (this.#identity === loading) this.#identity = null;
      });
    }
    return this.#identity;
  }

  /** `sha256:…` of this client's public keys, as the directory and `hivelink clients show` print it. */
  async fingerprint(): Promise<string> {
    const id = await this.identity();
    return e2eFingerprint(id.x25519.publicKey, id.ed25519.publicKey);
  }

  /**
   * Publishes this client's public keys to the hub (the client does it on every open). The first keys a client
   * publishes are pinned to it; other keys later are `HL_ERR_RELAY_KEY_MISMATCH` until an admin resets them.
   */
  publish(): Promise<{ status: string; fingerprint: string }> {
    const run = (async () => {
      const id = await this.identity();
      const d = await this.#request('hive.relay.keys.publish', {
        x25519: b64(id.x25519.publicKey),
        ed25519: b64(id.ed25519.publicKey),
      });
      return { status: String(d.status), fingerprint: String(d.fingerprint) };
    })();
    this.#published = run.catch(() => undefined);
    return run;
  }

  /** Who this client can write to: the clients (of a room, or one client) that published keys. */
  async directory(query: DirectoryQuery = {}): Promise<DirectoryEntry[]> {
    const d = await this.#request('hive.relay.directory', query as Record<string, unknown>);
    const entries = (Array.isArray(d.clients) ? d.clients : []).map((c) =>
      entryOf(c as Record<string, unknown>),
    );
    for (const e of entries) this.#bySigner.set(e.ed25519, e);
    return entries;
  }

  /**
   * Seals `message` to `recipient` (a client id or name, or a directory entry) and has the hub relay it.
   * @throws HiveLinkError the hub's refusal (`HL_ERR_SEALED_UNKNOWN_RECIPIENT`, `HL_ERR_SEALED_NO_KEY`,
   *   `HL_ERR_SEALED_TOO_LARGE`, `HL_ERR_SEALED_ANONYMOUS_REFUSED`, `HL_ERR_SEALED_OFFLINE`, `HL_ERR_CONSENT_*`, …)
   */
  async send(
    recipient: number | string | DirectoryEntry,
    message: PrivatePayload,
    options: { anonymous?: boolean } = {},
  ): Promise<PrivateSent> {
    const { content, payload } = contentOf(message);
    const entry = typeof recipient === 'object' ? recipient : await this.#entry(recipient);
    const sender = options.anonymous === true ? this.#newReplyKey() : { signedBy: await this.identity() };
    if (!('replyKey' in sender)) await this.#published;
    const sealed = await sealEnvelope({
      recipientKey: unb64(entry.x25519),
      content,
      payload,
      sender,
      timestamp: this.#now(),
    });
    const to: Record<string, unknown> =
      entry.route === null ? { to: entry.clientId } : { to: entry.address, route: entry.route };
    return this.sendEnvelope('hive.relay.send', { ...to, envelope: b64(sealed.envelope) });
  }

  /** Answers an anonymous message through its one-time handle (signed by this client; one answer per handle). */
  async reply(to: PrivateMessage, message: PrivatePayload): Promise<PrivateSent> {
    if (to.replyTo === null) {
      throw new HiveLinkError('HL_ERR_SEALED_REPLY_HANDLE', 'only an anonymous message has a reply handle');
    }
    const { content, payload } = contentOf(message);
    await this.#published;
    const sealed = await sealEnvelope({
      recipientKey: to.replyTo.key,
      content,
      payload,
      sender: { signedBy: await this.identity() },
      timestamp: this.#now(),
    });
    return this.sendEnvelope('hive.relay.reply', {
      handle: to.replyTo.handle,
      envelope: b64(sealed.envelope),
    });
  }

  /** Sends an envelope already sealed (`hive.relay.send {to, envelope}` or `hive.relay.reply {handle, envelope}`). */
  async sendEnvelope(
    type: 'hive.relay.send' | 'hive.relay.reply',
    data: Record<string, unknown>,
  ): Promise<PrivateSent> {
    const d = await this.#request(type, data);
    return { id: String(d.id), delivered: d.delivered === true, deposited: d.deposited === true };
  }

  async #entry(recipient: number | string): Promise<DirectoryEntry> {
    const [entry] = await this.directory({ client: recipient });
    if (entry === undefined) {
      throw new HiveLinkError(
        'HL_ERR_SEALED_NO_KEY',
        `no published end-to-end keys for ${JSON.stringify(recipient)}`,
      );
    }
    return entry;
  }

  #newReplyKey(): { replyKey: Uint8Array } {
    const pair = replyKeyPair();
    this.#replyKeys.set(hexEncode(pair.publicKey), pair.privateKey);
    while (this.#replyKeys.size > MAX_REPLY_KEYS)
      this.#replyKeys.delete(this.#replyKeys.keys().next().value!);
    return { replyKey: pair.publicKey };
  }

  #request(type: string, data: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.#init.host.request(type, data, { timeoutMs: RELAY_REQUEST_TIMEOUT_MS });
  }

  async #receive(envelope: unknown, options: { replyHandle?: string; depositedAt?: number }): Promise<void> {
    let id: string | null = null;
    try {
      if (typeof envelope !== 'string') {
        throw new HiveLinkError('HL_ERR_SEALED_BAD_ENVELOPE', 'hive.relay.deliver without an envelope');
      }
      let bytes: Uint8Array;
      try {
        bytes = unb64(envelope);
      } catch {
        throw new HiveLinkError('HL_ERR_SEALED_BAD_ENVELOPE', 'the envelope is not base64');
      }
      const me = await this.identity();
      const recipientKey = bytes.subarray(5, 37);
      const replyKeyHex = hexEncode(recipientKey);
      const replyPrivate = this.#replyKeys.get(replyKeyHex);
      const isReply = replyPrivate !== undefined;
      if (!isReply && !sameBytes(recipientKey, me.x25519.publicKey)) {
        throw new HiveLinkError('HL_ERR_SEALED_WRONG_RECIPIENT', 'a sealed message addressed to another key');
      }
      const opened = await openEnvelope(bytes, replyPrivate ?? me.x25519.privateKey);
      id = opened.header.id;
      const maxSkew = this.#init.maxSkewMs ?? 300_000;
      if (Math.abs((options.depositedAt ?? this.#now()) - opened.header.timestamp) > maxSkew) {
        throw new HiveLinkError('HL_ERR_SEALED_STALE', 'the sealed message is too old (or from the future)');
      }
      if (this.#seen.has(id))
        throw new HiveLinkError('HL_ERR_SEALED_REPLAY', 'this sealed message came already');
      let sender: DirectoryEntry | null = null;
      if (opened.signer !== null) {
        const key = b64(opened.signer);
        sender = this.#bySigner.get(key) ?? (await this.#signer(key));
        if (sender === null) {
          throw new HiveLinkError(
            'HL_ERR_SEALED_BAD_SIGNATURE',
            'the signing key is no client of the directory',
          );
        }
      }
      this.#seen.add(id);
      if (this.#seen.size > SEEN_IDS) this.#seen.delete(this.#seen.values().next().value!);
      if (isReply) this.#replyKeys.delete(replyKeyHex); // one answer per reply key
      const text = opened.content === SealedContent.BYTES ? null : new TextDecoder().decode(opened.payload);
      const bus = opened.content === SealedContent.BUS ? (JSON.parse(text!) as MessageData) : null;
      this.#messages.emit({
        id,
        timestamp: opened.header.timestamp,
        anonymous: opened.header.anonymous,
        sender,
        kind:
          opened.content === SealedContent.BUS
            ? 'bus'
            : opened.content === SealedContent.TEXT
              ? 'text'
              : 'bytes',
        bus,
        text: opened.content === SealedContent.TEXT ? text : null,
        bytes: opened.content === SealedContent.BYTES ? opened.payload : null,
        isReply,
        replyTo:
          opened.replyKey !== null && options.replyHandle !== undefined
            ? { handle: options.replyHandle, key: opened.replyKey }
            : null,
        depositedAt: options.depositedAt ?? null,
      });
    } catch (err) {
      const error = isHiveLinkError(err) ? err : new HiveLinkError('HL_ERR_SEALED_BAD_ENVELOPE', String(err));
      this.#refusals.emit({ error, id });
    }
  }

  async #signer(ed25519: string): Promise<DirectoryEntry | null> {
    const d = await this.#request('hive.relay.directory', { ed25519 });
    const first = Array.isArray(d.clients) ? d.clients[0] : undefined;
    if (first === undefined) return null;
    const entry = entryOf(first as Record<string, unknown>);
    this.#bySigner.set(entry.ed25519, entry);
    return entry;
  }
}
