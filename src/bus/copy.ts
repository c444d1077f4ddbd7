/**
 * Deep copy of JSON-like values (plain objects and arrays), used wherever a bus hands one message to several
 * owners. Iterative, so a message nested millions of levels deep (a legal 10 MiB frame) cannot overflow the stack;
 * cycles are preserved rather than followed forever. Values that are neither plain objects nor arrays (strings,
 * numbers, `Uint8Array`, class instances) are shared, not copied.
 *
 * @module
 */

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function emptyLike(value: object): unknown[] | Record<string, unknown> | undefined {
  if (Array.isArray(value)) return new Array<unknown>(value.length);
  if (isPlainObject(value)) return Object.getPrototypeOf(value) === null ? Object.create(null) : {};
  return undefined;
}

/** Sets `target[key] = value` without invoking the `__proto__` setter (a JSON key may be named `__proto__`). */
function put(target: Record<string, unknown> | unknown[], key: string | number, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    (target as Record<string | number, unknown>)[key] = value;
  }
}

/** Nesting the recursive copy handles; deeper values are copied again by the iterative one. */
const RECURSIVE_DEPTH = 64;
/** Thrown (and caught) when a value is nested deeper than {@link RECURSIVE_DEPTH}. */
const TOO_DEEP: unique symbol = Symbol('too deep');

/** The common case, bus messages a few levels deep: plain recursion, same results as {@link deepCopyIterative}. */
function copyRecursive(value: unknown, depth: number, seen: Map<object, unknown>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const known = seen.get(value);
  if (known !== undefined) return known;
  if (depth > RECURSIVE_DEPTH) throw TOO_DEEP;
  const copy = emptyLike(value);
  if (copy === undefined) return value;
  seen.set(value, copy);
  if (Array.isArray(value)) {
    const out = copy as unknown[];
    for (let i = 0; i < value.length; i++) out[i] = copyRecursive(value[i], depth + 1, seen);
  } else {
    const src = value as Record<string, unknown>;
    for (const key of Object.keys(src)) put(copy, key, copyRecursive(src[key], depth + 1, seen));
  }
  return copy;
}

/**
 * Returns a deep copy of `value`: every plain object and array is new, everything else is shared; an object reached
 * twice (or a cycle) is copied once. Never throws, and never recurses more than 64 levels: deeper values are copied
 * iteratively.
 */
export function deepCopy<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  try {
    return copyRecursive(value, 0, new Map()) as T;
  } catch (err) {
    // Deeper than the recursion handles (or called with the stack nearly full): copy again without recursion.
    if (err !== TOO_DEEP && !(err instanceof RangeError)) throw err;
    return deepCopyIterative(value);
  }
}

function deepCopyIterative<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  const root = emptyLike(value);
  if (root === undefined) return value;
  const seen = new Map<object, unknown>([[value, root]]);
  const stack: [object, Record<string, unknown> | unknown[]][] = [[value, root]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [src, dst] = item;
    const keys: (string | number)[] = Array.isArray(src) ? [...src.keys()] : Object.keys(src);
    for (const key of keys) {
      const child: unknown = (src as Record<string | number, unknown>)[key];
      if (typeof child !== 'object' || child === null) {
        put(dst, key, child);
        continue;
      }
      const known = seen.get(child);
      if (known !== undefined) {
        put(dst, key, known);
        continue;
      }
      const copy = emptyLike(child);
      if (copy === undefined) {
        put(dst, key, child);
        continue;
      }
      seen.set(child, copy);
      put(dst, key, copy);
      stack.push([child, copy]);
    }
  }
  return root as T;
}
