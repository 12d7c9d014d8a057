import { describe, expect, it } from 'vitest';
import { evaluateFsrs } from '../eval/fsrs';

describe('npm run eval -- fsrs', () => {
  it('fits weights that predict later reviews of a non-FSRS memory process better than the defaults and a constant', () => {
    const result = evaluateFsrs({ learners: 60, seed: 4 });
    const populations = [...new Set(result.rows.map((r) => r.population))];
    expect(populations).toHaveLength(3);
    for (const population of populations) {
      const score = (model: string) => result.rows.find((r) => r.population === population && r.model.startsWith(model))?.scores;
      expect(score('FSRS fitted')?.logLoss).toBeLessThan(score('FSRS default')?.logLoss ?? 0);
      expect(score('FSRS fitted')?.rmseBins).toBeLessThan(score('FSRS default')?.rmseBins ?? 0);
      expect(score('FSRS fitted')?.logLoss).toBeLessThan(score('constant')?.logLoss ?? 0);
    }
    // The heavy learners are fitted one by one; the report says how many won.
    expect(result.learners[0]).toMatchObject({ population: 'mixed, 20 heavy learners', fitted: 20 });
    expect(result.report).toContain('| FSRS fitted weights |');
    expect(evaluateFsrs({ learners: 60, seed: 4 }).report).toBe(result.report);
  }, 120_000);
});
