import { describe, expect, it } from 'vitest';
import { bktPredictCorrect, bktUpdate, DEFAULT_BKT, MASTERY_THRESHOLDS } from '../mastery/mastery.bkt';
import { answersToMastery, masteryDates, planPath, type Pace } from './path.domain';
import type { CourseLesson, LearnerSignals } from './recommend.domain';
import { learnerSignals } from '../../test/signals';

const lesson = (slug: string, position: number, assessed: string[], prerequisites: string[] = []): CourseLesson => ({
  slug,
  title: slug,
  partSlug: 'part',
  partTitle: 'Part',
  layer: 'L1',
  position,
  prerequisites,
  concepts: assessed,
  assessed,
  minutes: 20,
  quizItems: 3,
});

const LESSONS = [lesson('a', 0, ['ka']), lesson('b', 1, ['kb'], ['a']), lesson('c', 2, ['kc'], ['b'])];
const CONCEPTS = ['ka', 'kb', 'kc'].map((concept) => ({ concept, title: concept.toUpperCase(), params: DEFAULT_BKT }));
const PACE: Pace = { minutesPerDay: 30, speed: 1, source: 'default' };

function signals(mastery: Record<string, number> = {}, completed: string[] = []): LearnerSignals {
  return learnerSignals({
    completed: new Set(completed),
    concepts: new Map(Object.entries(mastery).map(([id, pKnown]) => [id, { title: id, pKnown, attempts: 3 }])),
  });
}

describe('expected mastery dates of goal concepts', () => {
  it('counts the answers the expected BKT update needs to reach mastery, fewer from higher up', () => {
    const fromPrior = answersToMastery(DEFAULT_BKT.prior, DEFAULT_BKT);
    const fromHalf = answersToMastery(0.5, DEFAULT_BKT);
    expect(fromPrior).toBeGreaterThan(0);
    expect(fromHalf).toBeLessThan(fromPrior ?? 0);
    expect(answersToMastery(0.96, DEFAULT_BKT)).toBe(0);
    // Replaying the expected update that many times does reach the bar (and one fewer does not).
    const replay = (n: number) => {
      let p = DEFAULT_BKT.prior;
      for (let i = 0; i < n; i++) {
        const right = bktPredictCorrect(p, DEFAULT_BKT);
        p = right * bktUpdate(p, true, DEFAULT_BKT) + (1 - right) * bktUpdate(p, false, DEFAULT_BKT);
      }
      return p;
    };
    expect(replay(fromPrior ?? 0)).toBeGreaterThanOrEqual(MASTERY_THRESHOLDS.mastered);
    expect(replay((fromPrior ?? 0) - 1)).toBeLessThan(MASTERY_THRESHOLDS.mastered);
    // A model whose slip and forgetting hold P(known) under the bar never gets there.
    expect(answersToMastery(0.3, { prior: 0.3, learn: 0.01, guess: 0.2, slip: 0.1, forget: 0.2 })).toBeNull();
  });

  it('dates each goal concept after the path reaches its lesson, at the learner pace, later concepts later', () => {
    const goal = { type: 'lesson' as const, id: 'c', targetDate: null };
    const mine = signals();
    const path = planPath(LESSONS, mine, goal, PACE, new Map(), '2026-12-04');
    expect(path.steps.map((s) => s.lessonSlug)).toEqual(['a', 'b', 'c']);
    const dates = masteryDates(LESSONS, goal, path, CONCEPTS, mine, PACE, '2026-12-04');
    // A lesson goal's concepts are those its lessons assess.
    expect(dates.map((d) => d.concept)).toEqual(['kc']);
    const answers = answersToMastery(DEFAULT_BKT.prior, DEFAULT_BKT) ?? 0;
    expect(dates[0]).toMatchObject({ status: 'expected', lessonSlug: 'c', answersNeeded: answers, minutes: 60 + answers });
    expect(dates[0]?.date).toBe(
      new Date(Date.parse('2026-12-04') + (Math.ceil((60 + answers) / 30) - 1) * 86_400_000).toISOString().slice(0, 10),
    );
    // Twice the minutes a day: sooner.
    const faster = masteryDates(LESSONS, goal, path, CONCEPTS, mine, { ...PACE, minutesPerDay: 60 }, '2026-12-04');
    expect((faster[0]?.date ?? '') < (dates[0]?.date ?? '')).toBe(true);
  });

  it('says a mastered concept is mastered, and dates a concept goal from what the learner already shows', () => {
    const goal = { type: 'concept' as const, id: 'kb', targetDate: null };
    const mastered = signals({ kb: 0.97 });
    expect(masteryDates(LESSONS, goal, { steps: [] }, CONCEPTS, mastered, PACE, '2026-12-04')).toEqual([
      {
        concept: 'kb',
        title: 'KB',
        pKnown: 0.97,
        status: 'mastered',
        date: null,
        lessonSlug: null,
        answersNeeded: 0,
        minutes: 0,
      },
    ]);
    // Lessons done, concept still weak: only the practice is left, from today.
    const practising = signals({ kb: 0.6 }, ['a', 'b']);
    const [date] = masteryDates(LESSONS, goal, { steps: [] }, CONCEPTS, practising, PACE, '2026-12-04');
    expect(date).toMatchObject({ status: 'expected', lessonSlug: null, date: '2026-12-04' });
    expect(date?.answersNeeded).toBe(answersToMastery(0.6, DEFAULT_BKT));
  });
});
