/**
 * How the mesh names a hub to people (docs/PROTOCOL.md §14): a node id is the hub's RSA public key PEM, too long to
 * print; its fingerprint is the first 16 hex characters of its SHA-256.
 *
 * @module
 */
import { createHash } from 'node:crypto';

/** The fingerprint of the node id `nodeId`: 16 hex characters. */
export function nodeFingerprint(nodeId: string): string {
  return createHash('sha256').update(nodeId).digest('hex').slice(0, 16);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
