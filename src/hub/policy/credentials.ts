/**
 * What the policy stage asks of credentials once an authenticator found them: is the client's password strong
 * enough to be worth protecting a session with? A weak stored password (an imported database, a client added with
 * `--allow-weak-password` before the check existed, a store written by other tools) lets anyone who captured one
 * handshake test guesses offline, so the hub refuses it at connect — close 1008 "password below strength policy",
 * HiveMind's words for it — unless the client's record allows it (`clients set ID --allow-weak-password true`) or
 * the hub's `minPasswordBits` limit is 0.
 *
 * @module
 */
import { isStrongPassword } from '../../crypto/password-strength.js';
import { HiveLinkError } from '../../errors.js';
import type { Credentials } from './authenticate.js';

/** Results kept per client: an estimate costs up to a few milliseconds and the password rarely changes. */
const MAX_REMEMBERED = 4096;

/** Refuses credentials whose password is below the strength floor; remembers each client's last verdict. */
export class PasswordPolicy {
  readonly #minBits: number;
  readonly #verdicts = new Map<number, { password: string; strong: boolean }>();

  /** @param minBits - the floor in bits; 0 accepts every password */
  constructor(minBits: number) {
    this.#minBits = minBits;
  }

  /** @throws HiveLinkError `HL_ERR_PASSWORD_WEAK` (close 1008) for a weak password the record does not allow */
  check({ record, password }: Credentials): void {
    if (this.#minBits <= 0 || record.allowWeakPassword) return;
    let verdict = this.#verdicts.get(record.id);
    if (verdict === undefined || verdict.password !== password) {
      verdict = { password, strong: isStrongPassword(password, this.#minBits) };
      this.#verdicts.delete(record.id);
      if (this.#verdicts.size >= MAX_REMEMBERED) this.#verdicts.delete(this.#verdicts.keys().next().value!);
      this.#verdicts.set(record.id, verdict);
    }
    if (!verdict.strong) {
      throw new HiveLinkError('HL_ERR_PASSWORD_WEAK', 'password below strength policy', {
        stage: 'policy.password',
      });
    }
  }
}
