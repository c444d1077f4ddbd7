/**
 * The timer skill's English: durations and clock times as people say them (after the intent engine's
 * normalization: lowercase, "7:30" → "7 30"), the entity patterns accept exactly what the parsers can read, and the
 * spoken wording of durations and time left.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  facingListenerEn,
  formatDurationEn,
  formatRemainingEn,
  joinEn,
} from '../../../src/assistant/skills/timer/format-en.js';
import {
  CLOCK_PATTERN_EN,
  DURATION_PATTERN_EN,
  parseClockEn,
  parseDurationEn,
} from '../../../src/assistant/skills/timer/parse-en.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;

describe('timer skill: durations', () => {
  const cases: [string, number][] = [
    ['5 minutes', 5 * M],
    ['five minutes', 5 * M],
    ['1 minute', M],
    ['a minute', M],
    ['90 seconds', 90 * S],
    ['30 secs', 30 * S],
    ['10 mins', 10 * M],
    ['2 hours', 2 * H],
    ['an hour', H],
    ['1 hour and 30 minutes', H + 30 * M],
    ['one hour thirty minutes', H + 30 * M],
    ['2 hours 15 minutes and 10 seconds', 2 * H + 15 * M + 10 * S],
    ['an hour and a half', H + 30 * M],
    ['a minute and a half', 90 * S],
    ['two and a half hours', 2.5 * H],
    ['half an hour', 30 * M],
    ['half a minute', 30 * S],
    ['a quarter of an hour', 15 * M],
    ['three quarters of an hour', 45 * M],
    ['a couple of minutes', 2 * M],
    ['1.5 hours', 1.5 * H],
    ['twenty five minutes', 25 * M],
    ['forty five seconds', 45 * S],
    ['one hundred and twenty seconds', 120 * S],
    ['5m', 5 * M],
    ['2h 15m', 2 * H + 15 * M],
    ['2 days', 48 * H],
  ];
  const pattern = new RegExp(`^(?:${DURATION_PATTERN_EN})$`);

  for (const [text, ms] of cases) {
    it(`"${text}" is ${ms} ms and matches the entity pattern`, () => {
      assert.equal(parseDurationEn(text), ms);
      assert.match(text, pattern);
    });
  }

  it('refuses what is not a duration', () => {
    for (const text of ['', 'pasta', '5', 'minutes', 'five pasta', 'zero minutes', '5 minutes pasta']) {
      assert.equal(parseDurationEn(text), undefined, text);
    }
    for (const text of ['pasta', '5', 'the kitchen']) assert.doesNotMatch(text, pattern);
  });
});

describe('timer skill: clock times', () => {
  const cases: [string, number, number][] = [
    ['7', 7, 0],
    ['7 oclock', 7, 0],
    ['seven', 7, 0],
    ['7 30', 7, 30],
    ['7.30', 7, 30],
    ['0730', 7, 30],
    ['1945', 19, 45],
    ['19 45', 19, 45],
    ['7 am', 7, 0],
    ['7am', 7, 0],
    ['7 pm', 19, 0],
    ['7 30 pm', 19, 30],
    ['7 30 p m', 19, 30],
    ['12 am', 0, 0],
    ['12 pm', 12, 0],
    ['seven thirty', 7, 30],
    ['six forty five', 6, 45],
    ['seven oh five', 7, 5],
    ['half past six', 6, 30],
    ['quarter past 7', 7, 15],
    ['quarter to eight', 7, 45],
    ['a quarter to 8', 7, 45],
    ['ten past nine', 9, 10],
    ['20 minutes to 9', 8, 40],
    ['quarter to 12 am', 23, 45],
    ['noon', 12, 0],
    ['midnight', 0, 0],
    ['8 in the morning', 8, 0],
    ['8 in the evening', 20, 0],
    ['10 at night', 22, 0],
  ];
  const pattern = new RegExp(`^(?:${CLOCK_PATTERN_EN})$`);
  for (const [text, hour, minute] of cases) {
    it(`"${text}" is ${hour}:${String(minute).padStart(2, '0')} and matches the entity pattern`, () => {
      assert.deepEqual(parseClockEn(text), { hour, minute });
      assert.match(text, pattern);
    });
  }

  it('refuses what is not a clock time', () => {
    for (const text of ['', '25', '7 75', '15 pm', 'pasta', 'half past', 'thirteen am']) {
      assert.equal(parseClockEn(text), undefined, text);
    }
  });
});

describe('timer skill: wording', () => {
  it('speaks durations without zero parts', () => {
    assert.equal(formatDurationEn(5 * M), '5 minutes');
    assert.equal(formatDurationEn(H + 30 * M), '1 hour and 30 minutes');
    assert.equal(formatDurationEn(2 * H + M + S), '2 hours, 1 minute and 1 second');
    assert.equal(formatDurationEn(26 * H), '1 day and 2 hours');
  });

  it('rounds time left the way a person says it', () => {
    assert.equal(formatRemainingEn(400), '1 second');
    assert.equal(formatRemainingEn(42_300), '43 seconds');
    assert.equal(formatRemainingEn(4 * M + 30 * S), '4 minutes and 30 seconds');
    assert.equal(formatRemainingEn(25 * M + 20 * S), '25 minutes');
    assert.equal(formatRemainingEn(H + 29 * M + 50 * S), '1 hour and 30 minutes');
  });

  it('joins lists and turns a reminder to face the listener', () => {
    assert.equal(joinEn(['a']), 'a');
    assert.equal(joinEn(['a', 'b', 'c']), 'a, b and c');
    assert.equal(facingListenerEn('call my mum'), 'call your mum');
    assert.equal(facingListenerEn('tell me if i am late'), 'tell you if you are late');
  });
});
