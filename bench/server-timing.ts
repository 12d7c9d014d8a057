/**
 * A count the Worker reports in one `Server-Timing` entry as `name;desc="<n> <unit>"`
 * (`kv;desc="1 reads"`, `model;desc="0 calls"`, `d1;desc="2 queries"`; a bare
 * `d1;desc="2"` reads the same). Null when the header has no such entry.
 */
export function timingCount(header: string, name: string): number | null {
  for (const entry of header.split(',')) {
    const match = /^\s*([^;\s]+)\s*;(?:.*;)?\s*desc="?(\d+)/.exec(entry);
    if (match?.[1] === name) return Number(match[2]);
  }
  return null;
}

/** The `dur` of one `Server-Timing` entry (`app;dur=12`), in ms; null when the header has no such entry. */
export function timingDuration(header: string, name: string): number | null {
  for (const entry of header.split(',')) {
    const match = /^\s*([^;\s]+)\s*;(?:.*;)?\s*dur=([\d.]+)/.exec(entry);
    if (match?.[1] === name) return Number(match[2]);
  }
  return null;
}
