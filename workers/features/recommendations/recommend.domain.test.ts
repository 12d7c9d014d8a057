import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../platform/seeded-random';
import { daysBetween, planPath, usualPace } from './path.domain';
import { eligibleLessons, prerequisiteMet, recommend, type CourseLesson, type LearnerSignals } from './recommend.domain';
import { learnerSignals } from '../../test/signals';

const lesson = (
  slug: string,
  position: number,
  layer: CourseLesson['layer'],
  partSlug: string,
  prerequisites: string[],
  concepts: string[],
  quizItems = 0,
): CourseLesson => ({
  slug,
  title: slug.toUpperCase(),
  partSlug,
  partTitle: `Part ${partSlug}`,
  layer,
  position,
  prerequisites,
  concepts,
  assessed: quizItems > 0 ? concepts : [],
  minutes: 10,
  quizItems,
});

/** a → b → c → e, a → d → e, a → f; f overlaps b's concepts. */
const COURSE: CourseLesson[] = [
  lesson('a', 0, 'L1', 'p1', [], ['c-a'], 2),
  lesson('b', 1, 'L1', 'p1', ['a'], ['c-b'], 1),
  lesson('f', 2, 'L1', 'p1', ['a'], ['c-a', 'c-b']),
  lesson('c', 3, 'L2', 'p2', ['b'], ['c-c']),
  lesson('d', 4, 'L2', 'p2', ['a'], ['c-d']),
  lesson('e', 5, 'L3', 'p3', ['c', 'd'], ['c-e']),
];

const signals = learnerSignals;

const ids = (s: LearnerSignals, limit = 5, seed = 1) => recommend(COURSE, s, { limit, seed }).map((r) => r.id);
const codes = (s: LearnerSignals, id: string) =>
  recommend(COURSE, s, { limit: 10, seed: 1 })
    .find((r) => r.id === id)
    ?.reasons.map((r) => r.code);
const mastered = (...concepts: string[]) =>
  new Map(concepts.map((c) => [c, { title: c.toUpperCase(), pKnown: 0.97, attempts: 4 }]));

