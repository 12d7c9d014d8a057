import { describe, expect, it } from 'vitest';
import { practiceProfile, type ProfilePlan } from './profile.domain';

const item = (variationId: string, status: string, minutes = 10, outcome?: { rating?: number; skipReason?: string }) => ({
  variationId,
  category: 'apply' as const,
  status,
  minutes,
  ...(outcome ? { outcome } : {}),
});

describe('practiceProfile', () => {
  it('is neutral, with zero evidence, before any plan', () => {
    const profile = practiceProfile([], [], '2026-12-03', 'UTC');
    expect(profile.varietySeeking).toEqual({
      value: null,
      evidence: { newOffered: 0, newCompleted: 0, provenOffered: 0, provenCompleted: 0 },
    });
    expect(profile.consistency).toEqual({
      value: null,
      evidence: { windowDays: 14, plannedDays: 0, practisedDays: 0, streak: 0 },
    });
    expect(profile.preferredTime.value).toBeNull();
    expect(profile.sessionMinutes.value).toBeNull();
    expect(profile.affinity.every((a) => a.value === 0.5)).toBe(true);
  });

  it('scores variety seeking from how readily new variations are completed against proven ones', () => {
    // Day 1: a, b, c new, all done. Days 2-4: one proven (a) skipped each day, one new done each day.
    const plans: ProfilePlan[] = [
      { date: '2026-11-20', items: [item('a', 'completed'), item('b', 'completed'), item('c', 'completed')] },
      { date: '2026-11-21', items: [item('a', 'skipped'), item('d', 'completed')] },
      { date: '2026-11-22', items: [item('a', 'skipped'), item('e', 'completed')] },
      { date: '2026-11-23', items: [item('b', 'open'), item('f', 'completed'), item('g', 'skipped')] },
    ];
    const { varietySeeking } = practiceProfile(plans, [], '2026-12-03', 'UTC');
    expect(varietySeeking.evidence).toEqual({ newOffered: 7, newCompleted: 6, provenOffered: 3, provenCompleted: 0 });
    // New: (6 + 1) / (7 + 2); proven: (0 + 1) / (3 + 2); value = new / (new + proven).
    const fresh = 7 / 9;
    const proven = 1 / 5;
    expect(varietySeeking.value).toBeCloseTo(fresh / (fresh + proven), 5);
  });

  it('counts consistency over planned days of the last 14, the streak up to today, and practised minutes', () => {
    const plans: ProfilePlan[] = [
      // Outside the window.
      { date: '2026-11-10', items: [item('a', 'completed', 30)] },
      { date: '2026-11-25', items: [item('a', 'open')] },
      { date: '2026-11-28', items: [item('a', 'completed', 20)] },
      { date: '2026-11-30', items: [item('a', 'skipped')] },
      { date: '2026-12-01', items: [item('a', 'completed', 15), item('b', 'completed', 5)] },
      { date: '2026-12-02', items: [item('a', 'completed', 10)] },
      // Today, not practised yet: not counted, and the streak holds.
      { date: '2026-12-03', items: [item('a', 'open')] },
    ];
    const profile = practiceProfile(plans, [], '2026-12-03', 'UTC');
    expect(profile.consistency).toEqual({
      value: 3 / 5,
      evidence: { windowDays: 14, plannedDays: 5, practisedDays: 3, streak: 2 },
    });
    expect(profile.sessionMinutes).toEqual({ value: 17, evidence: { practisedDays: 3, minutesCompleted: 50 } });
    // Practised today too: it counts, and the streak grows.
    const today = practiceProfile(
      plans.map((p) => (p.date === '2026-12-03' ? { ...p, items: [item('a', 'completed')] } : p)),
      [],
      '2026-12-03',
      'UTC',
    );
    expect(today.consistency.evidence).toMatchObject({ plannedDays: 6, practisedDays: 4, streak: 3 });
  });

  it('names the time of day of most sessions in the learner’s zone, counting a burst once', () => {
    const activity = [
      // Three events one evening in New York (late UTC): one session.
      '2026-11-30T23:00:00.000Z',
      '2026-11-30T23:20:00.000Z',
      '2026-11-30T23:40:00.000Z',
      '2026-12-01T23:10:00.000Z',
      '2026-12-02T13:00:00.000Z',
    ];
    const profile = practiceProfile([], activity, '2026-12-03', 'America/New_York');
    expect(profile.preferredTime).toEqual({
      value: 'evening',
      evidence: { sessions: { morning: 1, afternoon: 0, evening: 2, night: 0 } },
    });
    expect(practiceProfile([], activity.slice(0, 3), '2026-12-03', 'America/New_York').preferredTime.value).toBeNull();
  });
});
