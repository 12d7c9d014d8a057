import { describe, expect, it } from 'vitest';
import { PRACTICE_SEEDS } from '../../test/practice-seeds';
import {
  archetypeOf,
  bind,
  composePlan,
  fixedPlan,
  localTime,
  modeOf,
  nextBest,
  phaseOf,
  timeOfDay,
  type PlanContext,
} from './plan.domain';
import { practiceSignals } from './signals.domain';
import { minutesFor, type PastPlan } from './plan.day';
import { practiceProfile } from './profile.domain';

function context(overrides: Partial<PlanContext> = {}): PlanContext {
  return {
    learnerId: 'lrn_aaaaaaaaaaaaaaaa',
    date: '2026-12-03',
    at: '2026-12-03T08:00:00.000Z',
    time: 'morning',
    archetype: 'builder',
    mode: 'standard',
    phase: 'discovery',
    dailyMinutes: 30,
    dueReviews: 4,
    nextLesson: {
      slug: 'filtering-with-where',
      title: 'Filtering rows with WHERE',
      sections: ['Comparison operators', 'NULL in filters'],
    },
    recentLesson: { slug: 'select-and-projection', title: 'SELECT and projection' },
    completedLessons: new Set(['select-and-projection']),
    weakConcepts: [
      { id: 'null', title: 'NULL', pKnown: 0.32 },
      { id: 'where-clause', title: 'WHERE clause', pKnown: 0.45 },
    ],
    groupsUsedAt: new Map(),
    signals: practiceSignals([]),
    ...overrides,
  };
}

const byId = new Map(PRACTICE_SEEDS.map((v) => [v.id, v]));

