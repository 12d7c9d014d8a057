import { describe, expect, it } from 'vitest';
import { answeredTasks, practiceSignals, type PastTask } from './signals.domain';

const task = (variationId: string, group: string, status: string, outcome?: PastTask['outcome'], difficulty = 3): PastTask => ({
  variationId,
  category: variationId.startsWith('r') ? 'reflect' : 'apply',
  group,
  difficulty,
  status,
  ...(outcome ? { outcome } : {}),
});

describe('practiceSignals', () => {
  it('keeps what was completed with its mean rating, and smooths affinity so a few outcomes cannot swing it', () => {
    const { done, affinity, seen } = practiceSignals([
      task('a1', 'ga', 'completed', { rating: 5 }),
      task('a1', 'ga', 'completed', { rating: 3 }),
      task('a2', 'ga', 'completed'),
      task('r1', 'gr', 'skipped', { skipReason: 'not_interested' }),
      task('r2', 'gr', 'skipped', { skipReason: 'no_time' }),
      task('r3', 'gr2', 'open'),
    ]);
    expect([...done]).toEqual([
      ['a1', 4],
      ['a2', null],
    ]);
    expect([...seen].sort()).toEqual(['a1', 'a2', 'r1', 'r2', 'r3']);
    // Apply: (5 × 0.5 + 1 + 0.6 + 0.7) / 8. Reflect: a lack of time says nothing, so (2.5 + 0.1 + 0.3) / 7.
    expect(affinity.apply).toBeCloseTo(4.8 / 8, 5);
    expect(affinity.reflect).toBeCloseTo(2.9 / 7, 5);
  });

  it('learns a liking per group and per variation, each smoothed towards the level above', () => {
    const signals = practiceSignals([
      task('a1', 'ga', 'completed', { rating: 5 }),
      task('a1', 'ga', 'completed', { rating: 5 }),
      task('a2', 'gb', 'skipped', { skipReason: 'not_interested' }),
      task('a3', 'gb', 'swapped'),
    ]);
    const category = signals.affinity.apply ?? 0;
    expect(category).toBeCloseTo((2.5 + 1 + 1 + 0.1 + 0.2) / 9, 5);
    expect(signals.groupLiking.get('ga')).toBeCloseTo((2 * category + 2) / 4, 5);
    expect(signals.groupLiking.get('gb')).toBeCloseTo((2 * category + 0.3) / 4, 5);
    // A variation leans on its group: a2 was not liked, and its group drags a3 down with it.
    const ga = signals.groupLiking.get('ga') ?? 0;
    expect(signals.liking.get('a1')).toBeCloseTo((ga + 2) / 3, 5);
    expect(signals.liking.get('a2') ?? 1).toBeLessThan(category);
    expect(signals.liking.get('a1') ?? 0).toBeGreaterThan(ga);
  });

  it('moves the comfortable difficulty with what was done and what was too hard or too easy', () => {
    expect(practiceSignals([]).comfort).toBe(2.5);
    const hard = practiceSignals([
      task('a1', 'g', 'skipped', { skipReason: 'too_hard' }, 4),
      task('a2', 'g', 'skipped', { skipReason: 'too_hard' }, 3),
      task('a3', 'g', 'completed', { rating: 4 }, 1),
    ]);
    expect(hard.comfort).toBeCloseTo((7.5 + 3 + 2 + 1) / 6, 5);
    const easy = practiceSignals([
      task('a1', 'g', 'skipped', { skipReason: 'too_easy' }, 3),
      task('a2', 'g', 'completed', { rating: 5 }, 4),
      // A completion rated low does not say the difficulty suited.
      task('a3', 'g', 'completed', { rating: 1 }, 1),
    ]);
    expect(easy.comfort).toBeCloseTo((7.5 + 4 + 4) / 5, 5);
  });

  it('reads only days the learner did something with: a plan left untouched says nothing', () => {
    const plans = [
      { items: [task('a1', 'g', 'open'), task('a2', 'g', 'open')] },
      { items: [task('a3', 'g', 'completed'), task('a4', 'g', 'open')] },
    ];
    expect(answeredTasks(plans).map((t) => t.variationId)).toEqual(['a3', 'a4']);
  });
});

describe('the completion chance of an offered task', () => {
  const apply = { id: 'a1', group: 'ga', category: 'apply' as const };
  const reflect = { id: 'r9', group: 'gr9', category: 'reflect' as const };

  it('starts from the course’s completion rates (similar learners), else a default, before the learner has any outcome', () => {
    expect(practiceSignals([]).completionChance(apply)).toBeCloseTo(0.6, 10);
    const course = { overall: 0.5, categories: { apply: 0.8, reflect: 0.3 } };
    expect(practiceSignals([], course).completionChance(apply)).toBeCloseTo(0.8, 10);
    expect(practiceSignals([], course).completionChance(reflect)).toBeCloseTo(0.3, 10);
  });

  it('moves with the learner’s own outcomes level by level: variation, group, category, overall', () => {
    const course = { overall: 0.5, categories: { apply: 0.5, reflect: 0.5 } };
    // Three completed tasks of a1, two skipped reflect tasks (a skip is a skip, whatever the reason), one left open.
    const history = [
      task('a1', 'ga', 'completed'),
      task('a1', 'ga', 'completed', { rating: 2 }),
      task('a1', 'ga', 'completed'),
      task('r1', 'gr', 'skipped', { skipReason: 'no_time' }),
      task('r2', 'gr', 'skipped', { skipReason: 'not_interested' }),
      task('a3', 'gb', 'open'),
      task('a4', 'gc', 'swapped'),
    ];
    const { completionChance } = practiceSignals(history, course);
    // Overall: (0.5 × 5 + 3) / (5 + 6) = 0.5; apply: (0.5 × 4 + 3) / (4 + 4); a1's group and a1 itself lean on it.
    const applyRate = 5 / 8;
    const group = (applyRate * 2 + 3) / 5;
    expect(completionChance(apply)).toBeCloseTo((group + 3) / 4, 10);
    // A new apply variation in a new group: the category's rate, nothing more.
    expect(completionChance({ id: 'a9', group: 'g9', category: 'apply' })).toBeCloseTo(applyRate, 10);
    // Reflect: (0.5 × 4 + 0) / (4 + 2).
    expect(completionChance(reflect)).toBeCloseTo(2 / 6, 10);
    expect(completionChance(apply)).toBeGreaterThan(completionChance(reflect));
  });

  it('stays a probability when every outcome in the course so far was a skip', () => {
    const chance = practiceSignals([task('r1', 'gr', 'skipped')], { overall: 0, categories: { reflect: 0 } }).completionChance(
      reflect,
    );
    expect(chance).toBeGreaterThan(0);
    expect(chance).toBeLessThan(1);
  });
});
