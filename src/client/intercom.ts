/**
 * HiveMind INTERCOM in the SDK (docs/PROTOCOL.md §5.4, §13 "INTERCOM from the SDK"): with the client option
 * `intercom`, the client has an RSA key pair ({@link loadIntercomKey}: the option's, the identity store's, or a new
 * one kept there), its HELLO announces the public half (`pubkey`) and the hub pins it to the client record, so
 * INTERCOMs addressed to that key reach this client — from another hivelink client or a stock HiveMind one.
 *
 * **Sending** ({@link IntercomMessaging.send}): the recipient is a public key PEM or a client name, whose pinned key
 * the hub's directory gives (RENDEZVOUS `lookup`). The message (a HiveMessage, a bus message, or text, sent as BUS
 * `speak`) is sealed in the hybrid envelope (or the RSA-only one on request) and signed with this client's key;
 * the INTERCOM's `metadata.sender_pubkey` names that key, a hint that the signature must bear out. The hub relays
 * it, or keeps it in the recipient's mailbox while the recipient is offline.
 *
 * **Receiving** ({@link IntercomMessaging.receive}): an INTERCOM addressed to this client's key (directly, inside a
 * PROPAGATE, or from the mailbox) is opened only when its signature verifies, before anything is decrypted, with a
 * key this client trusts: one of the option's `trustedKeys`, a key it wrote to or looked up, or the hinted sender
 * key when the hub's directory says it is pinned to a client. Anything else is refused with its code to the
 * {@link IntercomMessaging.onRefused} listeners and never reaches {@link IntercomMessaging.onMessage}: fail closed.
 * An INTERCOM addressed to another key (a flood passing by) is ignored. Browser-safe.
 *
 * @module
 */
import type { MessageData } from '../bus/types.js';
import type { CryptoBackend } from '../crypto/backend.js';
import { HiveLinkError, isHiveLinkError } from '../errors.js';
import { base64Encode } from '../protocol/hex.node.js';
import type { JsonObject } from '../protocol/json.js';
import { createHiveMessage, type HiveMessage, parseHiveMessage } from '../protocol/message.js';
import { HiveMessageType } from '../protocol/message-types.js';
import { busMessageOf } from './bus-context.js';
import { type IntercomShape, openIntercom, sealIntercomPayload } from './intercom-envelope.js';
import { loadIntercomKey } from './intercom-key.js';
import type { IntercomRsa, RsaPemPair } from './intercom-rsa.js';
import { Listeners } from './listeners.js';
import type { MailEntry } from './mailbox.js';
import type { IdentityStore } from './types.js';

/** Sender keys (with their client names) a client remembers from lookups and the messages it wrote. */
export const MAX_KNOWN_INTERCOM_KEYS = 64;

/** The client option `intercom`. */
export interface IntercomOptions {
  /** This client's RSA private key (PKCS#8 PEM). @default the identity store's, else a new RSA-2048 key kept there */
  readonly privateKeyPem?: string;
  /**
   * Public keys (PEM) whose INTERCOMs this client reads besides those the hub pins to its clients: a stock
   * HiveMind peer of another hub, say. @default none
   */
  readonly trustedKeys?: readonly string[];
}

/** What {@link IntercomMessaging.send} seals: a whole HiveMessage, a bus message, or text (BUS `speak`). */
export type IntercomContent = HiveMessage | MessageData | string;

/** An INTERCOM this client received, verified and opened. */
export interface IntercomMessage {
  /** The decrypted HiveMessage. */
  readonly inner: HiveMessage;
  /** Its bus message when it is BUS. */
  readonly bus: MessageData | null;
  /** What it says: a `speak` utterance, or the first utterance of `recognizer_loop:utterance`; else null. */
  readonly text: string | null;
  /** The key the signature verified with, and the client the hub pinned it to (null: a trusted key of no client). */
  readonly sender: { readonly name: string | null; readonly pubkey: string };
  readonly shape: IntercomShape;
  /** The mailbox entry it came in, when it waited there while this client was offline. */
  readonly depositId: string | null;
  readonly depositedAt: number | null;
}

/** An INTERCOM for this client that it refused (its code), and the mailbox entry it came in. */
export interface IntercomRefusal {
  readonly error: HiveLinkError;
  readonly depositId: string | null;
}

/** What the messaging needs of a {@link HiveClient}. */
export interface IntercomHost {
  on(msgType: string, handler: (message: HiveMessage) => void): () => void;
  emit(message: HiveMessage): void;
}

export interface IntercomMessagingInit {
  readonly host: IntercomHost;
  readonly rsa: IntercomRsa;
  readonly backend: CryptoBackend;
  readonly identityStore: IdentityStore;
  readonly options: IntercomOptions;
  /** RENDEZVOUS `lookup` (the hub's directory of pinned INTERCOM keys). */
  readonly lookup: (query: { name: string } | { pubkey: string }) => Promise<JsonObject>;
}