describe('archetype, mode and phase', () => {
  it.each([
    [{ sessionMinutes: 10, style: 'mixed', goals: ['a'] }, undefined, 'sprinter'],
    [{ sessionMinutes: 60, style: 'visual', goals: ['a'] }, undefined, 'diver'],
    [{ sessionMinutes: 30, style: 'mixed', goals: ['a', 'b'] }, undefined, 'explorer'],
    [{ sessionMinutes: 30, style: 'analytical', goals: ['a'] }, undefined, 'builder'],
    // What the learner does outweighs what they said.
    [{ sessionMinutes: 60, style: 'visual', goals: ['a'] }, { sessionMinutes: 12, varietySeeking: 0.2 }, 'sprinter'],
    [{ sessionMinutes: 30, style: 'mixed', goals: ['a', 'b'] }, { sessionMinutes: 25, varietySeeking: 0.3 }, 'builder'],
    [{ sessionMinutes: 30, style: 'analytical', goals: ['a'] }, { sessionMinutes: 30, varietySeeking: 0.7 }, 'explorer'],
  ] as const)('%j with behaviour %j is a %s', (prefs, behaviour, archetype) => {
    expect(archetypeOf(prefs, behaviour).value).toBe(archetype);
  });

  it('plans a light day after three days away, an intense one after a strong week, a standard one otherwise', () => {
    expect(modeOf([], '2026-12-03')).toMatchObject({ value: 'standard', reason: 'Your first plan: a standard day' });
    expect(modeOf(['2026-11-28', '2026-11-29'], '2026-12-03')).toMatchObject({
      value: 'light',
      reason: 'Away for 3 days: a light plan to ease back in',
    });
    const strong = ['2026-11-27', '2026-11-28', '2026-11-29', '2026-12-01', '2026-12-02'];
    expect(modeOf(strong, '2026-12-03').value).toBe('intense');
    expect(modeOf(['2026-12-01', '2026-12-02'], '2026-12-03').value).toBe('standard');
    // Today's own activity does not count towards today's mode.
    expect(modeOf(['2026-11-28', '2026-12-03'], '2026-12-03').value).toBe('light');
  });

  it('moves through the phases by week and steps back when consistency collapses', () => {
    expect(phaseOf(0, null).value).toBe('discovery');
    expect(phaseOf(6, 1).value).toBe('discovery');
    expect(phaseOf(7, 0.9).value).toBe('establishment');
    expect(phaseOf(21, 0.9).value).toBe('mastery');
    expect(phaseOf(25, 0.2)).toMatchObject({ value: 'establishment', reason: expect.stringContaining('20%') as string });
    expect(phaseOf(10, 0.1).value).toBe('discovery');
  });

  it('reads the same local time from a kept offset as from the zone’s own clock, minute by minute across DST changes', () => {
    const direct = (at: Date, timeZone: string) => {
      const parts = Object.fromEntries(
        new Intl.DateTimeFormat('en-CA', {
          timeZone,
          year: 'numeric',
          month: '2-digit',
          day: '2-digit',
          hour: '2-digit',
          minute: '2-digit',
          hourCycle: 'h23',
        })
          .formatToParts(at)
          .map((p) => [p.type, p.value]),
      );
      return { date: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour) % 24, minute: Number(parts.minute) };
    };
    // Each span crosses a change: New York and London (an hour), Lord Howe (half an hour), Chatham
    // (+13:45 to +12:45), Kathmandu (+5:45, none); 1800 is Monrovia's old -0:43:08 and London's -0:01:15.
    const spans: [string, string][] = [
      ['America/New_York', '2026-03-08T06:00:00Z'],
      ['America/New_York', '2026-11-01T05:00:00Z'],
      ['Europe/London', '2026-10-25T00:00:00Z'],
      ['Australia/Lord_Howe', '2026-04-04T14:00:00Z'],
      ['Pacific/Chatham', '2026-04-04T13:00:00Z'],
      ['Asia/Kathmandu', '2026-12-03T18:00:00Z'],
      ['Africa/Monrovia', '1800-01-01T00:00:00Z'],
      ['Europe/London', '1800-01-01T00:00:00Z'],
    ];
    for (const [zone, from] of spans) {
      for (let minute = 0; minute < 4 * 60; minute += 7) {
        // Off the minute too: seconds and milliseconds must not move the local minute.
        const at = new Date(Date.parse(from) + minute * 60_000 + (minute % 3) * 29_500);
        expect(localTime(at, zone), `${zone} ${at.toISOString()}`).toEqual(direct(at, zone));
      }
    }
  });

  it('reads the local date and hour in the learner’s time zone, across midnight and DST changes', () => {
    // New York springs forward on 2026-03-08 at 02:00: 09:30 UTC is 05:30 EDT (UTC-4), not 04:30.
    expect(localTime(new Date('2026-03-08T09:30:00Z'), 'America/New_York')).toEqual({ date: '2026-03-08', hour: 5, minute: 30 });
    expect(localTime(new Date('2026-03-07T09:30:00Z'), 'America/New_York')).toEqual({ date: '2026-03-07', hour: 4, minute: 30 });
    // Auckland is already tomorrow; Kolkata is half an hour off the hour.
    expect(localTime(new Date('2026-12-03T12:30:00Z'), 'Pacific/Auckland')).toEqual({ date: '2026-12-04', hour: 1, minute: 30 });
    expect(localTime(new Date('2026-12-03T18:45:00Z'), 'Asia/Kolkata')).toEqual({ date: '2026-12-04', hour: 0, minute: 15 });
    expect([5, 11, 12, 16, 17, 21, 22, 4].map(timeOfDay)).toEqual([
      'morning',
      'morning',
      'afternoon',
      'afternoon',
      'evening',
      'evening',
      'night',
      'night',
    ]);
  });
});

