/** The credential flags of a terminal client (`ask`, `chat`, `send`, `inbox`) for a client added to a hub. */
import { type AddedClient, secretFile } from './cli-process.js';

/** `--url URL --key K --password-file F`: the password in a file, never in the process list. */
export function credentialFlags(url: string, client: AddedClient): string[] {
  return ['--url', url, '--key', client.accessKey, '--password-file', secretFile(client.password)];
}