describe('recommendations', () => {
  it('start a new learner at the first lesson, the only one whose prerequisites are met', () => {
    const list = recommend(COURSE, signals({ goalParts: new Set(['p2']) }), { limit: 5, seed: 1 });
    expect(list.map((r) => r.id)).toEqual(['lesson:a']);
    expect(list[0]?.reasons.map((r) => r.code)).toContain('start_here');
  });

  it('count a prerequisite as met when its concepts are mastered, and say so', () => {
    const s = signals({ concepts: mastered('c-a') });
    expect(ids(s)).toEqual(expect.arrayContaining(['lesson:b', 'lesson:d', 'lesson:f']));
    const b = recommend(COURSE, s, { limit: 5, seed: 1 }).find((r) => r.id === 'lesson:b');
    expect(b?.reasons).toContainEqual({ code: 'builds_on', text: 'Builds on A, which you have mastered' });
  });

  it('put the goal part first', () => {
    const s = signals({ completed: new Set(['a']), goalParts: new Set(['p2']) });
    expect(ids(s).filter((id) => id.startsWith('lesson:'))[0]).toBe('lesson:d');
    expect(codes(s, 'lesson:d')).toContain('goal');
  });

  it('follow layers: without a goal, a foundations lesson comes before the applied ones', () => {
    const list = recommend(COURSE, signals({ completed: new Set(['a']) }), { limit: 5, seed: 1 });
    const lessons = list.filter((r) => r.kind === 'lesson');
    expect(COURSE.find((l) => l.slug === lessons[0]?.lessonSlug)?.layer).toBe('L1');
    const score = (slug: string) => lessons.find((r) => r.lessonSlug === slug)?.score ?? 0;
    expect(score('b')).toBeGreaterThan(score('d'));
  });

  it('raise a lesson teaching a concept the learner is still learning', () => {
    const weak = new Map([['c-d', { title: 'C-D', pKnown: 0.2, attempts: 3 }]]);
    const s = signals({ completed: new Set(['a', 'b']), concepts: weak });
    const plain = recommend(COURSE, signals({ completed: new Set(['a', 'b']) }), { limit: 10, seed: 1 });
    const gapped = recommend(COURSE, s, { limit: 10, seed: 1 });
    const score = (list: typeof plain) => list.find((r) => r.id === 'lesson:d')?.score ?? 0;
    expect(score(gapped)).toBeGreaterThan(score(plain));
    expect(codes(s, 'lesson:d')).toContain('mastery_gap');
  });

  it('let reviews and quizzes fill at most two slots in five while lessons remain', () => {
    const due = new Map([
      ['a', 3],
      ['b', 2],
      ['f', 1],
    ]);
    const list = recommend(COURSE, signals({ completed: new Set(['a', 'b', 'f']), dueReviews: due }), { limit: 5, seed: 1 });
    // Both open lessons are listed; a third practice item only fills the slot left when no lesson remains.
    expect(list.map((r) => r.id)).toEqual(['review:a', 'review:b', 'lesson:c', 'lesson:d', 'review:f']);
    const wider = [...COURSE, lesson('g', 6, 'L1', 'p1', ['a'], ['c-g'])];
    const more = recommend(wider, signals({ completed: new Set(['a', 'b', 'f']), dueReviews: due }), { limit: 5, seed: 1 });
    expect(more.filter((r) => r.kind !== 'lesson')).toHaveLength(2);
  });

  it('put due reviews first and offer the quiz of a completed lesson not yet answered', () => {
    const s = signals({ completed: new Set(['a']), dueReviews: new Map([['a', 2]]) });
    const list = recommend(COURSE, s, { limit: 5, seed: 1 });
    expect(list[0]).toMatchObject({
      id: 'review:a',
      kind: 'review',
      reasons: [{ code: 'review_due', text: '2 reviews due today' }],
    });
    expect(list.map((r) => r.id)).toContain('quiz:a');
    const done = signals({ completed: new Set(['a']), quizCorrect: new Map([['a', 2]]) });
    expect(ids(done)).not.toContain('quiz:a');
  });

  it('raise what learners who did the same went on to do', () => {
    const base = signals({ completed: new Set(['a']) });
    const s = signals({ completed: new Set(['a']), collaborative: new Map([['d', 1]]) });
    const score = (x: LearnerSignals) =>
      recommend(COURSE, x, { limit: 10, seed: 1 }).find((r) => r.id === 'lesson:d')?.score ?? 0;
    expect(score(s)).toBeCloseTo(score(base) + 0.15, 4);
    expect(codes(s, 'lesson:d')).toContain('collaborative');
  });

  it('diversify: a near-duplicate of a listed lesson gives way to a different one (MMR)', () => {
    const similar = [
      lesson('x1', 0, 'L1', 'p1', [], ['k1', 'k2']),
      lesson('x2', 1, 'L1', 'p1', [], ['k1', 'k2']),
      lesson('x3', 2, 'L1', 'p1', [], ['k1', 'k2']),
      lesson('y', 3, 'L1', 'p2', [], ['k9']),
    ];
    const list = recommend(similar, signals(), { limit: 2, seed: 1, exploreShare: 0 }).map((r) => r.id);
    expect(list).toEqual(['lesson:x1', 'lesson:y']);
  });

  it('keep a dismissed item away, and offer unmet prerequisites only when the learner opts in', () => {
    const s = signals({ completed: new Set(['a']), dismissed: new Set(['lesson:b']) });
    expect(ids(s, 10)).not.toContain('lesson:b');
    expect(ids(signals({ completed: new Set(['a']) }), 10)).not.toContain('lesson:e');
    const skipping = signals({ completed: new Set(['a']), allowSkips: true });
    expect(ids(skipping, 10)).toContain('lesson:e');
    expect(codes(skipping, 'lesson:e')).toContain('skips_prerequisites');
  });

  it('explore in one slot of a list with four lessons or more, with a lesson that passed the prerequisite filter', () => {
    const big = Array.from({ length: 30 }, (_, i) => lesson(`l${i}`, i, 'L1', `p${i % 5}`, [], [`k${i}`]));
    for (let seed = 0; seed < 20; seed++) {
      const list = recommend(big, signals(), { limit: 5, seed });
      expect(list.filter((r) => r.reasons.some((x) => x.code === 'explore'))).toHaveLength(1);
    }
    // Short lists keep every slot for the best lessons.
    expect(recommend(big, signals(), { limit: 3, seed: 1 }).some((r) => r.reasons.some((x) => x.code === 'explore'))).toBe(false);
  });

  it('never recommend a lesson whose prerequisites are not met, over 500 random learners', () => {
    const rand = seededRandom(42);
    const bySlug = new Map(COURSE.map((l) => [l.slug, l]));
    for (let n = 0; n < 500; n++) {
      const pick = <T>(xs: T[]) => xs.filter(() => rand() < 0.4);
      const s = signals({
        completed: new Set(pick(COURSE.map((l) => l.slug))),
        started: new Set(pick(COURSE.map((l) => l.slug))),
        concepts: new Map(
          pick(COURSE.flatMap((l) => l.concepts)).map((c) => [c, { title: c, pKnown: rand(), attempts: Math.floor(rand() * 5) }]),
        ),
        goalParts: new Set(pick(['p1', 'p2', 'p3'])),
        collaborative: new Map(pick(COURSE.map((l) => l.slug)).map((slug) => [slug, rand()])),
        feedback: new Map(
          COURSE.map((l) => [`lesson:${l.slug}`, { accepted: Math.floor(rand() * 9), dismissed: Math.floor(rand() * 9) }]),
        ),
        dueReviews: new Map(pick(COURSE.map((l) => l.slug)).map((slug) => [slug, 1 + Math.floor(rand() * 3)])),
      });
      for (const r of recommend(COURSE, s, { limit: 5, seed: n })) {
        if (r.kind !== 'lesson') continue;
        const target = bySlug.get(r.lessonSlug);
        expect(target?.prerequisites.every((p) => prerequisiteMet(bySlug.get(p), p, s))).toBe(true);
        expect(s.completed.has(r.lessonSlug)).toBe(false);
      }
    }
  });

  it('offers exactly the eligible lessons when the list is long enough', () => {
    const s = signals({ completed: new Set(['a', 'b']) });
    expect(eligibleLessons(COURSE, s).map((l) => l.slug)).toEqual(['f', 'c', 'd']);
  });
});