describe('composePlan', () => {
  it('gives 3 to 6 tasks that fit the daily minutes, due reviews first, every template field filled, each with reasons', () => {
    const plan = composePlan(PRACTICE_SEEDS, context());
    expect(plan.length).toBeGreaterThanOrEqual(3);
    expect(plan.length).toBeLessThanOrEqual(6);
    expect(plan[0]?.category).toBe('review');
    expect(plan.map((i) => i.category)).toContain('learn');
    expect(plan.reduce((sum, i) => sum + i.minutes, 0)).toBeLessThanOrEqual(30);
    expect(new Set(plan.map((i) => i.group)).size).toBe(plan.length);
    for (const item of plan) {
      expect(`${item.title} ${item.instructions}`).not.toMatch(/[{}]/);
      expect(item.reasons.length).toBeGreaterThan(0);
    }
    expect(plan[0]?.reasons).toContain('4 reviews due today');
    const learn = plan.find((i) => i.category === 'learn');
    expect(learn?.binding.lessonSlug).toBe('filtering-with-where');
  });

  it('is the same plan for the same learner and day, and another on another day', () => {
    const plan = composePlan(PRACTICE_SEEDS, context());
    expect(composePlan(PRACTICE_SEEDS, context())).toEqual(plan);
    const days = ['2026-12-04', '2026-12-05', '2026-12-06', '2026-12-07'].map((date) =>
      composePlan(PRACTICE_SEEDS, context({ date, at: `${date}T08:00:00.000Z` }))
        .map((i) => i.variationId)
        .join(),
    );
    expect(new Set(days).size).toBeGreaterThan(1);
  });

  it('leaves out reviews when none are due and learning when there is no next lesson', () => {
    const plan = composePlan(PRACTICE_SEEDS, context({ dueReviews: 0, nextLesson: null }));
    expect(plan.map((i) => i.category)).not.toContain('review');
    expect(plan.map((i) => i.category)).not.toContain('learn');
    expect(plan.length).toBeGreaterThanOrEqual(3);
  });

  it('fits the daily minutes for any learner and day, from 15 minutes up', () => {
    // A new learner (nothing due, nothing practised, no lesson yet) and one with history, over many learners.
    const newcomer = { dueReviews: 0, weakConcepts: [], recentLesson: null };
    for (let i = 0; i < 120; i++) {
      for (const dailyMinutes of [15, 20, 30, 45, 60]) {
        const ctx = context({
          learnerId: `lrn_${String(i).padStart(16, 'x')}`,
          dailyMinutes,
          ...(i % 2 === 0 ? newcomer : { dueReviews: i % 3 === 0 ? 0 : 5 }),
        });
        const plan = composePlan(PRACTICE_SEEDS, ctx);
        expect(plan.length, `${i} ${dailyMinutes}`).toBeGreaterThanOrEqual(3);
        expect(
          plan.reduce((sum, item) => sum + item.minutes, 0),
          `${i} ${dailyMinutes}`,
        ).toBeLessThanOrEqual(dailyMinutes);
      }
    }
  });

  it('never asks a learner with nothing to look back on to look back, and gives them three tasks on any day', () => {
    const newcomer = { dueReviews: 0, weakConcepts: [], recentLesson: null, completedLessons: new Set<string>() };
    const lookBack = PRACTICE_SEEDS.filter((v) => v.group === 'reflect-look-back').map((v) => v.id);
    expect(lookBack.length).toBeGreaterThanOrEqual(3);
    for (let i = 0; i < 60; i++) {
      for (const dailyMinutes of [5, 10, 15, 30, 60]) {
        const plan = composePlan(
          PRACTICE_SEEDS,
          context({ learnerId: `lrn_${String(i).padStart(16, 'n')}`, dailyMinutes, ...newcomer }),
        );
        const shown = `${i} ${dailyMinutes}: ${plan.map((t) => t.variationId).join(', ')}`;
        expect(plan.length, shown).toBeGreaterThanOrEqual(3);
        expect(
          plan.filter((t) => lookBack.includes(t.variationId)),
          shown,
        ).toEqual([]);
      }
    }
    // With a concept answered and not mastered, a look-back names it.
    const seasoned = Array.from({ length: 60 }, (_, i) =>
      composePlan(PRACTICE_SEEDS, context({ learnerId: `lrn_${String(i).padStart(16, 's')}`, time: 'evening' })),
    ).flat();
    const looked = seasoned.filter((t) => lookBack.includes(t.variationId));
    expect(looked.length).toBeGreaterThan(0);
    for (const task of looked) expect(task.binding.conceptId).toBe('null');
  });

  it('leaves a whole lesson that would take the day out of a short day, for a learner of any archetype', () => {
    for (const archetype of ['sprinter', 'builder', 'diver', 'explorer'] as const) {
      for (let i = 0; i < 30; i++) {
        const ctx = context({
          learnerId: `lrn_${String(i).padStart(16, 'd')}`,
          archetype,
          dailyMinutes: 15,
          recentLesson: null,
          weakConcepts: [],
          dueReviews: 0,
          nextLesson: { slug: 'joins', title: 'Joins', sections: [] },
        });
        const plan = composePlan(PRACTICE_SEEDS, ctx);
        const minutes = plan.reduce((sum, item) => sum + item.minutes, 0);
        expect(minutes, `${archetype} ${i}: ${plan.map((t) => `${t.variationId} ${t.minutes}`).join(', ')}`).toBeLessThanOrEqual(
          15,
        );
        expect(plan.length).toBeGreaterThanOrEqual(3);
      }
    }
  });

  it('gives at least three short tasks on a 5-minute day', () => {
    const plan = composePlan(PRACTICE_SEEDS, context({ dailyMinutes: 5 }));
    expect(plan.length).toBe(3);
    // Three tasks cannot all fit 5 minutes: the shortest of each kind, about 10 minutes in all.
    expect(plan.reduce((sum, i) => sum + i.minutes, 0)).toBeLessThanOrEqual(12);
  });

  it('uses no variation group of the last 48 hours, across midnight, unless nothing else of its kind fits', () => {
    const first = composePlan(PRACTICE_SEEDS, context({ date: '2026-12-02', at: '2026-12-02T23:30:00.000Z' }));
    const used = new Map(first.map((i) => [i.group, '2026-12-02T23:30:00.000Z']));
    // The next morning (after midnight), and a day later: none of yesterday's groups.
    for (const at of ['2026-12-03T00:30:00.000Z', '2026-12-04T08:00:00.000Z']) {
      const next = composePlan(PRACTICE_SEEDS, context({ date: at.slice(0, 10), at, groupsUsedAt: used }));
      expect(next.filter((i) => used.has(i.group)).map((i) => i.group)).toEqual([]);
    }
    // 48 hours later they may come back.
    const later = composePlan(
      PRACTICE_SEEDS,
      context({ date: '2026-12-05', at: '2026-12-05T00:00:00.000Z', groupsUsedAt: used }),
    );
    expect(later.length).toBeGreaterThanOrEqual(3);
    // Every review group used yesterday: a review is still planned, and says why it repeats.
    const reviewGroups = new Map(
      PRACTICE_SEEDS.filter((v) => v.category === 'review').map((v) => [v.group, '2026-12-02T20:00:00.000Z']),
    );
    const repeat = composePlan(PRACTICE_SEEDS, context({ groupsUsedAt: reviewGroups }));
    expect(repeat[0]?.category).toBe('review');
    expect(repeat[0]?.reasons).toContain('A kind of task from the last 48 hours: nothing else of its category fits today');
    expect(repeat.slice(1).every((i) => !reviewGroups.has(i.group))).toBe(true);
  });

  it('prefers new variations in discovery and proven, well-rated ones in mastery', () => {
    const fresh = composePlan(PRACTICE_SEEDS, context());
    // Everything in that plan was done and rated 5; the other variations are new.
    const signals = practiceSignals(fresh.map((i) => ({ ...i, status: 'completed', outcome: { rating: 5 } })));
    const discovery = composePlan(PRACTICE_SEEDS, context({ signals, date: '2026-12-04', at: '2026-12-04T08:00:00.000Z' }));
    const mastery = composePlan(
      PRACTICE_SEEDS,
      context({ signals, phase: 'mastery', date: '2026-12-04', at: '2026-12-04T08:00:00.000Z' }),
    );
    const share = (plan: typeof fresh) => plan.filter((i) => signals.done.has(i.variationId)).length / plan.length;
    expect(share(mastery)).toBeGreaterThan(share(discovery));
    expect(mastery.some((i) => i.reasons.includes('You rated this task highly'))).toBe(true);
  });

  it('suits the archetype and the mode', () => {
    const suits = (plan: ReturnType<typeof composePlan>, key: 'sprinter' | 'diver') =>
      plan.reduce((sum, i) => sum + (byId.get(i.variationId)?.archetypes[key] ?? 0), 0) / plan.length;
    const sprinter = composePlan(PRACTICE_SEEDS, context({ archetype: 'sprinter', dailyMinutes: 60 }));
    const diver = composePlan(PRACTICE_SEEDS, context({ archetype: 'diver', dailyMinutes: 60 }));
    expect(suits(sprinter, 'sprinter')).toBeGreaterThan(suits(diver, 'sprinter'));
    expect(suits(diver, 'diver')).toBeGreaterThan(suits(sprinter, 'diver'));
    const light = composePlan(PRACTICE_SEEDS, context({ mode: 'light', dailyMinutes: 60 }));
    const intense = composePlan(PRACTICE_SEEDS, context({ mode: 'intense', dailyMinutes: 60 }));
    const difficulty = (plan: typeof light) =>
      plan.reduce((s, i) => s + (byId.get(i.variationId)?.difficulty ?? 0), 0) / plan.length;
    expect(difficulty(light)).toBeLessThan(difficulty(intense));
  });
});

