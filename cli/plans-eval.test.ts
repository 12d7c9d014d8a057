import { describe, expect, it } from 'vitest';
import { evaluatePlans } from '../eval/plans';

describe('npm run eval -- plans', () => {
  it('reports each planner, and the completion chance ranks completed tasks above the rest on simulated learners', async () => {
    const { report, metrics } = await evaluatePlans({ learners: 60, days: 14, seed: 5 });
    const ours = metrics.planners.find((p) => p.planner.startsWith('ours'));
    const random = metrics.planners.find((p) => p.planner === 'random');
    expect(ours?.unflaggedRepeats).toBe(0);
    // The learners' hidden likings and days decide what they complete; the chance only sees their past outcomes.
    expect(ours?.engagement?.tasks).toBeGreaterThan(500);
    expect(ours?.engagement?.auc).toBeGreaterThan(0.6);
    expect(Math.abs((ours?.engagement?.meanPredicted ?? 0) - (ours?.engagement?.observed ?? 0))).toBeLessThan(0.15);
    // The random planner gives no chance to score.
    expect(random?.engagement).toBeNull();
    expect(report).toContain('Engagement prediction');
    expect((await evaluatePlans({ learners: 60, days: 14, seed: 5 })).report).toBe(report);
  }, 120_000);
});
