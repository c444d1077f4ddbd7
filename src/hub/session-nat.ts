/**
 * Session NAT (docs/PROTOCOL.md §6, BRIDGE-1 §4): each client's session ids get a namespace on the agent bus,
 * `<ns>:<declared>` with `ns` = the first 16 hex of `sha256(hub RSA pubkey + ":" + client_id)`, so two satellites that
 * both say `default` (or the same uuid) never share a session; ids are mapped back before anything reaches the
 * client, which only ever sees its own ids.
 *
 * @module
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { encodeBytes } from '../protocol/encodings.js';

/** The namespace of one client: 16 hex characters. */
export function sessionNamespace(backend: CryptoBackend, hubPublicKey: string, clientId: number): string {
  const digest = backend.sha256(new TextEncoder().encode(`${hubPublicKey}:${clientId}`));
  return encodeBytes('JSON-HEX', digest).slice(0, 16);
}

/** Maps one client's session ids to and from the agent bus. */
export class SessionNat {
  readonly namespace: string;
  readonly #prefix: string;

  constructor(namespace: string) {
    this.namespace = namespace;
    this.#prefix = `${namespace}:`;
  }

  /** The agent-bus id of a session id the client declared. */
  toAgent(declared: string): string {
    return this.#prefix + declared;
  }

  /** The client's own id for an agent-bus id, or null when the id is not in this client's namespace. */
  fromAgent(agentId: string): string | null {
    return agentId.startsWith(this.#prefix) ? agentId.slice(this.#prefix.length) : null;
  }
}