describe('what a task is bound to', () => {
  it("binds a newcomer's apply and reflect tasks to the lesson the plan learns today, after it; no warm-up before a first lesson; practice never on an unread one", () => {
    // A new learner: a next lesson, nothing opened yet.
    const fills: number[] = [];
    for (let i = 0; i < 40; i++) {
      const ctx = context({
        learnerId: `lrn_${String(i).padStart(16, 'n')}`,
        recentLesson: null,
        completedLessons: new Set(),
        weakConcepts: [],
        dueReviews: 0,
        dailyMinutes: 60,
      });
      const plan = composePlan(PRACTICE_SEEDS, ctx);
      const learnAt = plan.findIndex((t) => t.category === 'learn');
      expect(learnAt).toBeGreaterThanOrEqual(0);
      plan.forEach((item, at) => {
        if (item.category === 'learn' || !item.binding.lessonSlug) return;
        expect(['apply', 'reflect'], item.variationId).toContain(item.category);
        expect(item.binding.lessonSlug).toBe('filtering-with-where');
        expect(at, `${item.variationId} comes after the lesson's own task`).toBeGreaterThan(learnAt);
        expect(item.reasons).toContain("Puts today's lesson, “Filtering rows with WHERE”, to work");
      });
      expect(plan.length).toBeGreaterThanOrEqual(3);
      // Nothing to recall before a first lesson: no warm-up while other tasks fill the day.
      expect(plan.map((t) => t.category)).not.toContain('warm-up');
      fills.push(plan.reduce((sum, t) => sum + t.minutes, 0));
    }
    // An hour a day is filled from the first day, where these tasks used to wait for a lesson behind the learner.
    expect(Math.min(...fills)).toBeGreaterThanOrEqual(45);
    // Without a task learning the lesson (a library with no learn variations), nothing binds to it.
    const noLearn = PRACTICE_SEEDS.filter((v) => v.category !== 'learn');
    const unread = composePlan(noLearn, context({ recentLesson: null, weakConcepts: [], dueReviews: 0, dailyMinutes: 60 }));
    expect(unread.length).toBeGreaterThanOrEqual(3);
    for (const item of unread) expect(item.binding.lessonSlug, item.variationId).toBeUndefined();
    // A swap keeps to the same rule: a task on today's lesson only where the plan still learns it.
    const newcomer = context({ recentLesson: null, completedLessons: new Set(), weakConcepts: [], dueReviews: 0 });
    const apply = composePlan(PRACTICE_SEEDS, { ...newcomer, dailyMinutes: 60 }).find((t) => t.category === 'apply');
    if (!apply) throw new Error('no apply task to swap');
    const swap = (learns: boolean) =>
      [...Array(6).keys()].map((n) =>
        nextBest(
          PRACTICE_SEEDS,
          { ...newcomer, date: `2026-12-0${n + 1}` },
          { replaced: apply, groups: new Set([apply.group]), minutesLeft: 30, id: 'x', learns },
        ),
      );
    for (const swapped of swap(false)) expect(swapped?.binding.lessonSlug, swapped?.variationId).toBeUndefined();
    expect(swap(true).some((t) => t?.binding.lessonSlug === 'filtering-with-where')).toBe(true);
    // Once a lesson is opened, those tasks bind to it (and only to it).
    const opened = composePlan(PRACTICE_SEEDS, context({ dailyMinutes: 60 }));
    const bound = opened.filter((t) => t.category !== 'learn' && t.binding.lessonSlug);
    expect(bound.length).toBeGreaterThan(0);
    for (const item of bound) expect(item.binding.lessonSlug).toBe('select-and-projection');
  });

  it('orders a plan as it is done: reviews, a warm-up, the lesson, then practice, applying and reflecting', () => {
    const rank = { review: 0, 'warm-up': 1, learn: 2, practice: 3, apply: 4, reflect: 5 };
    for (let i = 0; i < 20; i++) {
      const plan = composePlan(PRACTICE_SEEDS, context({ learnerId: `lrn_${String(i).padStart(16, 'o')}`, dailyMinutes: 60 }));
      const order = plan.map((t) => rank[t.category]);
      expect(order).toEqual([...order].sort((a, b) => a - b));
      expect(plan.map((t) => t.id)).toEqual(plan.map((_, n) => `2026-12-03-${n + 1}`));
    }
  });

  it('plans a task that builds on lessons (`after`) only once the learner completed every one of them', () => {
    const builds = PRACTICE_SEEDS.filter((v) => v.after);
    expect(builds.map((v) => v.id)).toEqual(['apply-fix-fan-out', 'apply-rewrite-subquery-as-join']);
    const fanOut = byId.get('apply-fix-fan-out');
    if (!fanOut) throw new Error('apply-fix-fan-out missing');
    expect(bind(fanOut, context())).toBeNull();
    expect(bind(fanOut, context({ completedLessons: new Set(['inner-joins']) }))).toBeNull();
    expect(bind(fanOut, context({ completedLessons: new Set(['inner-joins', 'group-by-and-having']) }))).not.toBeNull();
    // A beginner (nothing completed, nothing to apply) gets neither, whatever the day; still 3 tasks or more.
    for (let i = 0; i < 60; i++) {
      const plan = composePlan(
        PRACTICE_SEEDS,
        context({
          learnerId: `lrn_${String(i).padStart(16, 'b')}`,
          recentLesson: null,
          completedLessons: new Set(),
          weakConcepts: [],
          dueReviews: 0,
          dailyMinutes: 60,
        }),
      );
      expect(plan.map((t) => t.variationId)).not.toContain('apply-fix-fan-out');
      expect(plan.map((t) => t.variationId)).not.toContain('apply-rewrite-subquery-as-join');
      expect(plan.length).toBeGreaterThanOrEqual(3);
    }
  });
});

