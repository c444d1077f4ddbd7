import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { agentMessageFrom, clientMessageFrom, clientSession } from '../../../src/hub/inject.js';
import { PeerRegistry } from '../../../src/hub/peers.js';
import { SessionNat } from '../../../src/hub/session-nat.js';
import type { HubPeer } from '../../../src/hub/types.js';
import type { ClientRecord } from '../../../src/store/types.js';

function fakePeer(peer: string, over: Partial<ClientRecord> = {}): HubPeer {
  const record = {
    id: 1,
    name: 'kitchen',
    blockedSkills: ['skill.a'],
    blockedIntents: ['intent.b'],
    ...over,
  } as ClientRecord;
  return {
    id: 1,
    peer,
    useragent: 'ua',
    ip: '127.0.0.1',
    rateKey: 'test',
    record,
    protocolVersion: 2,
    siteId: 'kitchen-site',
    pubkey: null,
    nat: new SessionNat('0123456789abcdef'),
    session: { hello: { session_id: 'sess', lang: 'en-US', blacklisted_skills: ['own'] }, latest: null },
    send: () => true,
    deny: () => {},
    close: () => {},
    applyHello: () => {},
    rekey: () => Promise.resolve(),
  };
}

describe('client → agent messages', () => {
  it('sets source, peer, destination, client_name, site and the NAT-ed session with blocked skills merged', () => {
    const conn = fakePeer('ua::1::kitchen::sess');
    const msg = agentMessageFrom(
      conn,
      { type: 'recognizer_loop:utterance', data: {}, context: {} },
      new PeerRegistry(),
    );
    assert.equal(msg.context.source, conn.peer);
    assert.equal(msg.context.peer, conn.peer);
    assert.equal(msg.context.destination, 'skills');
    assert.equal(msg.context.client_name, 'kitchen');
    assert.equal(msg.context.site_id, 'kitchen-site');
    assert.deepEqual(msg.context.session, {
      session_id: '0123456789abcdef:sess',
      lang: 'en-US',
      site_id: 'kitchen-site',
      blacklisted_skills: ['own', 'skill.a'],
      blacklisted_intents: ['intent.b'],
    });
  });

  it("leaves the client's payload as it was", () => {
    const conn = fakePeer('me');
    const payload = {
      type: 'speak',
      data: { utterance: 'hi' },
      context: { destination: ['x'], session: { session_id: 'sess', lang: 'de-DE' } },
    };
    const before = structuredClone(payload);
    const msg = agentMessageFrom(conn, payload, new PeerRegistry(), { query_id: 'q' });
    assert.deepEqual(payload, before);
    assert.equal(msg.context.query_id, 'q');
    assert.deepEqual(msg.context.destination, ['audio']);
  });

  it('sends speak to ["audio"] and keeps a client destination that names no connected peer', () => {
    const conn = fakePeer('me');
    const peers = new PeerRegistry();
    peers.add(fakePeer('other'));
    const speak = agentMessageFrom(conn, { type: 'speak', data: {}, context: { destination: 'x' } }, peers);
    assert.deepEqual(speak.context.destination, ['audio']);
    const own = agentMessageFrom(
      conn,
      { type: 't', data: {}, context: { destination: ['other', 'gui'] } },
      peers,
    );
    assert.deepEqual(own.context.destination, ['gui']);
  });

  it('merges the per-message session over the baseline, dropping nulls; another session id replaces it', () => {
    const conn = fakePeer('me');
    assert.equal(clientSession(conn, { session_id: 'sess', lang: null }).lang, 'en-US');
    assert.equal(clientSession(conn, { lang: 'de-DE' }).lang, 'de-DE');
    const other = clientSession(conn, { session_id: 'other' });
    assert.equal(other.session_id, 'other');
    assert.equal(other.lang, undefined);
  });
});

describe('agent → client messages', () => {
  it('maps the session back, remembers it as the latest, and marks the source as hive', () => {
    const conn = fakePeer('me');
    const out = clientMessageFrom(conn, {
      type: 'speak',
      data: { utterance: 'hi' },
      context: {
        source: 'skills',
        destination: 'me',
        session: { session_id: '0123456789abcdef:sess', x: 1 },
      },
    });
    assert.equal(out.context.source, 'hive');
    assert.equal(out.context.session?.session_id, 'sess');
    assert.deepEqual(conn.session.latest, { session_id: 'sess', x: 1 });
  });

  it('leaves the bus message as it was (other handlers and clients see it unchanged), and keeps no alias of it', () => {
    const conn = fakePeer('me');
    const message = {
      type: 'speak',
      data: { utterance: 'hi' },
      context: {
        source: 'skills',
        destination: 'me',
        session: { session_id: '0123456789abcdef:sess', context: { turn: 1 } },
      },
    };
    const before = structuredClone(message);
    clientMessageFrom(conn, message);
    clientMessageFrom(conn, { type: 't', data: {}, context: { session: { session_id: 'ffff:other' } } });
    assert.deepEqual(message, before);
    (message.context.session.context as { turn: number }).turn = 2;
    assert.deepEqual(conn.session.latest, { session_id: 'sess', context: { turn: 1 } });
  });

  it("removes another client's session", () => {
    const conn = fakePeer('me');
    const out = clientMessageFrom(conn, {
      type: 't',
      data: {},
      context: { session: { session_id: 'ffff:sess' } },
    });
    assert.equal(out.context.session, undefined);
  });
});
