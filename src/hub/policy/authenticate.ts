/**
 * Authentication as a hook of the policy stage: who is this websocket? The default authenticator reads the
 * `authorization` token of the upgrade request (docs/PROTOCOL.md §1.2), looks the access key up in the client
 * store, admits the record through {@link Policy.admit} and fetches the password the handshake needs. Every
 * failure is a HiveLinkError that closes with 1008; an unknown key and a revoked one look the same from outside.
 *
 * @module
 */
import { HiveLinkError, isHiveLinkError } from '../../errors.js';
import type { ClientRecord, ClientStore } from '../../store/types.js';
import { parseAuthorization } from '../auth.js';
import type { Policy } from './index.js';

/** What a websocket connection presents. */
export interface AuthRequest {
  /** The request target of the upgrade (`/?authorization=…`). */
  readonly url: string;
  /** The remote address. */
  readonly ip: string;
}

/** Who it is, once authenticated. */
export interface Credentials {
  readonly record: ClientRecord;
  /** The client's password: the legacy key derivation and the v3 PSK need it. */
  readonly password: string;
  readonly useragent: string;
}

/** Resolves with the credentials, or rejects with a HiveLinkError (deny by default). */
export type Authenticator = (request: AuthRequest) => Promise<Credentials>;

const invalid = (): HiveLinkError => new HiveLinkError('HL_ERR_AUTH_INVALID', 'invalid authorization');

/** The default authenticator: the access key in the client store. */
export function storeAuthenticator(store: ClientStore, policy: Policy): Authenticator {
  return async ({ url, ip }) => {
    const auth = parseAuthorization(url);
    if (auth === null) throw invalid();
    const record = await store.getClientByAccessKey(auth.accessKey);
    const refusal = policy.admit(record, ip);
    if (refusal !== null) throw isHiveLinkError(refusal, 'HL_ERR_IP_DENIED') ? refusal : invalid();
    const password = await store.getPassword(record!.id);
    if (password === null) throw invalid();
    return { record: record!, password, useragent: auth.useragent };
  };
}
