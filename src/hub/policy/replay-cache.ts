/**
 * The legacy envelopes the hub has answered, so a captured client HANDSHAKE replayed on another connection is
 * refused before the hub spends a key derivation on it (`HL_ERR_HANDSHAKE_REPLAYED`, close 1008).
 *
 * A replay could never open a session anyway: the hub answers with an envelope of its own, whose fresh IV goes into
 * the salt, so the session key differs from the captured one and only someone who knows the password can derive it
 * (and the hub registers a legacy client only once its first authentic frame shows it did). Refusing the replay
 * early saves the PBKDF2 and makes it visible. An envelope is remembered by client and IV (the IV is 8 random bytes
 * a client draws per handshake; the verifier accepts longer digests of the same IV, which must not count as new).
 * The same connection may send its envelope again: the Python client re-sends its HANDSHAKE after 5 s without an
 * answer. The cache holds `legacyEnvelopeCacheSize` entries, least recently used dropped first; an envelope older
 * than that (or from before a restart) is answered, but still cannot open a session, and counts as a failure of the
 * policy's failure budget.
 *
 * @module
 */
import { HiveLinkError } from '../../errors.js';

/** Length of the IV at the start of an envelope, in hex characters. */
const IV_HEX = 16;

export class EnvelopeReplayCache {
  readonly #max: number;
  /** `clientId:iv` → the serial of the connection that sent it. */
  readonly #seen = new Map<string, number>();

  constructor(maxEntries: number) {
    this.#max = Math.max(1, Math.floor(maxEntries));
  }

  /** Envelopes refused as replays since the hub started. */
  refused = 0;

  get size(): number {
    return this.#seen.size;
  }

  /**
   * Records `envelope` (already verified) for `clientId`, sent by the connection with serial `connection`.
   * @throws HiveLinkError `HL_ERR_HANDSHAKE_REPLAYED` when another connection sent it before
   */
  remember(clientId: number, envelope: string, connection: number): void {
    const id = `${clientId}:${envelope.slice(0, IV_HEX).toLowerCase()}`;
    const owner = this.#seen.get(id);
    if (owner !== undefined && owner !== connection) {
      this.refused += 1;
      throw new HiveLinkError('HL_ERR_HANDSHAKE_REPLAYED', 'replayed handshake', {
        stage: 'policy.replay',
      });
    }
    this.#seen.delete(id);
    if (this.#seen.size >= this.#max) this.#seen.delete(this.#seen.keys().next().value!);
    this.#seen.set(id, connection);
  }
}
