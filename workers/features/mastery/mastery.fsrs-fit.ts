import type { Deps } from '../../deps';
import { DEFAULT_FSRS_WEIGHTS, evaluateFsrsFit, recallPredictions, type FsrsEvaluation, type FsrsReview } from './mastery.fsrs';
import type { ReviewLogRow } from './mastery.store';

/** The newest reviews a fit reads, across courses. */
export const MAX_FSRS_REVIEWS = 100_000;
/** Predicted reviews (a day or more after the card's previous one) before a course's own weights are fitted. */
export const MIN_COURSE_REVIEWS = 200;
/** Predicted reviews of one learner before their own weights are fitted (else they keep the course's). */
export const MIN_LEARNER_REVIEWS = 100;
/** Learners fitted per run at most, those with the most reviews first; the rest wait for a later run. */
export const MAX_LEARNER_FITS = 50;
/** A learner's fit takes fewer steps than a course's: less data, and it starts from the course's weights. */
const LEARNER_STEPS = 60;

type Cards = FsrsReview[][];

/** The review log grouped per course, then per learner, into each card's reviews (oldest first, as read). */
function groupReviews(rows: readonly ReviewLogRow[]): Map<string, Map<string, Cards>> {
  const courses = new Map<string, Map<string, Map<string, FsrsReview[]>>>();
  for (const r of rows) {
    const learners = courses.get(r.courseId) ?? new Map<string, Map<string, FsrsReview[]>>();
    courses.set(r.courseId, learners);
    const items = learners.get(r.learnerId) ?? new Map<string, FsrsReview[]>();
    learners.set(r.learnerId, items);
    const reviews = items.get(r.itemId) ?? [];
    items.set(r.itemId, reviews);
    reviews.push({ at: r.at, grade: r.grade });
  }
  return new Map(
    [...courses].map(([course, learners]) => [course, new Map([...learners].map(([l, items]) => [l, [...items.values()]]))]),
  );
}

const scoresOf = (e: FsrsEvaluation | null) =>
  e ? { trainReviews: e.trainReviews, testReviews: e.testReviews, splitAt: e.splitAt, prior: e.prior, fitted: e.fitted } : null;

/** Review-weighted means of the learners' held-out log-loss and binned RMSE, under their prior and their own fit. */
function pooled(evaluations: readonly FsrsEvaluation[]) {
  const n = evaluations.reduce((sum, e) => sum + e.testReviews, 0);
  if (n === 0) return null;
  const mean = (pick: (e: FsrsEvaluation) => number) => evaluations.reduce((sum, e) => sum + pick(e) * e.testReviews, 0) / n;
  return {
    testReviews: n,
    prior: { logLoss: mean((e) => e.prior.logLoss), rmseBins: mean((e) => e.prior.rmseBins) },
    fitted: { logLoss: mean((e) => e.fitted.logLoss), rmseBins: mean((e) => e.fitted.rmseBins) },
  };
}

/**
 * Fits FSRS weights to the review log, per course and then per learner with enough reviews
 * of their own, each evaluated forward in time (see `evaluateFsrsFit`): a course's fit
 * against the default weights on its later reviews, a learner's against their course's
 * weights on their later reviews. Weights that predicted the later reviews better are
 * refitted on everything and, unless `dryRun`, stored: the learner's next reviews schedule
 * with them. Weights that did not win are not stored (earlier fits stay).
 */
export async function refitFsrs(deps: Pick<Deps, 'mastery' | 'logger'>, input: { dryRun: boolean; now: Date }) {
  const { dryRun, now } = input;
  const grouped = groupReviews(await deps.mastery.reviewLog(MAX_FSRS_REVIEWS));
  const fits: { courseId: string; learnerId: string; weights: number[]; reviews: number; report: unknown }[] = [];
  const courses = [];
  for (const [course, learners] of grouped) {
    const cards = [...learners.values()].flat();
    const predicted = (list: Cards) => recallPredictions(DEFAULT_FSRS_WEIGHTS, list).length;
    const base = {
      course,
      reviews: cards.reduce((n, c) => n + c.length, 0),
      learners: learners.size,
      cards: cards.length,
      predictedReviews: predicted(cards),
    };
    const evaluation =
      base.predictedReviews >= MIN_COURSE_REVIEWS ? evaluateFsrsFit(cards, { prior: DEFAULT_FSRS_WEIGHTS }) : null;
    const weights = evaluation?.weights ?? null;
    if (evaluation && weights) {
      fits.push({ courseId: course, learnerId: '', weights, reviews: base.reviews, report: scoresOf(evaluation) });
    }
    // Learners start from (and are measured against) the weights they schedule with without their own: the course's
    // fitted now, else the course's stored by an earlier fit, else the defaults.
    const prior = weights ?? (await deps.mastery.courseFsrsWeights(course)) ?? DEFAULT_FSRS_WEIGHTS;
    const eligible = [...learners]
      .map(([learnerId, own]) => ({ learnerId, own, predicted: predicted(own) }))
      .filter((l) => l.predicted >= MIN_LEARNER_REVIEWS)
      .sort((a, b) => b.predicted - a.predicted || a.learnerId.localeCompare(b.learnerId));
    const learnerEvaluations: FsrsEvaluation[] = [];
    for (const l of eligible.slice(0, MAX_LEARNER_FITS)) {
      const e = evaluateFsrsFit(l.own, { prior, steps: LEARNER_STEPS, seed: 2 });
      if (!e) continue;
      learnerEvaluations.push(e);
      if (e.weights) {
        const reviews = l.own.reduce((n, c) => n + c.length, 0);
        fits.push({ courseId: course, learnerId: l.learnerId, weights: e.weights, reviews, report: scoresOf(e) });
      }
    }
    courses.push({
      ...base,
      reason: evaluation ? ('later_reviews' as const) : ('too_few_reviews' as const),
      ...(scoresOf(evaluation) ?? { trainReviews: 0, testReviews: 0, splitAt: null, prior: null, fitted: null }),
      weights,
      learnerFits: {
        eligible: eligible.length,
        evaluated: learnerEvaluations.length,
        improved: learnerEvaluations.filter((e) => e.weights !== null).length,
        leftForLater: Math.max(0, eligible.length - MAX_LEARNER_FITS),
        ...(pooled(learnerEvaluations) ?? { testReviews: 0, prior: null, fitted: null }),
      },
    });
  }
  if (!dryRun) await deps.mastery.saveFsrsWeights(fits, now.toISOString());
  deps.logger.log('info', 'mastery.fsrs_fitted', { courses: courses.length, stored: dryRun ? 0 : fits.length });
  return { courses, stored: !dryRun };
}
