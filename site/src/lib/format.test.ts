import { describe, expect, it } from 'vitest';
import {
  capitalize,
  courseLength,
  completionPercent,
  formatDateTime,
  formatDate,
  localDay,
  formatDay,
  formatDuration,
  formatDurationCompact,
  formatPercent,
  formatRelative,
  plural,
} from './format';

const NOW = new Date('2026-11-20T12:00:00Z');
const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString();
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe('formatDuration', () => {
  it.each([
    [0, '0 min'],
    [-5, '0 min'],
    [45, '45 s'],
    [60, '1 min'],
    [89, '1 min'],
    [12 * 60, '12 min'],
    [3599, '1 h'],
    [3600, '1 h'],
    [2 * 3600 + 5 * 60, '2 h 5 min'],
  ])('%i seconds read "%s"', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe('formatDurationCompact', () => {
  it.each([
    [0, '0'],
    [45 * 60, '45m'],
    [3600, '1h'],
    [90 * 60, '1.5h'],
    [10 * 3600, '10h'],
  ])('%i seconds read "%s"', (seconds, text) => {
    expect(formatDurationCompact(seconds)).toBe(text);
  });
});

describe('shares', () => {
  it.each([
    [0, '0%'],
    [0.625, '63%'],
    [1, '100%'],
    [1.2, '100%'],
    [-0.1, '0%'],
    [Number.NaN, '0%'],
  ])('writes the probability %d as %s', (p, text) => {
    expect(formatPercent(p)).toBe(text);
  });

  it.each([
    [0, 0, 0],
    [1, 3, 33],
    [9, 9, 100],
  ])('%i of %i done is %i%%', (done, total, pct) => {
    expect(completionPercent(done, total)).toBe(pct);
  });
});

describe('formatRelative', () => {
  it.each([
    ['a moment away', at(10_000), 'now'],
    ['a minute away', at(MIN), 'in 1 minute'],
    ['ten minutes away', at(10 * MIN), 'in 10 minutes'],
    ['ninety minutes away', at(90 * MIN), 'in 2 hours'],
    ['just under an hour away', at(59.6 * MIN), 'in 1 hour'],
    ['just under a day away', at(DAY - 10 * MIN), 'tomorrow'],
    ['a day away', at(DAY), 'tomorrow'],
    ['twelve days away', at(12 * DAY), 'in 12 days'],
    ['two days ago', at(-2 * DAY), '2 days ago'],
    ['five minutes ago', at(-5 * MIN), '5 minutes ago'],
    ['a time that is not one', 'soon', 'at an unknown time'],
  ])('says when %s is', (_name, iso, text) => {
    expect(formatRelative(iso, NOW)).toBe(text);
  });
});

describe('dates', () => {
  it('writes a time with its date, in a given time zone', () => {
    // Newer ICU data puts a narrow no-break space before PM.
    expect(formatDateTime('2026-11-20T14:05:00Z', 'UTC').replace(/\s/gu, ' ')).toBe('Nov 20, 2026, 2:05 PM');
  });

  it('writes a UTC day as month and day, whatever the reader’s zone', () => {
    expect(formatDay('2026-11-16')).toBe('Nov 16');
  });

  it('writes a calendar day with its weekday and year, whatever the reader’s zone', () => {
    expect(formatDate('2026-11-23')).toBe('Mon, Nov 23, 2026');
  });
});

describe('words', () => {
  it('capitalizes a level', () => {
    expect(capitalize('not started')).toBe('Not started');
  });

  it.each([
    [0, '0 days'],
    [1, '1 day'],
    [2, '2 days'],
  ])('counts %i as "%s"', (count, text) => {
    expect(plural(count, 'day')).toBe(text);
  });
});

describe('localDay', () => {
  it("writes the browser's own calendar date, padded", () => {
    expect(localDay(new Date(2026, 0, 5, 23, 59))).toBe('2026-01-05');
    expect(localDay(new Date(2026, 11, 31, 0, 1))).toBe('2026-12-31');
  });
});

describe('courseLength', () => {
  it.each([
    [15, 'about 15 minutes'],
    [3, 'about 5 minutes'],
    [0, 'about 5 minutes'],
    [58, 'about 60 minutes'],
    [60, 'about 1 hour'],
    [100, 'about 1.5 hours'],
    [398, 'about 6.5 hours'],
    [600, 'about 10 hours'],
  ])('says %d minutes as "%s" (never "about 0 hours")', (minutes, text) => {
    expect(courseLength(minutes)).toBe(text);
  });
});
