/**
 * The client's own HiveMind INTERCOM key (docs/PROTOCOL.md §5.4): an RSA key pair whose public half the client's
 * HELLO announces (`pubkey`) and the hub pins to its client record. It comes from the `intercom.privateKeyPem`
 * option, else the identity store (`getIntercomKey`), else it is made once (RSA-2048) and stored there, so the
 * pinned key survives restarts. Browser-safe.
 *
 * @module
 */
import { HiveLinkError } from '../errors.js';
import { type IntercomRsa, pemBody, type RsaPemPair } from './intercom-rsa.js';
import type { IdentityStore } from './types.js';

/**
 * `value` when it is a PKCS#8 `PRIVATE KEY` PEM.
 * @throws HiveLinkError `HL_ERR_KEY_FILE` naming `where` otherwise
 */
export function intercomPemOf(where: string, value: unknown): string {
  if (typeof value !== 'string' || pemBody(value, 'PRIVATE KEY') === null) {
    throw new HiveLinkError('HL_ERR_KEY_FILE', `${where}: intercom_rsa_key is not a PKCS#8 PRIVATE KEY PEM`);
  }
  return value;
}

/**
 * The key pair: `privateKeyPem` when given, else the stored one, else a new one (stored when the store keeps keys).
 * @throws HiveLinkError `HL_ERR_INTERCOM_NO_KEY` when the given or stored key does not read as an RSA private key;
 *   the store's errors
 */
export async function loadIntercomKey(
  rsa: IntercomRsa,
  store: IdentityStore,
  privateKeyPem: string | null,
): Promise<RsaPemPair> {
  const given = privateKeyPem ?? (await store.getIntercomKey?.()) ?? null;
  if (given === null) {
    const fresh = await rsa.generate();
    await store.setIntercomKey?.(fresh.privateKeyPem);
    return fresh;
  }
  try {
    return { privateKeyPem: given, publicKeyPem: await rsa.publicOf(given) };
  } catch (cause) {
    throw new HiveLinkError('HL_ERR_INTERCOM_NO_KEY', 'the INTERCOM private key does not read as RSA', {
      cause,
    });
  }
}
