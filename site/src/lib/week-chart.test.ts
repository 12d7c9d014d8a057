import { describe, expect, it } from 'vitest';
import { mondayOf, niceCeiling, recentWeeks, weekChart, type ChartBox } from './week-chart';

const BOX: ChartBox = { width: 200, height: 120, left: 20, bottom: 10, top: 10, gap: 0.5 };

describe('mondayOf', () => {
  it.each([
    ['a Friday', '2026-11-20T12:00:00Z', '2026-11-16'],
    ['a Monday', '2026-11-16T00:00:00Z', '2026-11-16'],
    ['a Sunday night', '2026-11-22T23:59:59Z', '2026-11-16'],
    ['a week across a year end', '2027-01-01T08:00:00Z', '2026-12-28'],
  ])('finds the Monday (UTC) of %s', (_name, iso, monday) => {
    expect(mondayOf(new Date(iso))).toBe(monday);
  });
});

describe('recentWeeks', () => {
  it('lists the last weeks up to this one, oldest first, with zero for weeks without activity', () => {
    const weeks = recentWeeks(
      [
        { week: '2026-11-16', activeSeconds: 600 },
        { week: '2026-11-02', activeSeconds: 120 },
        { week: '2026-09-07', activeSeconds: 999 },
      ],
      new Date('2026-11-20T12:00:00Z'),
      4,
    );
    expect(weeks).toEqual([
      { week: '2026-10-26', activeSeconds: 0 },
      { week: '2026-11-02', activeSeconds: 120 },
      { week: '2026-11-09', activeSeconds: 0 },
      { week: '2026-11-16', activeSeconds: 600 },
    ]);
  });

  it('shows eight weeks unless told otherwise', () => {
    expect(recentWeeks([], new Date('2026-11-20T12:00:00Z'))).toHaveLength(8);
  });
});

describe('niceCeiling', () => {
  it.each([
    [0, 10 * 60],
    [60, 10 * 60],
    [10 * 60, 10 * 60],
    [11 * 60, 20 * 60],
    [61 * 60, 90 * 60],
    [19 * 3600, 20 * 3600],
    [25 * 3600, 30 * 3600],
  ])('rounds %i seconds up to %i', (seconds, ceiling) => {
    expect(niceCeiling(seconds)).toBe(ceiling);
  });
});

describe('weekChart', () => {
  const weeks = [
    { week: '2026-11-02', activeSeconds: 0 },
    { week: '2026-11-09', activeSeconds: 15 * 60 },
    { week: '2026-11-16', activeSeconds: 30 * 60 },
  ];

  it('scales the tallest week to a round top and the others in proportion', () => {
    const { bars, max } = weekChart(weeks, BOX);
    expect(max).toBe(30 * 60);
    // The plot is 100 tall (120 − 10 top − 10 bottom) and its base at y = 110.
    expect(bars.map((b) => [b.height, b.y])).toEqual([
      [0, 110],
      [50, 60],
      [100, 10],
    ]);
  });

  it('spreads the bars over the plot width, centred in equal slots', () => {
    const { bars } = weekChart(weeks, BOX);
    // 180 wide after the 20 on the left: three slots of 60, bars half as wide.
    expect(bars.map((b) => [b.x, b.width])).toEqual([
      [35, 30],
      [95, 30],
      [155, 30],
    ]);
  });

  it('draws any activity tall enough to see', () => {
    const { bars } = weekChart(
      [
        { week: '2026-11-16', activeSeconds: 1 },
        { week: '2026-11-23', activeSeconds: 20 * 3600 },
      ],
      BOX,
    );
    expect(bars[0]?.height).toBe(2);
  });

  it('puts gridlines at zero, half and the top', () => {
    expect(weekChart(weeks, BOX).ticks).toEqual([
      { value: 0, y: 110 },
      { value: 15 * 60, y: 60 },
      { value: 30 * 60, y: 10 },
    ]);
  });

  it('keeps a scale for a chart without activity', () => {
    const { bars, max } = weekChart([{ week: '2026-11-16', activeSeconds: 0 }], BOX);
    expect(max).toBe(600);
    expect(bars[0]?.height).toBe(0);
  });
});
