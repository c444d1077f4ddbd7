/**
 * Validates {@link HiveClientInit} once, fills the defaults, and freezes the result. Every error names the option.
 *
 * @module
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { isLegacyCipherName, type LegacyCipherName } from '../crypto/legacy-cipher.js';
import { isNoiseSuite, type NoiseSuite } from '../crypto/noise/index.js';
import { parseProvisionedPsk } from '../crypto/psk.js';
import { HiveLinkError } from '../errors.js';
import { LIMIT_DEFS } from '../limits.js';
import { type EncodingName, isEncodingName } from '../protocol/encodings.js';
import type { ProtocolChoice } from '../session/client-handshake.js';
import { Backoff } from './backoff.js';
import type { IntercomOptions } from './intercom.js';
import type { IntercomRsa } from './intercom-rsa.js';
import { MemoryIdentityStore, MemoryPinStore } from './stores.js';
import type {
  ClientTimers,
  HiveClientInit,
  IdentityStore,
  PinStore,
  PskCache,
  TokenForm,
  WebSocketConstructor,
} from './types.js';
import { type HubEndpoint, hubEndpoint } from './url.js';
import { DEFAULT_USERAGENT } from './version.js';

export interface ResolvedOptions {
  /** The first of {@link endpoints} (`url`). */
  readonly endpoint: HubEndpoint;
  /** `url`, then `urls`: the hubs tried in turn. */
  readonly endpoints: readonly HubEndpoint[];
  readonly useragent: string;
  readonly password: string | null;
  readonly psk: Uint8Array | null;
  readonly protocol: ProtocolChoice;
  readonly allowLegacyFallback: boolean;
  readonly siteId: string;
  readonly assistant: boolean;
  /** INTERCOM, when the option asks for it. */
  readonly intercom: IntercomOptions | null;
  readonly intercomRsa: IntercomRsa | null;
  readonly sessionId: string;
  readonly lang: string;
  readonly binarize: boolean;
  readonly encodings: EncodingName[] | undefined;
  readonly ciphers: LegacyCipherName[] | undefined;
  readonly suites: NoiseSuite[] | undefined;
  readonly reconnect: boolean;
  readonly backoff: Backoff;
  readonly pinStore: PinStore;
  readonly identityStore: IdentityStore;
  readonly pskCache: PskCache | null;
  readonly timers: ClientTimers;
  readonly handshakeTimeoutMs: number;
  readonly maxBufferedBytes: number;
  readonly sendQueueMessages: number;
  readonly maxFrameBytes: number;
  readonly backend: CryptoBackend;
  readonly WebSocket: WebSocketConstructor;
}

function invalid(option: string, message: string): HiveLinkError {
  return new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `${option}: ${message}`);
}

function text(option: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.length === 0) throw invalid(option, 'must be a non-empty string');
  return value;
}

function list<T extends string>(
  option: string,
  value: unknown,
  check: (v: unknown) => v is T,
): T[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || !value.every(check)) {
    throw invalid(option, 'must be a non-empty list of supported names');
  }
  return [...value];
}

function limit(option: string, value: unknown, def: { default: number; min: number }): number {
  if (value === undefined) return def.default;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < def.min) {
    throw invalid(option, `must be a whole number >= ${def.min}`);
  }
  return value;
}