describe('fixedPlan', () => {
  it('is due reviews and the next lesson, the same shape every day, with nothing scored', () => {
    const plan = fixedPlan(PRACTICE_SEEDS, context());
    expect(plan.map((i) => [i.category, i.completes.kind])).toEqual([
      ['review', 'reviews'],
      ['learn', 'lesson'],
    ]);
    expect(plan[1]?.binding.lessonSlug).toBe('filtering-with-where');
    expect(plan[0]?.binding.count).toBe(4);
    // Another learner, another day, another archetype and mode: the same variations.
    const other = fixedPlan(
      PRACTICE_SEEDS,
      context({ learnerId: 'lrn_bbbbbbbbbbbbbbbb', date: '2026-12-09', archetype: 'sprinter', mode: 'light' }),
    );
    expect(other.map((i) => i.variationId)).toEqual(plan.map((i) => i.variationId));
    // Nothing due and no next lesson: practice on the weakest concept.
    const practice = fixedPlan(PRACTICE_SEEDS, context({ dueReviews: 0, nextLesson: null }));
    expect(practice.map((i) => i.category)).toEqual(['practice']);
    expect(practice[0]?.reasons.join(' ')).toContain('NULL (32% mastery)');
  });
});

describe('minutesFor', () => {
  const profileWith = (practised: number | null) => ({
    ...practiceProfile([], [], '2026-12-03', 'UTC'),
    sessionMinutes: { value: practised, evidence: { practisedDays: 5, minutesCompleted: 0 } },
  });
  const skipped = (date: string, reason: string): PastPlan => ({
    date,
    createdAt: `${date}T08:00:00.000Z`,
    items: [{ variationId: 'v', category: 'apply', group: 'g', minutes: 10, status: 'skipped', outcome: { skipReason: reason } }],
  });

  it('keeps the daily minutes until plans keep running past the time the learner has', () => {
    expect(minutesFor(40, [], profileWith(null), '2026-12-03')).toEqual({ value: 40, reason: 'Your 40 minutes a day' });
    const short = ['2026-11-28', '2026-11-30', '2026-12-02'].map((d) => skipped(d, 'no_time'));
    expect(minutesFor(40, short, profileWith(18), '2026-12-03')).toEqual({
      value: 22,
      reason: '3 tasks skipped for time lately, and you practise about 18 minutes: planned for 22 of your 40',
    });
    // Other skips, old ones, or a learner who does practise most of their time: the stated minutes.
    expect(
      minutesFor(
        40,
        short.map((p) => skipped(p.date, 'too_hard')),
        profileWith(18),
        '2026-12-03',
      ).value,
    ).toBe(40);
    expect(
      minutesFor(
        40,
        short.map((p) => skipped(p.date.replace('2026', '2025'), 'no_time')),
        profileWith(18),
        '2026-12-03',
      ).value,
    ).toBe(40);
    expect(minutesFor(40, short, profileWith(35), '2026-12-03').value).toBe(40);
    expect(minutesFor(15, short, profileWith(5), '2026-12-03').value).toBe(10);
  });
});

