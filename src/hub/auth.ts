/**
 * The connect-time credentials: `?authorization=<base64(useragent ":" access_key)>` in the request target
 * (docs/PROTOCOL.md §1.2). Old clients send the token raw (a `+` stays a `+`), newer ones percent-encode it; both forms
 * are accepted. Only `%XX` escapes are decoded, a `+` is never turned into a space, the raw form is tried first,
 * and the base64 must be strict (standard alphabet, padded).
 *
 * @module
 */

/** The credentials a client presents. */
export interface Authorization {
  readonly useragent: string;
  readonly accessKey: string;
}

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The raw `authorization` query value of a request target (`/?authorization=…`), or null. */
export function rawAuthorizationParam(requestTarget: string): string | null {
  const q = requestTarget.indexOf('?');
  if (q < 0) return null;
  const query = requestTarget.slice(q + 1).split('#', 1)[0] ?? '';
  for (const part of query.split('&')) {
    if (part.startsWith('authorization=')) return part.slice('authorization='.length);
  }
  return null;
}

/** Decodes `%XX` escapes only (a `+` stays a `+`); null if an escape is malformed. */
export function percentDecode(text: string): string | null {
  if (!text.includes('%')) return text;
  if (/%(?![0-9A-Fa-f]{2})/.test(text)) return null;
  return text.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

function decodeToken(token: string): Authorization | null {
  if (token.length === 0 || token.length > 8192 || !STRICT_BASE64.test(token)) return null;
  let text: string;
  try {
    text = utf8.decode(Buffer.from(token, 'base64'));
  } catch {
    return null; // not UTF-8: not a token
  }
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) return null;
  return { useragent: text.slice(0, colon), accessKey: text.slice(colon + 1) };
}

/** The credentials in `requestTarget`, trying the raw token first and then its percent-decoded form. */
export function parseAuthorization(requestTarget: string): Authorization | null {
  const raw = rawAuthorizationParam(requestTarget);
  if (raw === null) return null;
  const direct = decodeToken(raw);
  if (direct !== null) return direct;
  const decoded = percentDecode(raw);
  return decoded === null || decoded === raw ? null : decodeToken(decoded);
}
