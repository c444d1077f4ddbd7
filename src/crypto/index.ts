/**
 * The backend-independent crypto API: the backend contract, the legacy (v1/v2) AEAD framing and the password
 * handshake. Backends themselves are picked by entry points (`backend.node.ts`, `backend.browser.ts`), never here.
 *
 * @example
 * ```ts
 * import { PasswordHandshake, encryptJsonEnvelope } from './crypto/index.js';
 * ```
 *
 * @module
 */
export {
  AEAD_TAG_BYTES,
  type AeadAlgorithm,
  type Argon2idParams,
  type CryptoBackend,
  type X25519KeyPair,
} from './backend.js';
export {
  decryptBinaryFrame,
  decryptJsonEnvelope,
  encryptBinaryFrame,
  encryptJsonEnvelope,
  isEncryptedEnvelope,
  isLegacyCipherName,
  LEGACY_CIPHERS,
  LEGACY_NONCE_BYTES,
  type LegacyCipherName,
} from './legacy-cipher.js';
export {
  deriveSalt,
  deriveSessionKey,
  ENVELOPE_HEX_LENGTH,
  ENVELOPE_IV_BYTES,
  ENVELOPE_MAX_HEX_LENGTH,
  makeEnvelope,
  negotiate,
  PasswordHandshake,
  type PasswordHandshakeInit,
  type PasswordHandshakeRole,
  SESSION_KEY_BYTES,
  SESSION_KEY_ITERATIONS,
  verifyEnvelope,
} from './password-handshake.js';
