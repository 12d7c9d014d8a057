/** How the site writes durations, shares and dates: short, in English, the same on every page. */

const MINUTE = 60;

/** "0 min", "45 s", "12 min", "1 h", "2 h 5 min". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s === 0) return '0 min';
  if (s < MINUTE) return `${s} s`;
  const minutes = Math.round(s / MINUTE);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** How long a whole course takes, in words: "about 15 minutes", "about 1 hour", "about 2.5 hours". */
export function courseLength(minutes: number): string {
  const m = Math.max(0, Math.round(minutes));
  if (m < 60) return `about ${plural(Math.max(5, Math.round(m / 5) * 5), 'minute')}`;
  const hours = Math.round((m / 60) * 2) / 2;
  return `about ${hours} ${hours === 1 ? 'hour' : 'hours'}`;
}

/** A scale label, as short as it can be: "0", "45m", "1h", "1.5h". */
export function formatDurationCompact(seconds: number): string {
  const minutes = Math.round(Math.max(0, seconds) / 60);
  if (minutes === 0) return '0';
  if (minutes < 60) return `${minutes}m`;
  return `${Math.round((minutes / 60) * 10) / 10}h`;
}

/** A probability (0..1) as a whole percentage: 0.625 → "63%"; values outside 0..1 are clamped. */
export function formatPercent(p: number): string {
  return `${percent(p)}%`;
}

/** A probability (0..1) as a whole number of percent, clamped to 0..100. */
export function percent(p: number): number {
  return Number.isFinite(p) ? Math.round(Math.min(1, Math.max(0, p)) * 100) : 0;
}

/** The share of done in total as whole percent; 0 for an empty total. */
export function completionPercent(done: number, total: number): number {
  return total > 0 ? percent(done / total) : 0;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** "now", "in 10 minutes", "in 3 hours", "tomorrow", "in 12 days", "2 days ago": when an ISO time is, from `now`. */
export function formatRelative(iso: string, now: Date): string {
  const diff = Date.parse(iso) - now.getTime();
  if (Number.isNaN(diff)) return 'at an unknown time';
  if (Math.abs(diff) <= 30_000) return 'now';
  const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  // Each unit is used while its rounded count stays below the next unit: 59.6 minutes is "in 1 hour", 23.9 hours "tomorrow".
  const minutes = Math.round(diff / MINUTE_MS);
  if (Math.abs(minutes) < 60) return rtf.format(minutes, 'minute');
  const hours = Math.round(diff / HOUR_MS);
  if (Math.abs(hours) < 24) return rtf.format(hours, 'hour');
  return rtf.format(Math.round(diff / DAY_MS), 'day');
}

/** "Nov 20, 2026, 2:05 PM" in the reader's time zone (or `timeZone`). */
export function formatDateTime(iso: string, timeZone?: string): string {
  return new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', ...(timeZone ? { timeZone } : {}) }).format(
    new Date(iso),
  );
}

/** A UTC day (`YYYY-MM-DD`) as "Nov 17". */
export function formatDay(day: string): string {
  return new Intl.DateTimeFormat('en', { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`));
}

/** A calendar day (`YYYY-MM-DD`) as "Mon, Nov 23, 2026": the same day wherever the reader is. */
export function formatDate(day: string): string {
  return new Intl.DateTimeFormat('en', {
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(`${day}T00:00:00Z`));
}

/** "not started" → "Not started". */
export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "1 lesson", "3 lessons". */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** A date as YYYY-MM-DD in the browser's own time zone. */
export function localDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
