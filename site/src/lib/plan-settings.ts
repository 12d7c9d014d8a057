/** The profile's daily-plan fields (time zone, time of day, minutes a day) as a form, and back as preferences. */
import type { Preferences, TimeOfDay } from './api';
import { isTimeZone } from './today';

export type PlanFields = Pick<Preferences, 'timeZone' | 'preferredTime' | 'dailyMinutes'>;

/** What the form holds: text as typed, '' for "not set". */
export interface PlanSettings {
  timeZone: string;
  preferredTime: TimeOfDay | '';
  dailyMinutes: string;
}

export type PlanSettingsErrors = Partial<Record<keyof PlanSettings, string>>;

/** Minutes a day offered; the stored value joins them when it is not one of them. */
export const DAILY_MINUTES = [5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240] as const;
export const DAILY_MINUTES_RANGE = { min: 5, max: 240 } as const;

/** The form's starting values: the stored ones, and the device's zone while none is stored. */
export function planSettingsOf(preferences: PlanFields | null, deviceZone: string | null): PlanSettings {
  return {
    timeZone: preferences?.timeZone ?? deviceZone ?? '',
    preferredTime: preferences?.preferredTime ?? '',
    dailyMinutes: preferences?.dailyMinutes === undefined ? '' : String(preferences.dailyMinutes),
  };
}

/** The minutes to offer: the usual choices and the current value, in order. */
export function dailyMinutesChoices(current: string): number[] {
  const value = Number(current);
  const choices = new Set<number>(DAILY_MINUTES);
  if (current !== '' && Number.isInteger(value)) choices.add(value);
  return [...choices].sort((a, b) => a - b);
}

/**
 * The fields as preferences, or the errors to show beside them. An empty field is
 * left out, which unsets it: the API then takes UTC, any time of day, and the session length.
 */
export function planFieldsOf(settings: PlanSettings): { fields: PlanFields; errors: PlanSettingsErrors } {
  const errors: PlanSettingsErrors = {};
  const fields: PlanFields = {};
  const zone = settings.timeZone.trim();
  if (zone !== '') {
    if (isTimeZone(zone)) fields.timeZone = zone;
    else errors.timeZone = 'Enter a time zone from the list, such as Europe/London or America/New_York.';
  }
  if (settings.preferredTime !== '') fields.preferredTime = settings.preferredTime;
  if (settings.dailyMinutes !== '') {
    const minutes = Number(settings.dailyMinutes);
    if (Number.isInteger(minutes) && minutes >= DAILY_MINUTES_RANGE.min && minutes <= DAILY_MINUTES_RANGE.max) {
      fields.dailyMinutes = minutes;
    } else {
      errors.dailyMinutes = `Choose from ${DAILY_MINUTES_RANGE.min} to ${DAILY_MINUTES_RANGE.max} minutes.`;
    }
  }
  return { fields, errors };
}

/** Which plan field an API field error names (`json/timeZone`, `timeZone`), or null for another one. */
export function planFieldOf(field: string): keyof PlanSettings | null {
  const names: (keyof PlanSettings)[] = ['timeZone', 'preferredTime', 'dailyMinutes'];
  return names.find((name) => field.split('/').includes(name)) ?? null;
}

/** The API's field errors that name a plan field, keyed by it (the others belong to the questions). */
export function planErrorsOf(errors: readonly { field: string; message: string }[]): PlanSettingsErrors {
  const byField: PlanSettingsErrors = {};
  for (const { field, message } of errors) {
    const name = planFieldOf(field);
    if (name) byField[name] = byField[name] ? `${byField[name]}; ${message}` : message;
  }
  return byField;
}
