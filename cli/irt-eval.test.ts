import { describe, expect, it } from 'vitest';
import { evaluateIrt } from '../eval/irt';

describe('npm run eval -- irt', () => {
  it("fits the sample course's items closer to the truth than the authors' guesses and flags the planted misbehaviours", async () => {
    const result = await evaluateIrt({ learners: 800, seed: 3 });
    expect(result.items).toBeGreaterThan(20);
    expect(result.rmseFitted).toBeLessThan(result.rmseAuthor);
    for (const id of result.planted.miskeyed) expect(result.flagged.negative_discrimination).toContain(id);
    expect(result.flagged.everyone_right).toContain(result.planted.everyoneRight);
    expect(result.report).toContain('| fitted |');
    // Same seed, same report.
    expect((await evaluateIrt({ learners: 800, seed: 3 })).report).toBe(result.report);
  }, 60_000);
});
