/**
 * The session layer turns websocket frames into HiveMessages and back, for both roles (hub and client): the
 * cleartext opening (HELLO + HANDSHAKE), the two handshake generations, and the secure channel that follows.
 *
 * ```
 *  hub                                              client
 *   │── HELLO {pubkey, peer, node_id} (text) ──────────▶│
 *   │── HANDSHAKE request {…, noise?} (text) ──────────▶│
 *   │◀─ HANDSHAKE {envelope…} | {noise: {msg1}} ────────│   legacy (v2) | Noise (v3)
 *   │── HANDSHAKE {envelope, encoding, cipher} | {noise: {msg2}} ─▶│
 *   │◀─ (XXpsk2 only) HANDSHAKE {noise: {msg3}} ────────│
 *   │◀═ HELLO {pubkey, session, site_id} (encrypted) ═══│
 *   │◀═══════════ encrypted traffic ═══════════════════▶│
 * ```
 *
 * @module
 */
import type { HiveMessage } from '../protocol/message.js';

/** One websocket frame: text (JSON) or binary (bitstrings, Noise transport). */
export type WireFrame =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'binary'; readonly data: Uint8Array };

/** Protocol generation of an established session: 2 = legacy password handshake, 3 = Noise. */
export type ProtocolVersion = 1 | 2 | 3;

/** The encrypted channel that exists once a handshake completes. */
export interface SecureChannel {
  readonly protocolVersion: ProtocolVersion;
  /** Negotiated cipher (`AES-GCM`, `CHACHA20-POLY1305`) or Noise suite. */
  readonly cipher: string;
  /** Negotiated encoding (legacy) or `noise` (v3). */
  readonly encoding: string;
  /** Whether this side sends bitstrings instead of JSON. */
  readonly binarize: boolean;
  /**
   * Encrypts `message` into the frames to send, in order. v3 sends must be serialised per connection: call this in
   * send order and send the frames in the order returned.
   */
  seal(message: HiveMessage): WireFrame[];
  /**
   * Decrypts and decodes one frame. Returns `null` while a chunked v3 message is incomplete. Throws a HiveLinkError
   * (with a close code) for tampering, replay, cleartext after the handshake, or malformed content.
   */
  open(frame: WireFrame): HiveMessage | null;
}

/** The hub's HELLO payload (docs/PROTOCOL.md §2.1). */
export interface HubHelloPayload {
  pubkey: string;
  peer: string;
  node_id: string;
}

/** The client's HELLO payload (docs/PROTOCOL.md §2.2). */
export interface ClientHelloPayload {
  pubkey: string | null;
  session: Record<string, unknown>;
  site_id: string;
}
