import { describe, expect, it } from 'vitest';
import { bktPredictCorrect, DEFAULT_BKT } from './mastery.bkt';
import {
  cardState,
  itemZeta,
  pickItem,
  predict,
  PRIOR_ABILITY,
  retrievability,
  scheduleReview,
  updateAbility,
  updateMastery,
} from './mastery.domain';

const at = new Date('2026-11-01T09:00:00.000Z');
const later = (days: number) => new Date(at.getTime() + days * 86_400_000);

describe('ability (jsCAT)', () => {
  it('rises after a right answer and falls after a wrong one, more for surprising answers', () => {
    const easy = itemZeta(1, 4);
    const hard = itemZeta(5, 4);
    expect(easy).toEqual({ a: 1, b: -2, c: 0.25, d: 1 });
    const rightHard = updateAbility(PRIOR_ABILITY, hard, true);
    const rightEasy = updateAbility(PRIOR_ABILITY, easy, true);
    const wrongEasy = updateAbility(PRIOR_ABILITY, easy, false);
    expect(rightHard.theta).toBeGreaterThan(rightEasy.theta);
    expect(rightEasy.theta).toBeGreaterThan(0);
    expect(wrongEasy.theta).toBeLessThan(0);
    for (const a of [rightHard, rightEasy, wrongEasy]) expect(a.se).toBeLessThan(PRIOR_ABILITY.se);
  });

  it('converges toward a consistent learner and keeps the standard error above its floor', () => {
    let ability = PRIOR_ABILITY;
    for (let i = 0; i < 40; i++) ability = updateAbility(ability, itemZeta(3, 4), true);
    expect(ability.theta).toBeGreaterThan(2);
    expect(ability.theta).toBeLessThanOrEqual(4);
    // Far above the item, a right answer says little: the error stays wide, never below the floor.
    expect(ability.se).toBeGreaterThanOrEqual(0.3);
    expect(ability.se).toBeLessThan(0.6);
    let middling = PRIOR_ABILITY;
    for (let i = 0; i < 40; i++) middling = updateAbility(middling, itemZeta(3, 4), i % 2 === 0);
    expect(middling.se).toBeLessThan(ability.se);
    expect(middling.se).toBeGreaterThanOrEqual(0.3);
  });

  it('picks the most informative item at the ability (MFI)', () => {
    const items = [1, 3, 5].map((d) => ({ id: `d${d}`, zeta: itemZeta(d, 4) }));
    expect(pickItem(0, items)?.id).toBe('d3');
    expect(pickItem(2.5, items)?.id).toBe('d5');
    expect(pickItem(-2, items)?.id).toBe('d1');
    expect(pickItem(0, [])).toBeUndefined();
  });
});

describe('review scheduling (ts-fsrs)', () => {
  it('schedules a first review sooner the worse it went', () => {
    const due = (['again', 'hard', 'good', 'easy'] as const).map((r) => Date.parse(scheduleReview(null, r, at).due));
    expect([...due].sort((a, b) => a - b)).toEqual(due);
    expect(new Set(due).size).toBe(4);
    expect(due[0]).toBeLessThan(at.getTime() + 10 * 60_000);
    const easy = scheduleReview(null, 'easy', at);
    expect(cardState(easy)).toBe('review');
    expect(easy.reps).toBe(1);
    expect(easy.lastReview).toBe(at.toISOString());
  });

  it('grows the interval with each good review and counts a lapse when a review card is forgotten', () => {
    let card = scheduleReview(null, 'easy', at);
    const first = card.scheduledDays;
    card = scheduleReview(card, 'good', new Date(card.due));
    expect(card.scheduledDays).toBeGreaterThan(first);
    expect(card.reps).toBe(2);
    card = scheduleReview(card, 'again', new Date(card.due));
    expect(card).toMatchObject({ lapses: 1, reps: 3 });
    expect(cardState(card)).toBe('relearning');
  });

  it('has retrievability 0 before any review, near 1 right after, and 90% after `stability` days', () => {
    const card = scheduleReview(null, 'easy', at);
    expect(retrievability({ ...card, state: 0, lastReview: null }, at)).toBe(0);
    expect(retrievability(card, at)).toBeCloseTo(1, 6);
    // FSRS defines stability as the interval at which recall falls to 90%.
    expect(retrievability(card, later(card.stability))).toBeCloseTo(0.9, 2);
    expect(retrievability(card, later(30))).toBeLessThan(retrievability(card, later(7)));
  });
});

describe('predictions', () => {
  it('are BKT P(correct) before any review, and decay with FSRS retrievability after', () => {
    const p = DEFAULT_BKT;
    expect(predict(0.6, p, [], at)).toEqual({
      now: bktPredictCorrect(0.6, p),
      in7Days: bktPredictCorrect(0.6, p),
      in30Days: bktPredictCorrect(0.6, p),
      retrievabilityNow: null,
      retrievabilityIn7Days: null,
      retrievabilityIn30Days: null,
    });
    const card = scheduleReview(null, 'good', at);
    const prediction = predict(0.9, p, [card], later(1));
    const r = retrievability(card, later(1));
    expect(prediction.retrievabilityNow).toBeCloseTo(r, 12);
    expect(prediction.now).toBeCloseTo(0.9 * r * (1 - p.slip) + (1 - 0.9 * r) * p.guess, 12);
    expect(prediction.in7Days).toBeLessThan(prediction.now);
    expect(prediction.in30Days).toBeLessThan(prediction.in7Days);
    expect(prediction.in30Days).toBeGreaterThanOrEqual(p.guess);
    expect(prediction.retrievabilityIn30Days).toBeCloseTo(retrievability(card, later(31)), 12);
  });

  it('counts attempts and right answers with the BKT update', () => {
    const first = updateMastery(null, true, DEFAULT_BKT);
    expect(first).toEqual({ pKnown: expect.closeTo(0.709756, 6) as number, attempts: 1, correct: 1 });
    expect(updateMastery(first, false, DEFAULT_BKT)).toMatchObject({ attempts: 2, correct: 1 });
  });
});
