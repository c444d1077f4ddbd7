/**
 * What the chat page tells a person when the hub refuses the connection: the reason in their words (wrong password,
 * unknown access key, a Noise key the hub does not expect), else the SDK's message.
 *
 * @module
 */
import type { HiveLinkError } from '../../errors.js';

/** One sentence for `error`, the error a refused connection closed the client with. */
export function describeRefusal(error: HiveLinkError): string {
  const reason = error.message.replace(/^the hub refused the connection: /, '');
  switch (error.code) {
    case 'HL_ERR_NOISE_HANDSHAKE_FAILED':
    case 'HL_ERR_HANDSHAKE_VERIFY_FAILED':
      return 'wrong password';
    case 'HL_ERR_AUTH_REFUSED':
      if (/password handshake verification failed|handshake failed at/i.test(reason)) return 'wrong password';
      if (/invalid authorization/i.test(reason))
        return 'this hub does not know that access key (or it was revoked)';
      if (/noise key differs/i.test(reason)) {
        return 'the hub knows this client by another device: log in from that device, or ask the hub admin to run "hivelink clients reset-noise-pin NAME" with this client\'s name or access key';
      }
      return reason;
    case 'HL_ERR_NOISE_KEY_MISMATCH':
      return "this hub's key is not the one this browser met before; if the hub was reinstalled, clear this site's stored data and log in again";
    default:
      return error.message;
  }
}
