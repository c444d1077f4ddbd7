/**
 * The v3 Noise prologue (docs/PROTOCOL.md §3.5): both sides bind the exact server HELLO and HANDSHAKE-request payloads
 * and the protocol name, so a tampered negotiation fails the first authenticated handshake message.
 *
 * @module
 */
import { canonicalJson } from '../../protocol/json.js';

/**
 * `utf8(canonicalJson(hello) ‖ canonicalJson(handshake) ‖ protocolName)`.
 *
 * @param helloPayload the server HELLO payload object, exactly as received
 * @param handshakePayload the server HANDSHAKE-request payload object, exactly as received
 * @param protocolName e.g. `Noise_XXpsk2_25519_ChaChaPoly_SHA256` (see `noiseProtocolName`)
 * @throws HiveLinkError `HL_ERR_INVALID_ARGUMENT` when a payload is not a JSON value
 */
export function buildNoisePrologue(
  helloPayload: unknown,
  handshakePayload: unknown,
  protocolName: string,
): Uint8Array {
  return new TextEncoder().encode(
    canonicalJson(helloPayload) + canonicalJson(handshakePayload) + protocolName,
  );
}
