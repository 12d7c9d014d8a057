import { describe, expect, it } from 'vitest';
import { evaluateLessonEngagement } from '../eval/lesson-engagement';

describe('npm run eval -- engagement', () => {
  it('ranks held-out offers of a process that is not the model better than a constant, and better with the learner history than without', async () => {
    const result = await evaluateLessonEngagement({ learners: 600, seed: 3 });
    const score = (model: string) => result.rows.find((r) => r.model.startsWith(model));
    const full = score('completion chance');
    expect(full?.scores.auc).toBeGreaterThan(0.7);
    expect(full?.scores.logLoss).toBeLessThan(score('constant')?.scores.logLoss ?? 0);
    expect(full?.scores.auc).toBeGreaterThan(score('without own history')?.scores.auc ?? 1);
    // Calibrated to within 5 points of what happened.
    expect(Math.abs((full?.meanPredicted ?? 0) - result.observed)).toBeLessThan(0.05);
    expect((await evaluateLessonEngagement({ learners: 600, seed: 3 })).report).toBe(result.report);
  }, 120_000);
});