/** A random RFC 4122 version-4 UUID from the backend's random source (no secure-context requirement). */
export function randomUuid(backend: CryptoBackend): string {
  const b = backend.randomBytes(16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function defaultTimers(): ClientTimers {
  return {
    setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
    clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
  };
}

function intercomOption(value: unknown, rsa: IntercomRsa | undefined): IntercomOptions | null {
  if (value === undefined || value === false) return null;
  if (rsa === undefined) throw invalid('intercomRsa', 'is required with intercom');
  if (value === true) return {};
  if (typeof value !== 'object' || value === null) throw invalid('intercom', 'must be true or an object');
  const o = value as IntercomOptions;
  if (
    o.privateKeyPem !== undefined &&
    (typeof o.privateKeyPem !== 'string' || !o.privateKeyPem.includes('PRIVATE KEY'))
  ) {
    throw invalid('intercom.privateKeyPem', 'must be a PKCS#8 PRIVATE KEY PEM');
  }
  const trusted = o.trustedKeys ?? [];
  if (!Array.isArray(trusted) || !trusted.every((k) => typeof k === 'string' && k.includes('PUBLIC KEY'))) {
    throw invalid('intercom.trustedKeys', 'must be a list of PUBLIC KEY PEMs');
  }
  return Object.freeze({
    ...(o.privateKeyPem === undefined ? {} : { privateKeyPem: o.privateKeyPem }),
    trustedKeys: Object.freeze([...trusted]),
  });
}

/**
 * @throws HiveLinkError `HL_ERR_INVALID_ARGUMENT` naming the first bad option; `HL_ERR_PSK_DERIVATION` for a
 *   malformed provisioned PSK
 */
export function resolveOptions(init: HiveClientInit): ResolvedOptions {
  if (typeof init !== 'object' || init === null) throw invalid('options', 'must be an object');
  if (typeof init.backend !== 'object' || init.backend === null) throw invalid('backend', 'is required');
  if (typeof init.WebSocket !== 'function') throw invalid('WebSocket', 'must be a WebSocket constructor');
  const useragent = text('useragent', init.useragent, DEFAULT_USERAGENT);
  const accessKey = text('accessKey', init.accessKey, '');
  if (typeof init.url !== 'string') throw invalid('url', 'must be a string');
  const tokenForm: TokenForm = init.tokenForm ?? 'raw';
  if (tokenForm !== 'raw' && tokenForm !== 'percent')
    throw invalid('tokenForm', 'must be "raw" or "percent"');
  const endpoint = hubEndpoint(init.url, useragent, accessKey, tokenForm);
  if (
    init.urls !== undefined &&
    (!Array.isArray(init.urls) || !init.urls.every((u) => typeof u === 'string'))
  )
    throw invalid('urls', 'must be a list of hub URLs');
  const endpoints = [
    endpoint,
    ...(init.urls ?? []).map((u) => hubEndpoint(u, useragent, accessKey, tokenForm)),
  ];
  const password = init.password === undefined ? null : text('password', init.password, '');
  const psk = init.psk === undefined ? null : parseProvisionedPsk(init.psk);
  const protocol: ProtocolChoice = init.protocol ?? 'auto';
  if (protocol !== 'auto' && protocol !== 'legacy' && protocol !== 'v3') {
    throw invalid('protocol', 'must be "auto", "legacy" or "v3"');
  }
  if (password === null && psk === null) throw invalid('password', 'a password (or a v3 psk) is required');
  if (password === null && protocol === 'legacy')
    throw invalid('password', 'the legacy protocol needs a password');
  const reconnect = init.reconnect ?? {};
  const timers = init.timers ?? defaultTimers();
  if (typeof timers.setTimeout !== 'function' || typeof timers.clearTimeout !== 'function') {
    throw invalid('timers', 'must have setTimeout and clearTimeout');
  }
  const limits = init.limits ?? {};
  return Object.freeze({
    endpoint,
    endpoints,
    useragent,
    password,
    psk,
    protocol,
    allowLegacyFallback: init.allowLegacyFallback === true,
    siteId: text('siteId', init.siteId, 'unknown'),
    assistant: init.assistant === true,
    intercom: intercomOption(init.intercom, init.intercomRsa),
    intercomRsa: init.intercomRsa ?? null,
    sessionId: text('sessionId', init.sessionId, randomUuid(init.backend)),
    lang: text('lang', init.lang, 'en-US'),
    binarize: init.binarize ?? false,
    encodings: list('encodings', init.encodings, isEncodingName),
    ciphers: list('ciphers', init.ciphers, isLegacyCipherName),
    suites: list('suites', init.suites, isNoiseSuite),
    reconnect: reconnect.enabled ?? true,
    backoff: new Backoff(reconnect.initialDelayMs, reconnect.maxDelayMs, init.random),
    pinStore: init.pinStore ?? new MemoryPinStore(),
    identityStore: init.identityStore ?? new MemoryIdentityStore(),
    pskCache: init.pskCache ?? null,
    timers,
    handshakeTimeoutMs: limit(
      'limits.handshakeTimeoutMs',
      limits.handshakeTimeoutMs,
      LIMIT_DEFS.clientHandshakeTimeoutMs,
    ),
    maxBufferedBytes: limit(
      'limits.maxBufferedBytes',
      limits.maxBufferedBytes,
      LIMIT_DEFS.clientMaxBufferedBytes,
    ),
    sendQueueMessages: limit(
      'limits.sendQueueMessages',
      limits.sendQueueMessages,
      LIMIT_DEFS.clientSendQueueMessages,
    ),
    maxFrameBytes: limit('limits.maxFrameBytes', limits.maxFrameBytes, LIMIT_DEFS.maxFrameBytes),
    backend: init.backend,
    WebSocket: init.WebSocket,
  });
}
