import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deepCopy } from '../../../src/bus/copy.js';

describe('deepCopy', () => {
  it('copies plain objects and arrays, shares everything else', () => {
    const bytes = new Uint8Array([1]);
    const src = { a: [1, { b: 2 }], s: 'x', n: null, bytes };
    const copy = deepCopy(src);
    assert.deepEqual(copy, src);
    assert.notEqual(copy.a, src.a);
    assert.notEqual(copy.a[1], src.a[1]);
    assert.equal(copy.bytes, bytes);
  });

  it('survives nesting far deeper than the call stack', () => {
    let deep: unknown[] = [];
    const root = deep;
    for (let i = 0; i < 200_000; i++) {
      const next: unknown[] = [];
      deep.push(next);
      deep = next;
    }
    const copy = deepCopy(root);
    assert.notEqual(copy, root);
  });

  it('copies an object reached twice once, at any depth', () => {
    for (const depth of [1, 200]) {
      const shared = { n: 1 };
      let value: Record<string, unknown> = { a: shared, b: [shared] };
      for (let i = 0; i < depth; i++) value = { next: value };
      let copy = deepCopy(value);
      for (let i = 0; i < depth; i++) copy = copy.next as Record<string, unknown>;
      assert.notEqual(copy.a, shared);
      assert.equal(copy.a, (copy.b as unknown[])[0]);
      assert.deepEqual(copy.a, { n: 1 });
    }
  });

  it('keeps cycles instead of looping forever', () => {
    const a: Record<string, unknown> = { x: 1 };
    a.self = a;
    const copy = deepCopy(a);
    assert.equal(copy.self, copy);
    assert.notEqual(copy, a);
  });

  it('copies a "__proto__" own key as data', () => {
    const src = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    const copy = deepCopy(src);
    assert.equal(Object.getPrototypeOf(copy), Object.prototype);
    assert.deepEqual(Object.keys(copy), ['__proto__']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
