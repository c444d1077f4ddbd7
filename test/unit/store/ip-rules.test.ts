import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  evaluateIp,
  formatIp,
  type IpRuleInput,
  normalizeCidr,
  parseIp,
} from '../../../src/store/ip-rules.js';

const g = (cidr: string, action: 'allow' | 'deny'): IpRuleInput => ({ cidr, action, clientId: null });
const c = (clientId: number, cidr: string, action: 'allow' | 'deny'): IpRuleInput => ({
  cidr,
  action,
  clientId,
});

describe('parseIp / formatIp', () => {
  const cases: [string, string | null][] = [
    ['127.0.0.1', '127.0.0.1'],
    ['::1', '::1'],
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['::FFFF:7f00:1', '127.0.0.1'],
    ['2001:DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:0:0:0:2:1', '2001:db8::2:1'],
    ['2001:db8::1%eth0', '2001:db8::1'],
    ['[::1]', '::1'],
    ['fe80::', 'fe80::'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ['::', '::'],
    ['256.0.0.1', null],
    ['01.2.3.4', null],
    ['1.2.3', null],
    ['1::2::3', null],
    ['1:2:3:4:5:6:7:8:9', null],
    ['1:2:3:4:5:6:7::8', null],
    ['12345::', null],
    ['', null],
    ['example.com', null],
  ];
  for (const [input, want] of cases) {
    it(`${JSON.stringify(input)} → ${want}`, () => {
      const ip = parseIp(input);
      assert.equal(ip === null ? null : formatIp(ip), want);
    });
  }
});

describe('normalizeCidr', () => {
  it('normalises addresses, prefixes and host bits', () => {
    assert.equal(normalizeCidr('10.1.2.3/8'), '10.0.0.0/8');
    assert.equal(normalizeCidr('192.168.1.7'), '192.168.1.7/32');
    assert.equal(normalizeCidr('2001:DB8::1/32'), '2001:db8::/32');
    assert.equal(normalizeCidr('::1'), '::1/128');
    assert.equal(normalizeCidr('0.0.0.0/0'), '0.0.0.0/0');
    assert.equal(normalizeCidr('::ffff:10.0.0.0/104'), '10.0.0.0/8');
  });

  for (const bad of [
    '10.0.0.0/33',
    '::/129',
    '10.0.0.0/',
    '10.0.0.0/08',
    'nope',
    '',
    '1.2.3.4/-1',
    'fe80::1%eth0/64',
  ]) {
    it(`rejects ${JSON.stringify(bad)} with HL_ERR_INVALID_ARGUMENT`, () => {
      assert.throws(() => normalizeCidr(bad), { code: 'HL_ERR_INVALID_ARGUMENT' });
    });
  }

  it('rejects a non-string with HL_ERR_INVALID_ARGUMENT', () => {
    assert.throws(() => normalizeCidr(undefined as unknown as string), { code: 'HL_ERR_INVALID_ARGUMENT' });
  });
});

describe('evaluateIp', () => {
  const table: [string, IpRuleInput[], string, number | undefined, 'allow' | 'deny'][] = [
    ['no rules → allow', [], '203.0.113.9', undefined, 'allow'],
    ['global deny matches', [g('203.0.113.0/24', 'deny')], '203.0.113.9', undefined, 'deny'],
    ['global deny elsewhere', [g('198.51.100.0/24', 'deny')], '203.0.113.9', undefined, 'allow'],
    ['allow-list: match', [g('10.0.0.0/8', 'allow')], '10.2.3.4', undefined, 'allow'],
    ['allow-list: no match → deny', [g('10.0.0.0/8', 'allow')], '11.2.3.4', undefined, 'deny'],
    [
      'deny wins over allow at one level',
      [g('10.0.0.0/8', 'allow'), g('10.9.0.0/16', 'deny')],
      '10.9.1.1',
      undefined,
      'deny',
    ],
    [
      'deny wins even if listed after',
      [g('10.9.0.0/16', 'deny'), g('10.0.0.0/8', 'allow')],
      '10.9.1.1',
      undefined,
      'deny',
    ],
    ['v6 deny', [g('2001:db8::/32', 'deny')], '2001:db8::5', undefined, 'deny'],
    ['v6 rule does not match v4', [g('::/0', 'deny')], '192.0.2.1', undefined, 'allow'],
    ['mapped address matches a v4 rule', [g('127.0.0.0/8', 'deny')], '::ffff:127.0.0.1', undefined, 'deny'],
    ['mapped rule matches a v4 address', [g('::ffff:127.0.0.1', 'deny')], '127.0.0.1', undefined, 'deny'],
    ['v4 allow-list denies v6', [g('0.0.0.0/0', 'allow')], '::1', undefined, 'deny'],
    [
      'client allow overrides global deny',
      [g('0.0.0.0/0', 'deny'), c(7, '10.0.0.0/8', 'allow')],
      '10.1.1.1',
      7,
      'allow',
    ],
    ['client allow-list denies outside', [c(7, '10.0.0.0/8', 'allow')], '192.0.2.1', 7, 'deny'],
    ['client deny', [c(7, '192.0.2.0/24', 'deny')], '192.0.2.1', 7, 'deny'],
    ['client deny, other client unaffected', [c(7, '192.0.2.0/24', 'deny')], '192.0.2.1', 8, 'allow'],
    [
      'client rules ignored without a client',
      [c(7, '192.0.2.0/24', 'deny')],
      '192.0.2.1',
      undefined,
      'allow',
    ],
    [
      'client deny-only, no match → global decides',
      [c(7, '192.0.2.0/24', 'deny'), g('198.51.100.0/24', 'deny')],
      '198.51.100.4',
      7,
      'deny',
    ],
    [
      'client deny-only, no match, no global → allow',
      [c(7, '192.0.2.0/24', 'deny')],
      '198.51.100.4',
      7,
      'allow',
    ],
    [
      'client deny beats global allow',
      [g('192.0.2.0/24', 'allow'), c(7, '192.0.2.0/24', 'deny')],
      '192.0.2.1',
      7,
      'deny',
    ],
    ['unreadable address with rules → deny', [g('10.0.0.0/8', 'deny')], 'garbage', undefined, 'deny'],
    ['unreadable address without rules → allow', [], 'garbage', undefined, 'allow'],
  ];
  for (const [name, rules, ip, clientId, want] of table) {
    it(name, () => assert.equal(evaluateIp(ip, rules, clientId), want));
  }

  it('throws HL_ERR_INVALID_ARGUMENT on a bad rule', () => {
    assert.throws(() => evaluateIp('1.2.3.4', [g('1.2.3.4/99', 'deny')]), {
      code: 'HL_ERR_INVALID_ARGUMENT',
    });
    assert.throws(
      () => evaluateIp('1.2.3.4', [{ cidr: '1.2.3.4', action: 'maybe' as 'allow', clientId: null }]),
      {
        code: 'HL_ERR_INVALID_ARGUMENT',
      },
    );
  });
});
