/**
 * The placement test's rules: which question next (the most informative at the learner's
 * ability, among the concepts asked least so far), when to stop (the ability precise enough,
 * or the most questions), and the mastery it leads to. Pure: the routes read and write.
 */
import { bktUpdate, MASTERY_THRESHOLDS, type BktParams } from './mastery.bkt';
import { pickItem, type Ability, type ItemZeta } from './mastery.domain';

export const PLACEMENT = Object.freeze({
  /** Never stop before this many answers. */
  minItems: 6,
  /** Never ask more than this many. */
  maxItems: 15,
  /** Stop once the ability's standard error is this small. */
  targetSe: 0.45,
});

export interface PlacementItem {
  id: string;
  conceptId: string;
  zeta: ItemZeta;
}

export interface PlacementAnswer {
  itemId: string;
  conceptId: string;
  correct: boolean;
}

/** The next question: among items not asked yet, of the concepts asked least, the one with most information at the ability. */
export function nextPlacementItem<T extends PlacementItem>(
  items: readonly T[],
  answers: readonly PlacementAnswer[],
  ability: Ability,
): T | undefined {
  const asked = new Set(answers.map((a) => a.itemId));
  const perConcept = new Map<string, number>();
  for (const a of answers) perConcept.set(a.conceptId, (perConcept.get(a.conceptId) ?? 0) + 1);
  const open = items.filter((i) => !asked.has(i.id));
  if (open.length === 0) return undefined;
  const least = Math.min(...open.map((i) => perConcept.get(i.conceptId) ?? 0));
  return pickItem(
    ability.theta,
    open.filter((i) => (perConcept.get(i.conceptId) ?? 0) === least),
  );
}

/** Whether the test is over after `answered` answers, with `left` questions not asked. */
export function placementDone(answered: number, ability: Ability, left: number): boolean {
  if (left === 0 || answered >= PLACEMENT.maxItems) return true;
  return answered >= PLACEMENT.minItems && ability.se <= PLACEMENT.targetSe;
}

export interface PlacedConcept {
  conceptId: string;
  /** P(known) the placement gives the concept. */
  pKnown: number;
  /** Whether a question on the concept was asked. */
  tested: boolean;
}

const p3 = (theta: number, z: ItemZeta) => z.c + (z.d - z.c) / (1 + Math.exp(-z.a * (theta - z.b)));

/**
 * The mastery a placement sets per concept of the course. The chance of answering the
 * concept's items right at the measured ability becomes P(known) through the concept's guess
 * and slip, as PFA's does; a concept not asked about is read at the ability's lower bound
 * (θ − SE), so only a precise, high estimate vouches for it. The answers on a concept then
 * move it as BKT would (without learning between questions): a concept missed in the test is
 * not called mastered because the learner did well elsewhere.
 */
export function placementMastery(
  items: readonly PlacementItem[],
  answers: readonly PlacementAnswer[],
  ability: Ability,
  paramsOf: (conceptId: string) => BktParams,
): PlacedConcept[] {
  const byConcept = new Map<string, PlacementItem[]>();
  for (const i of items) byConcept.set(i.conceptId, [...(byConcept.get(i.conceptId) ?? []), i]);
  return [...byConcept].map(([conceptId, list]) => {
    const own = answers.filter((a) => a.conceptId === conceptId);
    const tested = own.length > 0;
    const theta = tested ? ability.theta : ability.theta - ability.se;
    const p = list.reduce((s, i) => s + p3(theta, i.zeta), 0) / list.length;
    const params = paramsOf(conceptId);
    const span = 1 - params.slip - params.guess;
    let pKnown = Math.min(1, Math.max(0, span > 0 ? (p - params.guess) / span : p));
    for (const a of own) pKnown = bktUpdate(pKnown, a.correct, { ...params, learn: 0, forget: 0 });
    return { conceptId, pKnown, tested };
  });
}

/** Whether a placed P(known) counts as mastered (and so vouches for the lessons that need the concept). */
export const placedMastered = (pKnown: number) => pKnown >= MASTERY_THRESHOLDS.mastered;
