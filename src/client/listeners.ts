/**
 * A listener set that calls every listener even when one throws: a throwing listener must not break the client's
 * state machine, and its error is not swallowed either — it is rethrown from a fresh microtask, where the runtime
 * reports it as uncaught (as `EventTarget` does).
 *
 * @module
 */

export class Listeners<T> {
  readonly #set = new Set<(value: T) => void>();

  get size(): number {
    return this.#set.size;
  }

  /** Adds `listener`; returns a function that removes it. */
  add(listener: (value: T) => void): () => void {
    // Wrap so the same function can be added twice and removed independently.
    const entry = (value: T) => listener(value);
    this.#set.add(entry);
    return () => {
      this.#set.delete(entry);
    };
  }

  emit(value: T): void {
    for (const listener of [...this.#set]) {
      try {
        listener(value);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}

/** Listener sets by key, e.g. message type. */
export class KeyedListeners<T> {
  readonly #map = new Map<string, Listeners<T>>();

  add(key: string, listener: (value: T) => void): () => void {
    let set = this.#map.get(key);
    if (set === undefined) {
      set = new Listeners<T>();
      this.#map.set(key, set);
    }
    const remove = set.add(listener);
    return () => {
      remove();
      if (set.size === 0 && this.#map.get(key) === set) this.#map.delete(key);
    };
  }

  emit(key: string, value: T): void {
    this.#map.get(key)?.emit(value);
  }
}
