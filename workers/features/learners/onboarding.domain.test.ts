import { describe, expect, it } from 'vitest';
import type { Preferences } from './learners.schemas';
import { canonicalPreferences, preferencesHash, sessionBand } from './onboarding.domain';

const BASE: Preferences = {
  experience: 'basic',
  background: 'data',
  goals: ['b', 'a'],
  style: 'mixed',
  sessionMinutes: 25,
  exampleDomain: 'general',
};

describe('canonical preferences', () => {
  it.each([
    [5, 10],
    [10, 10],
    [11, 20],
    [30, 30],
    [44, 45],
    [90, 90],
    [240, 120],
  ])('puts %i minutes in the %i-minute band', (minutes, band) => {
    expect(sessionBand(minutes)).toBe(band);
  });

  it('sorts goals and bands minutes, so equal profiles hash equally', async () => {
    expect(canonicalPreferences(BASE)).toEqual({ ...BASE, goals: ['a', 'b'], sessionMinutes: 30 });
    expect(await preferencesHash(BASE)).toBe(await preferencesHash({ ...BASE, goals: ['a', 'b'], sessionMinutes: 30 }));
    expect(await preferencesHash(BASE)).not.toBe(await preferencesHash({ ...BASE, style: 'visual' }));
  });
});
