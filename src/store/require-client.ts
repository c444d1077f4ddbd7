/**
 * A client named by id or access key, for every admin path (the CLI, the REST API): one lookup, one refusal.
 *
 * @module
 */
import { HiveLinkError } from '../errors.js';
import type { ClientRecord, ClientStore } from './types.js';

/** Finds a client by id or access key, or fails `HL_ERR_NOT_FOUND` with `no client with id 7`. */
export async function requireClient(
  store: Pick<ClientStore, 'getClient'>,
  idOrKey: string,
): Promise<ClientRecord> {
  const client = await store.getClient(idOrKey);
  if (client !== null) return client;
  throw new HiveLinkError(
    'HL_ERR_NOT_FOUND',
    /^\d+$/.test(idOrKey)
      ? `no client with id ${idOrKey}`
      : `no client with access key or name ${JSON.stringify(idOrKey)}`,
  );
}
