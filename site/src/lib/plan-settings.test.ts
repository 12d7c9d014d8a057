import { describe, expect, it } from 'vitest';
import { dailyMinutesChoices, planErrorsOf, planFieldsOf, planSettingsOf, type PlanSettings } from './plan-settings';

function settings(overrides: Partial<PlanSettings> = {}): PlanSettings {
  return { timeZone: 'Europe/London', preferredTime: 'evening', dailyMinutes: '30', ...overrides };
}

describe('planSettingsOf', () => {
  it('starts from the stored values', () => {
    expect(planSettingsOf({ timeZone: 'Asia/Tokyo', preferredTime: 'morning', dailyMinutes: 45 }, 'Europe/London')).toEqual({
      timeZone: 'Asia/Tokyo',
      preferredTime: 'morning',
      dailyMinutes: '45',
    });
  });

  it('fills in the device’s zone while none is stored, and leaves the rest unset', () => {
    expect(planSettingsOf({}, 'Europe/London')).toEqual({ timeZone: 'Europe/London', preferredTime: '', dailyMinutes: '' });
    expect(planSettingsOf(null, null)).toEqual({ timeZone: '', preferredTime: '', dailyMinutes: '' });
  });
});

describe('planFieldsOf', () => {
  it('turns the form into preferences', () => {
    expect(planFieldsOf(settings({ timeZone: ' America/New_York ' }))).toEqual({
      fields: { timeZone: 'America/New_York', preferredTime: 'evening', dailyMinutes: 30 },
      errors: {},
    });
  });

  it('leaves empty fields out, which unsets them', () => {
    expect(planFieldsOf(settings({ timeZone: '', preferredTime: '', dailyMinutes: '' }))).toEqual({ fields: {}, errors: {} });
  });

  it.each([
    ['a zone no browser knows', settings({ timeZone: 'Mars/Olympus' }), 'timeZone'],
    ['minutes below the range', settings({ dailyMinutes: '2' }), 'dailyMinutes'],
    ['minutes above the range', settings({ dailyMinutes: '300' }), 'dailyMinutes'],
    ['minutes that are not whole', settings({ dailyMinutes: '12.5' }), 'dailyMinutes'],
  ])('refuses %s beside its field', (_name, form, field) => {
    const { fields, errors } = planFieldsOf(form);
    expect(Object.keys(errors)).toEqual([field]);
    expect(fields).not.toHaveProperty(field);
  });
});

describe('dailyMinutesChoices', () => {
  it('offers the usual minutes, with a stored value that is not one of them in its place', () => {
    expect(dailyMinutesChoices('')).toEqual([5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240]);
    expect(dailyMinutesChoices('35')).toEqual([5, 10, 15, 20, 30, 35, 45, 60, 90, 120, 180, 240]);
    expect(dailyMinutesChoices('30')).toHaveLength(11);
  });
});

describe('planErrorsOf', () => {
  it('files the API’s errors on plan fields under them, and leaves the others to the questions', () => {
    expect(
      planErrorsOf([
        { field: 'json/timeZone', message: 'must be an IANA time zone' },
        { field: 'json/dailyMinutes', message: 'too small' },
        { field: 'json/dailyMinutes', message: 'not whole' },
        { field: 'json/goals/0', message: 'not a part' },
      ]),
    ).toEqual({ timeZone: 'must be an IANA time zone', dailyMinutes: 'too small; not whole' });
  });
});
