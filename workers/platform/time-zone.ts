/** Zones found valid, per isolate: building a formatter to check one costs far more than the check. */
const KNOWN_ZONES = new Set<string>();
/** Far above the few hundred IANA zones, so a flood of made-up names cannot grow it without bound. */
const MAX_KNOWN_ZONES = 2_000;

/**
 * Whether `zone` is an IANA time zone this runtime knows (such as Europe/London), spelt as
 * the database spells it. The runtime also resolves UTC offsets (`+05:30`, which ignore
 * daylight saving) and names in another case (`europe/london`, `utc`); neither is a zone
 * name, and stored they would be shown back as typed.
 */
export function isTimeZone(zone: string): boolean {
  if (KNOWN_ZONES.has(zone)) return true;
  if (/^[+-]/.test(zone)) return false;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return false;
  }
  if (resolved !== zone && resolved.toLowerCase() === zone.toLowerCase()) return false;
  if (KNOWN_ZONES.size < MAX_KNOWN_ZONES) KNOWN_ZONES.add(zone);
  return true;
}

export const TIME_ZONE_MESSAGE =
  'must be an IANA time zone name, spelt as the database spells it, such as Europe/London or America/New_York (not a UTC offset such as +05:30)';
