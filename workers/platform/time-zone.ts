/** Zones found valid, per isolate: building a formatter to check one costs far more than the check. */
const KNOWN_ZONES = new Set<string>();
/** Far above the few hundred IANA zones, so a flood of made-up names cannot grow it without bound. */
const MAX_KNOWN_ZONES = 2_000;

/** Whether `zone` is an IANA time zone this runtime knows (such as Europe/London). */
export function isTimeZone(zone: string): boolean {
  if (KNOWN_ZONES.has(zone)) return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    return false;
  }
  if (KNOWN_ZONES.size < MAX_KNOWN_ZONES) KNOWN_ZONES.add(zone);
  return true;
}

export const TIME_ZONE_MESSAGE = 'must be an IANA time zone, such as Europe/London or America/New_York';
