/**
 * `npm run eval -- fsrs [--learners N] [--seed S]`: the FSRS fit (what `npm run fit -- fsrs`
 * runs) on review logs from `fsrs-sim.ts`, a memory process that is not FSRS's (exponential
 * forgetting, half-lives set by learner memory and item difficulty). Each population is split
 * forward in time as the SRS benchmark does: fitted on the reviews before the time 80% of them
 * came before, scored on the later ones. Rows: the default weights, the fitted ones, and a
 * constant baseline (every later review predicted at the earlier reviews' recall rate); then,
 * for the learners with enough reviews, their own fit against their population's weights.
 * Same seed, same report.
 */
import { MIN_LEARNER_REVIEWS } from '../workers/features/mastery/mastery.fsrs-fit';
import {
  DEFAULT_FSRS_WEIGHTS,
  evaluateFsrsFit,
  recallPredictions,
  recallScores,
  type FsrsReview,
  type RecallScores,
} from '../workers/features/mastery/mastery.fsrs';
import { simulateReviews } from './fsrs-sim';

export interface FsrsEvalRow {
  population: string;
  model: string;
  scores: RecallScores;
}

export interface FsrsEval {
  rows: FsrsEvalRow[];
  learners: { population: string; fitted: number; improved: number; prior: RecallScores; own: RecallScores }[];
  report: string;
}

/** Every later review predicted at the recall rate of the earlier ones. */
function constantBaseline(cards: readonly (readonly FsrsReview[])[], splitAt: number): RecallScores {
  const all = recallPredictions(DEFAULT_FSRS_WEIGHTS, cards);
  const earlier = all.filter((p) => p.at < splitAt);
  const rate = earlier.filter((p) => p.recalled).length / Math.max(1, earlier.length);
  return recallScores(all.filter((p) => p.at >= splitAt).map((p) => ({ ...p, p: rate })));
}

/** Pools per-learner predictions of their later reviews. */
function pooledScores(parts: readonly { cards: FsrsReview[][]; weights: readonly number[]; splitAt: number }[]) {
  return recallScores(parts.flatMap((p) => recallPredictions(p.weights, p.cards).filter((x) => x.at >= p.splitAt)));
}

export function evaluateFsrs(options: { learners?: number; seed?: number } = {}): FsrsEval {
  const { learners = 200, seed = 1 } = options;
  const populations = [
    { name: 'typical memories', sim: { learners, cardsPerLearner: 12, reviewsPerCard: 7, seed } },
    { name: 'weaker memories', sim: { learners, cardsPerLearner: 12, reviewsPerCard: 7, seed: seed + 1, memoryScale: 0.4 } },
    {
      name: 'mixed, 20 heavy learners',
      sim: { learners: 20, cardsPerLearner: 40, reviewsPerCard: 7, seed: seed + 2, learnerSpread: 1 },
    },
  ];
  const rows: FsrsEvalRow[] = [];
  const perLearner: FsrsEval['learners'] = [];
  for (const population of populations) {
    const simulated = simulateReviews(population.sim);
    const cards = simulated.flatMap((l) => l.cards);
    const evaluation = evaluateFsrsFit(cards, { prior: DEFAULT_FSRS_WEIGHTS, seed });
    if (!evaluation) throw new Error(`${population.name}: too few reviews to evaluate`);
    const splitAt = Date.parse(evaluation.splitAt);
    rows.push(
      { population: population.name, model: 'FSRS default weights', scores: evaluation.prior },
      { population: population.name, model: 'FSRS fitted weights', scores: evaluation.fitted },
      { population: population.name, model: 'constant (earlier recall rate)', scores: constantBaseline(cards, splitAt) },
    );
    const course = evaluation.weights ?? DEFAULT_FSRS_WEIGHTS;
    const eligible = simulated.filter((l) => recallPredictions(course, l.cards).length >= MIN_LEARNER_REVIEWS);
    if (eligible.length === 0) continue;
    const fits = eligible.flatMap((l) => {
      const e = evaluateFsrsFit(l.cards, { prior: course, steps: 60, seed: 2 });
      return e ? [{ cards: l.cards, e }] : [];
    });
    perLearner.push({
      population: population.name,
      fitted: fits.length,
      improved: fits.filter((f) => f.e.weights !== null).length,
      prior: pooledScores(fits.map((f) => ({ cards: f.cards, weights: course, splitAt: Date.parse(f.e.splitAt) }))),
      own: pooledScores(fits.map((f) => ({ cards: f.cards, weights: f.e.trained, splitAt: Date.parse(f.e.splitAt) }))),
    });
  }
  const f = (n: number | null) => (n === null ? 'n/a' : n.toFixed(4));
  const lines = [
    `FSRS fit on simulated review logs (exponential forgetting, not FSRS's power curve), seed ${seed}; scored on each population's later 20% of reviews`,
    '',
    '| population | model | later reviews | log-loss | RMSE (bins) | AUC | mean predicted | observed |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.population} | ${r.model} | ${r.scores.reviews} | ${f(r.scores.logLoss)} | ${f(r.scores.rmseBins)} | ${f(r.scores.auc)} | ${f(r.scores.predicted)} | ${f(r.scores.observed)} |`,
    ),
    '',
    `Per learner (${MIN_LEARNER_REVIEWS}+ predicted reviews): their own fit against their population's weights, on their later reviews`,
    '',
    '| population | learners fitted | own fit won | later reviews | population log-loss | own log-loss | population RMSE (bins) | own RMSE (bins) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...perLearner.map(
      (l) =>
        `| ${l.population} | ${l.fitted} | ${l.improved} | ${l.own.reviews} | ${f(l.prior.logLoss)} | ${f(l.own.logLoss)} | ${f(l.prior.rmseBins)} | ${f(l.own.rmseBins)} |`,
    ),
    '',
    "Own log-loss pools every fitted learner's own weights (fitted on their earlier reviews), winners or not; the fit stores a learner's weights only where they won.",
  ];
  return { rows, learners: perLearner, report: lines.join('\n') };
}