describe('learning paths', () => {
  const pace = { minutesPerDay: 30, speed: 1, source: 'default' as const };
  const plan = (s: LearnerSignals, goal: Parameters<typeof planPath>[2], spent = new Map<string, number>()) =>
    planPath(COURSE, s, goal, pace, spent, '2026-11-22');

  it('orders the goal and its prerequisites so each comes after what it needs', () => {
    const path = plan(signals(), { type: 'lesson', id: 'e', targetDate: null });
    expect(path.steps.map((s) => s.lessonSlug)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(path.steps.at(-1)?.reason).toBe('Your goal');
    expect(path.steps[2]?.reason).toBe('Needed before E');
    expect(path).toMatchObject({ totalMinutes: 50, daysNeeded: 2, reachableByTarget: null });
  });

  it('skips what is completed or mastered, and changes as progress changes', () => {
    const path = plan(signals({ completed: new Set(['a']), concepts: mastered('c-b') }), {
      type: 'lesson',
      id: 'e',
      targetDate: null,
    });
    expect(path.steps.map((s) => s.lessonSlug)).toEqual(['c', 'd', 'e']);
  });

  it('reaches a part or a concept', () => {
    expect(plan(signals(), { type: 'part', id: 'p2', targetDate: null }).steps.map((s) => s.lessonSlug)).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
    const concept = plan(signals(), { type: 'concept', id: 'c-b', targetDate: null });
    expect(concept.steps.map((s) => [s.lessonSlug, s.reason])).toEqual([
      ['a', 'Needed before B'],
      ['b', 'Teaches c-b, your goal'],
    ]);
  });

  it("scales minutes by the learner's speed, subtracts time spent, and flags an unreachable target date", () => {
    const slow = { ...pace, speed: 1.5 };
    const path = planPath(
      COURSE,
      signals(),
      { type: 'lesson', id: 'b', targetDate: '2026-11-22' },
      slow,
      new Map([['a', 600]]),
      '2026-11-22',
    );
    expect(path.steps.map((s) => s.minutes)).toEqual([5, 15]);
    expect(path.reachableByTarget).toBe(true);
    const far = plan(signals(), { type: 'lesson', id: 'e', targetDate: '2026-11-23' });
    expect(far.reachableByTarget).toBe(true);
    const tight = plan(signals(), { type: 'lesson', id: 'e', targetDate: '2026-11-22' });
    expect(tight.reachableByTarget).toBe(false);
    expect(daysBetween('2026-11-22', '2026-12-01')).toBe(9);
  });

  it('orders a large random prerequisite graph so every step follows what it needs', () => {
    const rand = seededRandom(7);
    const n = 3000;
    // Course positions shuffled against the graph: prerequisites may sit later in the course.
    const positions = Array.from({ length: n }, (_, i) => i).sort(() => rand() - 0.5);
    const big = Array.from({ length: n }, (_, i) =>
      lesson(
        `l${i}`,
        positions[i] ?? i,
        'L1',
        'p',
        i === 0 ? [] : [`l${Math.floor(rand() * i)}`, `l${Math.floor(rand() * i)}`],
        [],
      ),
    );
    const path = planPath(big, signals(), { type: 'lesson', id: `l${n - 1}`, targetDate: null }, pace, new Map(), '2026-11-22');
    const seen = new Set<string>();
    const bySlug = new Map(big.map((l) => [l.slug, l]));
    for (const step of path.steps) {
      for (const p of bySlug.get(step.lessonSlug)?.prerequisites ?? []) expect(seen.has(p)).toBe(true);
      seen.add(step.lessonSlug);
    }
    expect(path.steps.at(-1)?.lessonSlug).toBe(`l${n - 1}`);
    expect(seen.has('l0')).toBe(true);
  });

  it('measures the usual pace from activity, else onboarding, else a default', () => {
    const days = [{ activeSeconds: 1200 }, { activeSeconds: 2400 }, { activeSeconds: 1800 }, { activeSeconds: 0 }];
    expect(usualPace(days, 45, [])).toEqual({ minutesPerDay: 30, speed: 1, source: 'activity' });
    expect(usualPace(days.slice(0, 2), 45, [])).toMatchObject({ minutesPerDay: 45, source: 'onboarding' });
    expect(usualPace([], null, [])).toMatchObject({ minutesPerDay: 30, source: 'default' });
    const timed = [
      { activeSeconds: 1200, minutes: 10 },
      { activeSeconds: 1200, minutes: 10 },
    ];
    expect(usualPace([], null, timed).speed).toBe(2);
  });
});