/** The text a bus message says, if any. */
export function spokenTextOf(bus: MessageData | null): string | null {
  const data = bus?.data ?? {};
  if (typeof data.utterance === 'string') return data.utterance;
  const first = Array.isArray(data.utterances) ? data.utterances[0] : undefined;
  return typeof first === 'string' ? first : null;
}

function innerOf(message: IntercomContent): HiveMessage {
  if (typeof message === 'string') {
    return createHiveMessage(HiveMessageType.BUS, {
      type: 'speak',
      data: { utterance: message },
      context: {},
    });
  }
  if (typeof message === 'object' && message !== null && 'msg_type' in message) return message;
  if (typeof message !== 'object' || message === null || typeof message.type !== 'string') {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ARGUMENT',
      'message: a HiveMessage, a bus message {type, data} or text',
    );
  }
  const bus = { type: message.type, data: message.data ?? {}, context: message.context ?? {} };
  return createHiveMessage(HiveMessageType.BUS, bus as unknown as JsonObject);
}

/** The INTERCOM side of one {@link HiveClient}; see the module documentation. */
export class IntercomMessaging {
  readonly #init: IntercomMessagingInit;
  #keys: Promise<RsaPemPair> | null = null;
  /** Keys by their SPKI DER (base64) → PEM and the client name the hub gave (null: trusted, of no client). */
  readonly #known = new Map<string, { pem: string; name: string | null }>();
  readonly #trusted: readonly string[];
  readonly #messages = new Listeners<IntercomMessage>();
  readonly #refusals = new Listeners<IntercomRefusal>();
  #receiving: Promise<unknown> = Promise.resolve();

  constructor(init: IntercomMessagingInit) {
    this.#init = init;
    this.#trusted = [...(init.options.trustedKeys ?? [])];
    init.host.on(HiveMessageType.INTERCOM, (m) => void this.receive(m));
    init.host.on(HiveMessageType.PROPAGATE, (m) => {
      const inner = m.payload as unknown as HiveMessage;
      if (inner?.msg_type === HiveMessageType.INTERCOM) void this.receive(inner);
    });
  }

  onMessage(listener: (message: IntercomMessage) => void): () => void {
    return this.#messages.add(listener);
  }

  onRefused(listener: (refusal: IntercomRefusal) => void): () => void {
    return this.#refusals.add(listener);
  }

  /** True while someone listens for INTERCOMs ({@link onMessage}). */
  get listening(): boolean {
    return this.#messages.size > 0;
  }

  /** This client's key pair, loaded or made on first use. */
  keys(): Promise<RsaPemPair> {
    if (this.#keys === null) {
      const { rsa, identityStore, options } = this.#init;
      const loading = loadIntercomKey(rsa, identityStore, options.privateKeyPem ?? null);
      this.#keys = loading;
      loading.catch(() => {
        if (this.#keys === loading) this.#keys = null;
      });
    }
    return this.#keys;
  }

  /**
   * Seals `message` to `recipient` (a public key PEM, or the name of a client whose key the hub pinned), signed by
   * this client, and sends it as INTERCOM. Resolves with the key it was sealed to and the recipient's name.
   * @throws HiveLinkError `HL_ERR_INTERCOM_NO_KEY` (no key is pinned to a client of that name),
   *   `HL_ERR_INTERCOM_TOO_LARGE`, `HL_ERR_INVALID_ARGUMENT`, what sending throws (`HL_ERR_NOT_CONNECTED`, …)
   */
  async send(
    recipient: string,
    message: IntercomContent,
    options: { shape?: IntercomShape } = {},
  ): Promise<{ targetPubkey: string; name: string | null }> {
    const inner = innerOf(message);
    const target = await this.#recipientKey(recipient);
    const own = await this.keys();
    const payload = await sealIntercomPayload({
      rsa: this.#init.rsa,
      backend: this.#init.backend,
      senderPrivateKeyPem: own.privateKeyPem,
      recipientPublicKeyPem: target.pem,
      inner,
      ...(options.shape === undefined ? {} : { shape: options.shape }),
    });
    this.#init.host.emit(
      createHiveMessage(HiveMessageType.INTERCOM, payload as unknown as JsonObject, {
        target_pubkey: target.pem,
        metadata: { sender_pubkey: own.publicKeyPem },
      }),
    );
    return { targetPubkey: target.pem, name: target.name };
  }

  /**
   * Verifies and opens one INTERCOM (live, or a mailbox entry's), one at a time in arrival order. Resolves true when
   * it went to the {@link onMessage} listeners or was refused to the {@link onRefused} ones, false when it is
   * addressed to another key (and ignored).
   */
  receive(message: HiveMessage, mail: MailEntry | null = null): Promise<boolean> {
    const run = this.#receiving.then(() => this.#receive(message, mail));
    this.#receiving = run.catch(() => undefined);
    return run;
  }

