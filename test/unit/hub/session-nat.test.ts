import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { nodeBackend } from '../../../src/crypto/backend.node.js';
import { SessionNat, sessionNamespace } from '../../../src/hub/session-nat.js';

describe('session NAT', () => {
  it('namespaces are the first 16 hex of sha256(pubkey ":" client_id), distinct per client', () => {
    const ns = sessionNamespace(nodeBackend, 'PEM', 7);
    assert.equal(ns, createHash('sha256').update('PEM:7').digest('hex').slice(0, 16));
    assert.notEqual(ns, sessionNamespace(nodeBackend, 'PEM', 8));
  });

  it('maps ids into the namespace and back; foreign ids do not map back', () => {
    const a = new SessionNat('aaaaaaaaaaaaaaaa');
    const b = new SessionNat('bbbbbbbbbbbbbbbb');
    assert.equal(a.toAgent('default'), 'aaaaaaaaaaaaaaaa:default');
    assert.notEqual(a.toAgent('default'), b.toAgent('default'));
    assert.equal(a.fromAgent(a.toAgent('x:y')), 'x:y');
    assert.equal(a.fromAgent(b.toAgent('default')), null);
    assert.equal(a.fromAgent('default'), null);
  });
});
