/**
 * Trusting a hub's TLS certificate from Node: a CA file (`--ca`), or a pinned SHA-256 fingerprint (`--fingerprint`,
 * as `hivelink hub` prints it at start) for a self-signed hub.
 *
 * A pin is checked before anything is sent to the hub: {@link pinnedTrust} first reads the certificate the hub
 * presents over a bare TLS connection (no HTTP request, so no access key leaves this machine), compares its
 * fingerprint, and then trusts exactly that certificate as the only CA for the websocket. The hostname is not
 * checked against a pinned certificate: the pin names the certificate, whatever address reaches it.
 *
 * @module
 */
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { connect } from 'node:tls';
import { type ClientOptions, WebSocket } from 'ws';
import { HiveLinkError } from '../errors.js';
import type { WebSocketConstructor } from './types.js';

/** What the websocket trusts beyond the system's CAs. */
export interface TlsTrust {
  /** PEM certificate(s) to trust as CAs (a self-signed hub's own certificate works). */
  readonly ca?: string | readonly string[];
  /** Check the certificate's names against the URL's host. @default true */
  readonly checkHostname?: boolean;
}

/** `ws`'s WebSocket with `trust` applied to every connection it opens. */
export function trustingWebSocket(trust: TlsTrust): WebSocketConstructor {
  const options: ClientOptions = {};
  if (trust.ca !== undefined) options.ca = typeof trust.ca === 'string' ? trust.ca : [...trust.ca];
  if (trust.checkHostname === false) {
    // Handed to tls.connect, which wants undefined for "no error"; @types/ws says boolean, and `true` would fail.
    options.checkServerIdentity = (() => undefined) as unknown as ClientOptions['checkServerIdentity'];
  }
  return class TrustingWebSocket extends WebSocket {
    constructor(url: string) {
      super(url, options);
    }
  } as unknown as WebSocketConstructor;
}

/**
 * A SHA-256 certificate fingerprint in the form Node and `hivelink hub` print it: 32 upper-case hex bytes joined by
 * colons. Accepts an optional `SHA256:` prefix, lower case, and no colons.
 * @throws HiveLinkError `HL_ERR_INVALID_ARGUMENT` when it is not 32 bytes of hex
 */
export function normalizeFingerprint(value: string): string {
  const hex = value
    .trim()
    .replace(/^sha-?256:/i, '')
    .replace(/:/g, '')
    .toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ARGUMENT',
      'a certificate fingerprint is 32 hex bytes, as hivelink hub prints it (SHA256:AB:CD:…)',
    );
  }
  return hex.match(/../g)!.join(':');
}

/** `SHA256:AB:CD:…` for a PEM certificate. */
export function certificateFingerprint(pem: string): string {
  return `SHA256:${new X509Certificate(pem).fingerprint256}`;
}

/** The certificate a TLS server on `url`'s host and port presents, read without verifying it. */
export function fetchCertificate(url: string, timeoutMs: number): Promise<string> {
  const { hostname, port } = new URL(url);
  const host = hostname.replace(/^\[(.*)\]$/, '$1');
  return new Promise((resolve, reject) => {
    const socket = connect({
      host,
      port: Number(port === '' ? 443 : port),
      rejectUnauthorized: false,
      ...(isIP(host) === 0 ? { servername: host } : {}),
    });
    const fail = (why: string) => {
      socket.destroy();
      reject(new HiveLinkError('HL_ERR_CONNECT_FAILED', `cannot read the TLS certificate of ${url}: ${why}`));
    };
    socket.setTimeout(timeoutMs, () => fail(`no TLS answer within ${timeoutMs} ms`));
    socket.once('error', (err) => fail(err.message));
    socket.once('secureConnect', () => {
      const raw = socket.getPeerCertificate(true).raw;
      socket.end();
      if (raw === undefined) {
        reject(new HiveLinkError('HL_ERR_CONNECT_FAILED', `${url} presented no TLS certificate`));
        return;
      }
      resolve(new X509Certificate(raw).toString());
    });
  });
}

/**
 * Trust for a hub whose certificate has the SHA-256 fingerprint `fingerprint`: its certificate is read first and
 * compared; the websocket then trusts that certificate alone.
 * @throws HiveLinkError `HL_ERR_TLS_FINGERPRINT_MISMATCH` when the hub presents another certificate;
 *   `HL_ERR_CONNECT_FAILED` when no TLS server answers; `HL_ERR_INVALID_ARGUMENT` for a malformed fingerprint
 */
export async function pinnedTrust(url: string, fingerprint: string, timeoutMs = 10_000): Promise<TlsTrust> {
  const wanted = `SHA256:${normalizeFingerprint(fingerprint)}`;
  const pem = await fetchCertificate(url, timeoutMs);
  const presented = certificateFingerprint(pem);
  if (presented !== wanted) {
    throw new HiveLinkError(
      'HL_ERR_TLS_FINGERPRINT_MISMATCH',
      `the hub at ${new URL(url).host} presents the certificate ${presented}, not the pinned ${wanted}`,
    );
  }
  return { ca: pem, checkHostname: false };
}
