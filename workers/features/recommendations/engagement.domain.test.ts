import { describe, expect, it } from 'vitest';
import { lessonCompletionChances, offerChance, type OwnLesson } from './engagement.domain';
import { recommend, WEIGHTS, type CourseLesson } from './recommend.domain';
import { learnerSignals } from '../../test/signals';

const NOW = new Date('2026-06-15T12:00:00Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000).toISOString();
const lessons = ['kept', 'left', 'unseen'];
/** 40 learners started `kept` and 36 finished it; 40 started `left` and 8 finished it. */
const stats = [
  { lessonSlug: 'kept', started: 40, completed: 36 },
  { lessonSlug: 'left', started: 40, completed: 8 },
];
const finisher: OwnLesson[] = Array.from({ length: 6 }, (_, i) => ({
  lessonSlug: `done-${i}`,
  startedAt: daysAgo(20 + i),
  completedAt: daysAgo(19 + i),
}));
const leaver: OwnLesson[] = Array.from({ length: 6 }, (_, i) => ({
  lessonSlug: `open-${i}`,
  startedAt: daysAgo(20 + i),
  completedAt: null,
}));

describe('the completion chance of an offered lesson', () => {
  it('is higher for a lesson others finish than for one they leave, and unseen lessons sit at the course rate', () => {
    const chances = lessonCompletionChances(lessons, stats, [], NOW).finish;
    expect(chances.get('kept')).toBeGreaterThan(0.8);
    expect(chances.get('left')).toBeLessThan(0.35);
    // The course rate (44 of 80, leaning on 0.7 with 4 pseudo-learners) for a lesson no one started.
    expect(chances.get('unseen')).toBeCloseTo((0.7 * 4 + 44) / 84, 2);
  });

  it('is lower for a learner who leaves what they start than for one who finishes, on every lesson', () => {
    const forFinisher = lessonCompletionChances(lessons, stats, finisher, NOW).finish;
    const forLeaver = lessonCompletionChances(lessons, stats, leaver, NOW).finish;
    for (const slug of lessons) expect(forFinisher.get(slug)).toBeGreaterThan(forLeaver.get(slug) ?? 1);
    // Lessons keep their order for both.
    expect(forLeaver.get('kept')).toBeGreaterThan(forLeaver.get('left') ?? 1);
  });

  it('does not count a lesson started this week and not finished yet against the learner', () => {
    const recent = leaver.map((l) => ({ ...l, startedAt: daysAgo(2) }));
    expect(lessonCompletionChances(lessons, stats, recent, NOW).finish).toEqual(
      lessonCompletionChances(lessons, stats, [], NOW).finish,
    );
  });

  it('counts the pace of the last four weeks: a learner completing two lessons a week is likelier to take up an offer than one who stopped', () => {
    // Began 35 days ago; 8 lessons completed in the last four weeks.
    const steady: OwnLesson[] = [
      { lessonSlug: 'first', startedAt: daysAgo(35), completedAt: daysAgo(35) },
      ...Array.from({ length: 8 }, (_, i) => ({
        lessonSlug: `s-${i}`,
        startedAt: daysAgo(26 - i * 3),
        completedAt: daysAgo(26 - i * 3),
      })),
    ];
    const stopped = steady.map((l, i) => ({ ...l, startedAt: daysAgo(60 + i), completedAt: daysAgo(60 + i) }));
    const pace = (own: OwnLesson[]) => lessonCompletionChances([], stats, own, NOW).pace;
    expect(pace([])).toBe(1);
    expect(pace(steady)).toBeCloseTo((1 * 2 + 8) / (2 + 4), 6);
    expect(pace(stopped)).toBeCloseTo(2 / 6, 6);
    // The second lesson of a list is less likely done than the first; both rise with the pace.
    expect(offerChance(0.8, 1, 1)).toBeLessThan(offerChance(0.8, 1, 0));
    expect(offerChance(0.8, pace(steady), 0)).toBeGreaterThan(offerChance(0.8, pace(stopped), 0));
  });

  it('stays inside (0, 1) on extreme and inconsistent counts', () => {
    const { finish: chances } = lessonCompletionChances(
      ['all', 'none', 'odd'],
      [
        { lessonSlug: 'all', started: 10_000, completed: 10_000 },
        { lessonSlug: 'none', started: 10_000, completed: 0 },
        // More completions than starts (completed without a start event) count as all started finished.
        { lessonSlug: 'odd', started: 2, completed: 50 },
      ],
      leaver,
      NOW,
    );
    for (const p of chances.values()) {
      expect(p).toBeGreaterThan(0);
      expect(p).toBeLessThan(1);
    }
  });

  it('weighs in the ranking: of two lessons alike in every other signal, the one the learner is likelier to finish comes first', () => {
    const lesson = (slug: string, position: number): CourseLesson => ({
      slug,
      title: slug,
      partSlug: 'p',
      partTitle: 'P',
      layer: 'L1',
      position,
      prerequisites: [],
      concepts: [],
      assessed: [],
      minutes: 10,
      quizItems: 0,
    });
    const signals = (finish: Map<string, number>) => learnerSignals({ completion: { finish, pace: 2 } });
    // Without the chance, course order decides; a chance gap larger than the order gap turns it.
    const course = [lesson('first', 0), lesson('second', 1), lesson('third', 20)];
    const ranked = (chances: Map<string, number>) =>
      recommend(course, signals(chances), { limit: 3, seed: 1, exploreShare: 0 }).map((r) => r.lessonSlug);
    expect(ranked(new Map())).toEqual(['first', 'second', 'third']);
    const turned = new Map([
      ['first', 0.1],
      ['second', 0.9],
      ['third', 0.5],
    ]);
    expect(WEIGHTS.engagement * 0.8).toBeGreaterThan(WEIGHTS.order / 20);
    expect(ranked(turned)).toEqual(['second', 'first', 'third']);
    const items = recommend(course, signals(turned), { limit: 3, seed: 1, exploreShare: 0 });
    // Reported at each lesson's place in the list: taken up (two a week) and finished.
    expect(items.map((i) => i.completionChance)).toEqual([
      offerChance(0.9, 2, 0),
      offerChance(0.1, 2, 1),
      offerChance(0.5, 2, 2),
    ]);
    expect(offerChance(0.9, 2, 0)).toBeCloseTo(0.9 * (1 - Math.exp(-2)), 3);
  });
});
