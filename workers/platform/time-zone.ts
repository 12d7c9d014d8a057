/** Whether `zone` is an IANA time zone this runtime knows (such as Europe/London). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const TIME_ZONE_MESSAGE = 'must be an IANA time zone, such as Europe/London or America/New_York';
