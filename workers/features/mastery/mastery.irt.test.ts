import { describe, expect, it } from 'vitest';
import { normalDraw as normal, seededRandom } from '../../platform/seeded-random';
import { calibrateItems, type IrtAnswer, type IrtItemPrior } from './mastery.irt';

/** 3PL answers of `learners` learners to items with known a and b (guessing 1/4). */
function simulate(truth: Record<string, { a: number; b: number }>, learners: number, seed: number): IrtAnswer[] {
  const random = seededRandom(seed);
  const answers: IrtAnswer[] = [];
  for (let l = 0; l < learners; l++) {
    const theta = normal(random);
    for (const [item, { a, b }] of Object.entries(truth)) {
      const p = 0.25 + 0.75 / (1 + Math.exp(-a * (theta - b)));
      answers.push({ learner: `l${l}`, item, correct: random() < p });
    }
  }
  return answers;
}

const TRUTH = {
  i1: { a: 1.5, b: -1.5 },
  i2: { a: 0.7, b: -0.5 },
  i3: { a: 1.2, b: 0 },
  i4: { a: 2, b: 0.8 },
  i5: { a: 1, b: 1.6 },
};
const flatPriors = (ids: string[], b = 0) => new Map<string, IrtItemPrior>(ids.map((id) => [id, { b, c: 0.25 }]));

describe('item calibration', () => {
  it('recovers difficulties and discriminations of simulated 3PL items, whatever the author guessed', () => {
    const fitted = calibrateItems(simulate(TRUTH, 1500, 1), flatPriors(Object.keys(TRUTH)));
    for (const item of fitted) {
      const truth = TRUTH[item.item as keyof typeof TRUTH];
      expect(Math.abs(item.b - truth.b)).toBeLessThan(0.35);
      // Five items pin each learner's ability down loosely, so discrimination is the rougher estimate.
      expect(Math.abs(item.a - truth.a)).toBeLessThan(0.7);
      expect(item.discriminationFitted).toBe(true);
      expect(item.flags).toEqual([]);
      expect(item.pointBiserial).toBeGreaterThan(0);
    }
    const order = [...fitted].sort((x, y) => x.b - y.b).map((x) => x.item);
    expect(order).toEqual(['i1', 'i2', 'i3', 'i4', 'i5']);
    const a = Object.fromEntries(fitted.map((x) => [x.item, x.a]));
    expect(a.i4).toBeGreaterThan((a.i2 ?? 0) + 0.5);
  });

  it("keeps an item answered a few times at the author's difficulty and fits no discrimination below the threshold", () => {
    const answers = [...simulate({ i3: TRUTH.i3, i4: TRUTH.i4 }, 60, 2), ...simulate({ rare: { a: 1, b: -2 } }, 10, 3)];
    const priors = new Map<string, IrtItemPrior>([
      ['i3', { b: 2, c: 0.25 }],
      ['i4', { b: 0, c: 0.25 }],
      ['rare', { b: 1, c: 0.25 }],
    ]);
    const byId = new Map(calibrateItems(answers, priors).map((x) => [x.item, x]));
    expect(byId.get('rare')).toMatchObject({ b: 1, a: 1, flags: ['too_few_answers'] });
    // 60 answers: calibrated, pulled from the prior towards the data, a kept at 1.
    const i3 = byId.get('i3');
    expect(i3?.b).toBeLessThan(1.5);
    expect(i3?.discriminationFitted).toBe(false);
    expect(i3?.a).toBe(1);
  });

  it('flags items everyone gets right, everyone gets wrong, and items the stronger learners miss more', () => {
    const random = seededRandom(4);
    const answers = simulate(TRUTH, 200, 5);
    const rightShare = new Map<string, number>();
    for (const x of answers) rightShare.set(x.learner, (rightShare.get(x.learner) ?? 0) + (x.correct ? 1 : 0));
    for (const [learner, right] of rightShare) {
      answers.push({ learner, item: 'gift', correct: true }, { learner, item: 'impossible', correct: false });
      // Miskeyed: the learners who do well elsewhere are marked wrong.
      answers.push({ learner, item: 'miskeyed', correct: right <= 2 ? random() < 0.9 : random() < 0.1 });
    }
    const byId = new Map(
      calibrateItems(answers, flatPriors([...Object.keys(TRUTH), 'gift', 'impossible', 'miskeyed'])).map((x) => [x.item, x]),
    );
    expect(byId.get('gift')?.flags).toEqual(['everyone_right']);
    expect(byId.get('impossible')?.flags).toEqual(['everyone_wrong']);
    expect(byId.get('miskeyed')?.flags).toContain('negative_discrimination');
    expect(byId.get('i4')?.flags).toEqual([]);
  });

  it('counts a learner’s first answer to an item only', () => {
    const answers: IrtAnswer[] = [
      ...Array.from({ length: 30 }, (_, l) => ({ learner: `l${l}`, item: 'x', correct: false })),
      ...Array.from({ length: 30 }, (_, l) => ({ learner: `l${l}`, item: 'x', correct: true })),
    ];
    const [x] = calibrateItems(answers, flatPriors(['x']));
    expect(x).toMatchObject({ answers: 30, pCorrect: 0, flags: ['everyone_wrong'] });
  });
});
