/** Active time per week as bar geometry: the dashboard's chart draws these numbers and nothing else. */

export interface WeekTotal {
  /** Monday of the week (UTC), `YYYY-MM-DD`. */
  week: string;
  activeSeconds: number;
}

export interface WeekBar extends WeekTotal {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WeekChart {
  bars: WeekBar[];
  /** The top of the scale, in seconds. */
  max: number;
  /** Gridlines: a value in seconds and its height on the chart. */
  ticks: { value: number; y: number }[];
}

export interface ChartBox {
  width: number;
  height: number;
  /** Room kept on the left for the scale's labels, at the bottom for the week labels, on top for the top label. */
  left: number;
  bottom: number;
  top: number;
  /** Space between bars as a share of each bar's slot (0..1). */
  gap: number;
}

const DAY_MS = 86_400_000;

/** Monday (UTC) of the week holding `date`, as the API names weeks. */
export function mondayOf(date: Date): string {
  const day = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  const offset = (new Date(day).getUTCDay() + 6) % 7;
  return new Date(day - offset * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The last `count` weeks up to the one holding `today`, oldest first. The API lists
 * only weeks with activity; the weeks it leaves out are shown as zero.
 */
export function recentWeeks(weeks: readonly WeekTotal[], today: Date, count = 8): WeekTotal[] {
  const seconds = new Map(weeks.map((w) => [w.week, w.activeSeconds]));
  const last = Date.parse(`${mondayOf(today)}T00:00:00Z`);
  return Array.from({ length: count }, (_, i) => {
    const week = new Date(last - (count - 1 - i) * 7 * DAY_MS).toISOString().slice(0, 10);
    return { week, activeSeconds: seconds.get(week) ?? 0 };
  });
}

/** Scale tops in minutes: round numbers a reader can halve in their head. */
const NICE_MINUTES = [10, 20, 30, 60, 90, 120, 180, 240, 360, 480, 600, 900, 1200];

/** The smallest round top of scale (seconds) at or above `seconds`; ten minutes for an empty chart. */
export function niceCeiling(seconds: number): number {
  const minutes = Math.max(0, seconds) / 60;
  const nice = NICE_MINUTES.find((m) => m >= minutes) ?? Math.ceil(minutes / 600) * 600;
  return nice * 60;
}

/** Bars too short to see would read as "no activity": any activity is drawn at least this tall. */
const MIN_BAR = 2;

/** Lays out one bar per week inside `box`, scaled to a round maximum, with three gridlines. */
export function weekChart(weeks: readonly WeekTotal[], box: ChartBox): WeekChart {
  const max = niceCeiling(Math.max(0, ...weeks.map((w) => w.activeSeconds)));
  const plotWidth = box.width - box.left;
  const plotHeight = box.height - box.bottom - box.top;
  const base = box.top + plotHeight;
  const slot = weeks.length > 0 ? plotWidth / weeks.length : 0;
  const width = slot * (1 - box.gap);
  const bars = weeks.map((w, i) => {
    const scaled = (Math.max(0, w.activeSeconds) / max) * plotHeight;
    const height = w.activeSeconds > 0 ? Math.max(MIN_BAR, scaled) : 0;
    return { ...w, x: box.left + i * slot + (slot - width) / 2, y: base - height, width, height };
  });
  const ticks = [0, max / 2, max].map((value) => ({ value, y: base - (value / max) * plotHeight }));
  return { bars, max, ticks };
}
