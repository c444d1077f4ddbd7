/**
 * One request to a hub service over the bus (docs/PROTOCOL.md §12.2, §12.7): BUS `type {…}` with a fresh
 * `context.request_id`, answered by the hub with `<type>.response` (an OVOS response: the `request_id` kept)
 * `{ok: true, …}` or `{ok: false, code, error}`. The house (`hive.house.*`) and the subscriptions
 * (`hive.subscriptions.*`) answer this way; a type the client may not send is refused by the policy stage with
 * `hive.policy.denied`. Browser-safe.
 *
 * @module
 */
import type { MessageContext, MessageData } from '../bus/types.js';
import { ERROR_CODES, type ErrorCode, HiveLinkError } from '../errors.js';
import type { ClientTimers } from './types.js';

/** What a request needs of a client ({@link HiveClient} has it). */
export interface BusRequester {
  onBus(busType: string, handler: (message: MessageData) => void): () => void;
  emitBus(type: string, data?: Record<string, unknown>, context?: MessageContext): MessageData;
}

/** The hub's refusal in an answer's data, as the error it names (an unknown code is `HL_ERR_INTERNAL`). */
export function refusalOf(data: Record<string, unknown>): HiveLinkError {
  const code =
    typeof data.code === 'string' && data.code in ERROR_CODES ? (data.code as ErrorCode) : 'HL_ERR_INTERNAL';
  return new HiveLinkError(code, typeof data.error === 'string' ? data.error : 'the hub refused');
}

/**
 * Sends `type` with `data` and settles on its answer: the answer's data when `ok: true`.
 * @throws HiveLinkError the hub's refusal (its code), `HL_ERR_POLICY_DENIED` (the type is not in the client's
 *   allowed types), `HL_ERR_ASK_TIMEOUT` (no answer within `timeoutMs`), `HL_ERR_INVALID_ARGUMENT` (a bad
 *   timeout), what sending throws (`HL_ERR_NOT_CONNECTED`, …)
 */
export function busRequest(
  client: BusRequester,
  timers: ClientTimers,
  type: string,
  data: Record<string, unknown>,
  timeoutMs: number,
): Promise<Record<string, unknown>> {
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    return Promise.reject(
      new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'timeoutMs: must be a positive number'),
    );
  }
  const requestId = globalThis.crypto.randomUUID();
  return new Promise<Record<string, unknown>>((resolve, reject) => {
    const finish = (error: HiveLinkError | null, answer?: Record<string, unknown>) => {
      offAnswer();
      offDenied();
      timers.clearTimeout(timer);
      if (error === null) resolve(answer!);
      else reject(error);
    };
    const offAnswer = client.onBus(`${type}.response`, (m) => {
      if (m.context?.request_id !== requestId) return;
      const d = m.data ?? {};
      if (d.ok === true) finish(null, d);
      else finish(refusalOf(d));
    });
    const offDenied = client.onBus('hive.policy.denied', (m) => {
      if (m.data?.denied_type !== type) return;
      finish(
        new HiveLinkError('HL_ERR_POLICY_DENIED', `the hub refused ${type}: ${String(m.data?.reason ?? '')}`),
      );
    });
    const timer = timers.setTimeout(
      () => finish(new HiveLinkError('HL_ERR_ASK_TIMEOUT', `no answer to ${type} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    try {
      client.emitBus(type, data, { request_id: requestId });
    } catch (err) {
      finish(err instanceof HiveLinkError ? err : new HiveLinkError('HL_ERR_INTERNAL', String(err)));
    }
  });
}
