/**
 * Private files in the data dir: created once, atomically, with mode 0600; and reading a file an admin names (a
 * password, a token, a certificate), refused in one way when it cannot be read.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { HiveLinkError } from '../errors.js';

/** Mode of every secret file hivelink writes. */
export const PRIVATE_FILE_MODE = 0o600;

function errno(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
}

/**
 * Creates `file` with the content `make()` returns, mode 0600, unless it exists. The content is written to a
 * temporary file first and then hard-linked into place, so a concurrent reader never sees a half-written file and two
 * processes racing to create it end up sharing one. `make` is not called when the file already exists. Returns true
 * if this call created the file.
 */
export function createFileOnce(file: string, make: () => string | Uint8Array): boolean {
  // `make` may be expensive (an RSA-2048 key): only run it when the file is missing.
  if (existsSync(file)) return false;
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, make(), { mode: PRIVATE_FILE_MODE, flag: 'wx' });
    chmodSync(tmp, PRIVATE_FILE_MODE); // the umask may have removed bits, never added: make it exact
    try {
      linkSync(tmp, file);
      return true;
    } catch (err) {
      if (errno(err) === 'EEXIST') return false;
      // File systems without hard links: fall back to an exclusive create (not atomic for readers).
      if (errno(err) !== 'EPERM' && errno(err) !== 'ENOTSUP' && errno(err) !== 'EXDEV') throw err;
      try {
        writeFileSync(file, make(), { mode: PRIVATE_FILE_MODE, flag: 'wx' });
        return true;
      } catch (err2) {
        if (errno(err2) === 'EEXIST') return false;
        throw err2;
      }
    }
  } catch (err) {
    throw new HiveLinkError('HL_ERR_STORE_UNAVAILABLE', `cannot create ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // the temporary file was never created, or is already gone: nothing to clean up
    }
  }
}

/**
 * The text of `file`, a file the admin named: `what` says what it holds, for the error.
 *
 * @throws HiveLinkError `HL_ERR_INVALID_ARGUMENT` `cannot read the <what> <file>: <why>` when it cannot be read
 */
export function readNamedFile(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ARGUMENT',
      `cannot read the ${what} ${file}: ${(err as Error).message}`,
    );
  }
}
