/**
 * The connect URL (docs/PROTOCOL.md §1.2): `ws(s)://host:port/?authorization=<base64(useragent:accessKey)>`. The `/?`
 * form matters: old hubs split the raw request target on `/?authorization=` and do not percent-decode, so the token
 * is sent raw by default; newer hubs percent-decode (and read `+` as a space), hence `tokenForm: 'percent'`.
 *
 * @module
 */
import { HiveLinkError } from '../errors.js';
import type { TokenForm } from './types.js';

/** The parts of a hub URL the client needs. */
export interface HubEndpoint {
  /** The URL to open, with the authorization token. */
  connectUrl: string;
  /** `"host:port"`, the key the hub's Noise key is pinned under. */
  hostPort: string;
}

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** `base64(utf8(useragent + ":" + accessKey))`, standard alphabet with padding. */
export function authorizationToken(useragent: string, accessKey: string): string {
  return base64(new TextEncoder().encode(`${useragent}:${accessKey}`));
}

function invalid(message: string): HiveLinkError {
  return new HiveLinkError('HL_ERR_INVALID_ARGUMENT', message);
}

/**
 * Builds the connect URL and the pin key for a hub URL.
 * @throws HiveLinkError `HL_ERR_INVALID_ARGUMENT` when `url` is not a `ws:`/`wss:` URL without query or fragment,
 *   or the useragent contains a `:` (hubs split the token at the first one)
 */
export function hubEndpoint(
  url: string,
  useragent: string,
  accessKey: string,
  tokenForm: TokenForm,
): HubEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `url: not a URL: ${JSON.stringify(url)}`, { cause });
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw invalid(`url: must start with ws:// or wss://, got ${JSON.stringify(url)}`);
  }
  if (parsed.search !== '' || parsed.hash !== '') throw invalid('url: must not have a query or fragment');
  if (parsed.username !== '' || parsed.password !== '') throw invalid('url: must not carry credentials');
  if (useragent.includes(':')) throw invalid('useragent: must not contain ":"');
  if (accessKey.length === 0) throw invalid('accessKey: must not be empty');
  const port = parsed.port !== '' ? parsed.port : parsed.protocol === 'wss:' ? '443' : '80';
  const path = parsed.pathname.endsWith('/') ? parsed.pathname : `${parsed.pathname}/`;
  const raw = authorizationToken(useragent, accessKey);
  const token = tokenForm === 'percent' ? encodeURIComponent(raw) : raw;
  return {
    connectUrl: `${parsed.protocol}//${parsed.host}${path}?authorization=${token}`,
    hostPort: `${parsed.hostname}:${port}`,
  };
}
