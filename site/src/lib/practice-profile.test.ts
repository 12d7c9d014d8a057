import { describe, expect, it } from 'vitest';
import type { PracticeProfile } from './api';
import { planChoices, profileLines } from './practice-profile';

type Affinity = PracticeProfile['affinity'][number];

function affinity(category: Affinity['category'], value: number, evidence: Partial<Affinity['evidence']> = {}): Affinity {
  return { category, value, evidence: { completed: 0, skipped: 0, leftOpen: 0, rated: 0, meanRating: null, ...evidence } };
}

function profile(overrides: Partial<PracticeProfile> = {}): PracticeProfile {
  return {
    date: '2026-11-23',
    timeZone: 'Europe/London',
    plannedDays: 12,
    affinity: [affinity('review', 0.5), affinity('learn', 0.5)],
    varietySeeking: {
      value: 0.47,
      evidence: { newOffered: 13, newCompleted: 8, provenOffered: 10, provenCompleted: 7 },
    },
    consistency: { value: 0.75, evidence: { windowDays: 14, plannedDays: 12, practisedDays: 9, streak: 4 } },
    preferredTime: { value: 'evening', evidence: { sessions: { morning: 1, afternoon: 0, evening: 6, night: 0 } } },
    sessionMinutes: { value: 24, evidence: { practisedDays: 9, minutesCompleted: 216 } },
    archetype: { value: 'builder', reason: 'A steady daily habit: a balanced plan' },
    phase: { value: 'establishment', reason: 'Week 2 of your plans: more of what works for you' },
    mode: { value: 'standard', reason: 'Active on 4 of the last 7 days: a standard plan' },
    ...overrides,
  };
}

const text = (p: PracticeProfile, id: string) => profileLines(p).find((l) => l.id === id)?.text;

describe('profileLines', () => {
  it('says each number in words with the counts behind it', () => {
    const p = profile({
      affinity: [
        affinity('review', 0.7, { completed: 6, skipped: 1 }),
        affinity('reflect', 0.3, { completed: 1, skipped: 4, leftOpen: 2 }),
        affinity('apply', 0.5),
      ],
    });
    expect(text(p, 'consistency')).toBe('Practised 9 of 12 planned days in the last 14 days; streak 4 days.');
    expect(text(p, 'variety')).toBe('You complete 62% of new kinds of task and 70% of ones you know.');
    expect(text(p, 'affinity')).toBe(
      'You take most to review tasks (6 done, 1 skipped), least to reflect (1 done, 4 skipped, 2 left).',
    );
    expect(text(p, 'time')).toBe('You practise most in the evening: on 6 days in the last 4 weeks.');
    expect(text(p, 'minutes')).toBe('About 24 min of tasks on a day you practise (216 min over 9 days).');
  });

  it('tells a new learner what is still to come, not zeros', () => {
    const p = profile({
      plannedDays: 0,
      varietySeeking: { value: null, evidence: { newOffered: 3, newCompleted: 1, provenOffered: 0, provenCompleted: 0 } },
      consistency: { value: null, evidence: { windowDays: 14, plannedDays: 0, practisedDays: 0, streak: 0 } },
      preferredTime: { value: null, evidence: { sessions: { morning: 0, afternoon: 0, evening: 0, night: 0 } } },
      sessionMinutes: { value: null, evidence: { practisedDays: 1, minutesCompleted: 5 } },
    });
    expect(text(p, 'consistency')).toBe('No planned days yet: your first plan is on the Today page.');
    expect(text(p, 'variety')).toBe(
      'Too early to tell whether you prefer new kinds of task or ones you know: it shows after 10 tasks (3 tasks so far).',
    );
    expect(text(p, 'affinity')).toBeUndefined();
    expect(text(p, 'time')).toBe('No time of day stands out yet.');
    expect(text(p, 'minutes')).toBe('Your usual session length shows after 3 days of practice (1 day so far).');
  });

  it('names one kind of task alone when only one has been seen', () => {
    const p = profile({ affinity: [affinity('learn', 0.6, { completed: 2 }), affinity('review', 0.5)] });
    expect(text(p, 'affinity')).toBe('You take most to learn tasks (2 done, 0 skipped).');
  });
});

describe('planChoices', () => {
  it('gives style, phase and pace with their reasons as sentences', () => {
    expect(planChoices(profile())).toEqual([
      { id: 'archetype', label: 'Style: Builder', text: 'A steady daily habit: a balanced plan.' },
      { id: 'phase', label: 'Phase: Establishing', text: 'Week 2 of your plans: more of what works for you.' },
      { id: 'mode', label: 'Pace: Standard day', text: 'Active on 4 of the last 7 days: a standard plan.' },
    ]);
  });
});