  /** A mailbox entry of kind `intercom`: the INTERCOM as JSON text. */
  receiveMail(entry: MailEntry): Promise<boolean> {
    let message: HiveMessage;
    try {
      message = parseHiveMessage(entry.payload);
    } catch (cause) {
      const error = new HiveLinkError('HL_ERR_INTERCOM_ENVELOPE', 'a mailbox entry is not an INTERCOM', {
        cause,
      });
      this.#refusals.emit({ error, depositId: entry.depositId });
      return Promise.resolve(true);
    }
    return this.receive(message, entry);
  }

  async #receive(message: HiveMessage, mail: MailEntry | null): Promise<boolean> {
    const { rsa, backend } = this.#init;
    const own = await this.keys();
    if (mail === null && !(await this.#isOwn(message.target_pubkey, own.publicKeyPem))) return false;
    try {
      const candidates = await this.#candidates(message);
      const opened = await openIntercom({
        rsa,
        backend,
        recipientPrivateKeyPem: own.privateKeyPem,
        senderKeys: candidates.map((c) => c.pem),
        payload: message.payload,
      });
      const sender = candidates.find((c) => c.pem === opened.senderKey)!;
      const bus = busMessageOf(opened.inner);
      this.#messages.emit({
        inner: opened.inner,
        bus,
        text: spokenTextOf(bus),
        sender: { name: sender.name, pubkey: sender.pem },
        shape: opened.shape,
        depositId: mail?.depositId ?? null,
        depositedAt: mail?.depositedAt ?? null,
      });
    } catch (err) {
      const error = isHiveLinkError(err) ? err : new HiveLinkError('HL_ERR_INTERCOM_ENVELOPE', String(err));
      this.#refusals.emit({ error, depositId: mail?.depositId ?? null });
    }
    return true;
  }

  /** The keys the signature may be by: the trusted ones, the known ones, and the hinted one if the hub pinned it. */
  async #candidates(message: HiveMessage): Promise<{ pem: string; name: string | null }[]> {
    const out = new Map<string, { pem: string; name: string | null }>();
    const hint = (message.metadata as JsonObject | undefined)?.sender_pubkey;
    if (typeof hint === 'string') {
      const id = await this.#id(hint);
      const known = id === null ? undefined : this.#known.get(id);
      if (id !== null && known === undefined) {
        const answer = await this.#init.lookup({ pubkey: hint }).catch(() => null);
        if (typeof answer?.name === 'string') this.#remember(id, hint, answer.name);
      }
    }
    for (const pem of this.#trusted) {
      const id = await this.#id(pem);
      if (id !== null) out.set(id, this.#known.get(id) ?? { pem, name: null });
    }
    for (const [id, k] of this.#known) out.set(id, k);
    return [...out.values()];
  }

  async #recipientKey(recipient: string): Promise<{ pem: string; name: string | null }> {
    if (typeof recipient !== 'string' || recipient.trim() === '') {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'recipient: a public key PEM or a client name');
    }
    if (recipient.includes('-----BEGIN')) {
      const id = await this.#id(recipient);
      if (id === null) {
        throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'recipient: the key is not an RSA public key');
      }
      return this.#known.get(id) ?? { pem: recipient, name: null };
    }
    const answer = await this.#init.lookup({ name: recipient });
    const pem = answer.pubkey;
    const id = typeof pem === 'string' ? await this.#id(pem) : null;
    if (id === null) {
      throw new HiveLinkError(
        'HL_ERR_INTERCOM_NO_KEY',
        `no INTERCOM key is pinned to a client named ${JSON.stringify(recipient)}`,
      );
    }
    this.#remember(id, pem as string, recipient);
    return { pem: pem as string, name: recipient };
  }

  #remember(id: string, pem: string, name: string): void {
    this.#known.delete(id);
    this.#known.set(id, { pem, name });
    while (this.#known.size > MAX_KNOWN_INTERCOM_KEYS) this.#known.delete(this.#known.keys().next().value!);
  }

  /** The key's SPKI DER as base64 (how two spellings of one key compare), or null when it is none. */
  async #id(pem: string): Promise<string | null> {
    try {
      return base64Encode('JSON-B64', await this.#init.rsa.spkiDer(pem));
    } catch {
      return null;
    }
  }

  async #isOwn(target: string | null | undefined, ownPem: string): Promise<boolean> {
    if (typeof target !== 'string') return false;
    const [a, b] = await Promise.all([this.#id(target), this.#id(ownPem)]);
    return a !== null && a === b;
  }
}