describe('rotation in real hours, across a DST change', () => {
  it('keeps a group out for 48 hours of elapsed time when New York’s clocks go back', () => {
    // Saturday 31 October 08:00 EDT (12:00Z); clocks go back on Sunday 1 November.
    const used = new Map<string, string>();
    const first = composePlan(PRACTICE_SEEDS, context({ date: '2026-10-31', at: '2026-10-31T12:00:00.000Z' }));
    for (const item of first) used.set(item.group, '2026-10-31T12:00:00.000Z');
    // Monday 06:30 EST is 11:30Z: 47.5 hours later, yesterday's groups still out.
    const early = composePlan(
      PRACTICE_SEEDS,
      context({ date: '2026-11-02', at: '2026-11-02T11:30:00.000Z', groupsUsedAt: used }),
    );
    const repeats = early.filter((i) => used.has(i.group));
    expect(repeats.every((i) => i.reasons.some((r) => r.startsWith('A kind of task from the last 48 hours')))).toBe(true);
    // Monday 07:30 EST is 12:30Z: 48.5 hours later, they may come back.
    const late = composePlan(PRACTICE_SEEDS, context({ date: '2026-11-02', at: '2026-11-02T12:30:00.000Z', groupsUsedAt: used }));
    expect(late.some((i) => i.reasons.some((r) => r.startsWith('A kind of task from the last 48 hours')))).toBe(false);
  });
});
