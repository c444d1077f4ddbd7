import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HiveLinkError } from '../../../src/errors.js';
import { describeRefusal } from '../../../src/http/chat/refusal.js';

describe('chat page: describeRefusal', () => {
  const cases: [HiveLinkError, RegExp][] = [
    [
      new HiveLinkError('HL_ERR_NOISE_HANDSHAKE_FAILED', 'Noise handshake failed at readMessage2'),
      /^wrong password$/,
    ],
    [new HiveLinkError('HL_ERR_HANDSHAKE_VERIFY_FAILED', 'x'), /^wrong password$/],
    [
      new HiveLinkError(
        'HL_ERR_AUTH_REFUSED',
        'the hub refused the connection: password handshake verification failed',
      ),
      /^wrong password$/,
    ],
    [
      new HiveLinkError('HL_ERR_AUTH_REFUSED', 'the hub refused the connection: invalid authorization'),
      /does not know that access key/,
    ],
    [
      new HiveLinkError(
        'HL_ERR_AUTH_REFUSED',
        'the hub refused the connection: client noise key differs from the pinned key',
      ),
      /reset-noise-pin/,
    ],
    [new HiveLinkError('HL_ERR_AUTH_REFUSED', 'the hub refused the connection: ip denied'), /^ip denied$/],
    [new HiveLinkError('HL_ERR_NOISE_KEY_MISMATCH', 'pinned key differs'), /clear this site's stored data/],
    [
      new HiveLinkError('HL_ERR_CONNECT_FAILED', 'socket closed (ECONNREFUSED)'),
      /^socket closed \(ECONNREFUSED\)$/,
    ],
  ];
  for (const [error, expected] of cases) {
    it(`${error.code}: ${error.message}`, () => assert.match(describeRefusal(error), expected));
  }
});
