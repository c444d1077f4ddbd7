/**
 * Timer functions as a value, so that batching and keepalive code can be driven by hand in tests.
 *
 * @module
 */

/** `setTimeout` / `clearTimeout`, injectable. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The global timers, unref'd: a pending flush or keepalive never keeps the process alive by itself. */
export const unrefTimers: Timers = {
  setTimeout(callback, ms) {
    const t = setTimeout(callback, ms);
    t.unref?.();
    return t;
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};
