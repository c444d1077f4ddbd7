/**
 * What both client entries export: the Node one (`index.ts`) adds the file-backed stores and binds `ws` and
 * node:crypto, the browser one (`index.browser.ts`) binds the global WebSocket and @noble. Browser-safe.
 *
 * @module
 */
export {
  ANY_TYPE,
  HiveClient,
  SUBSCRIPTION_REQUEST_TIMEOUT_MS,
  type SubscriptionAnswer,
} from './hive-client.js';
export {
  type AnnounceAnswer,
  ASK_ROOM_TIMEOUT_MS,
  HOUSE_REQUEST_TIMEOUT_MS,
  type HouseRequestOptions,
  type RoomAskAnswer,
  type RoomInfo,
  type RoomMember,
  type RoomsAnswer,
  type TellAnswer,
} from './house.js';
export {
  type FetchLike,
  HiveHttpClient,
  type HiveHttpClientInit,
  type HttpAskOptions,
  type HttpAskResult,
} from './http-client.js';
export type {
  IntercomContent,
  IntercomMessage,
  IntercomOptions,
  IntercomRefusal,
} from './intercom.js';
export type { IntercomShape } from './intercom-envelope.js';
export type { IntercomRsa, RsaPemPair } from './intercom-rsa.js';
export { MAILBOX_REQUEST_TIMEOUT_MS, MAX_SEEN_DEPOSITS } from './mailbox.js';
export type {
  DirectoryEntry,
  DirectoryQuery,
  PrivateMessage,
  PrivatePayload,
  PrivateRefusal,
  PrivateSent,
} from './sealed.js';
export { MemoryIdentityStore, MemoryPinStore } from './stores.js';
export type {
  AskOptions,
  AskResult,
  ClientState,
  ClientStateType,
  ClientTimers,
  ConnectionInfo,
  E2eKeys,
  HiveClientInit,
  HiveClientOptions,
  IdentityStore,
  PinStore,
  ReconnectOptions,
  TimerHandle,
  TokenForm,
  WebSocketConstructor,
  WebSocketEventMap,
  WebSocketLike,
} from './types.js';
export { authorizationToken } from './url.js';
export { CLIENT_VERSION, DEFAULT_USERAGENT } from './version.js';
export { type StorageLike, WebStorageStore } from './web-storage-store.js';
