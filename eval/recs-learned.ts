/**
 * Learned against hand-set weights, for `npm run eval -- recs`. Training learners walk
 * the sample course by their own hidden preference (see `recs-sim.ts`: goal focus,
 * course order, jumps; never the ranking's score). At each lesson they take, the ranker
 * offers five items at the weights of the moment; when the lesson taken is among the
 * offered lessons, that list and the choice are logged, as the server logs an offered
 * lesson that is accepted or completed. After each batch of learners (a "day") the
 * weights are refitted from all choices so far with `fitRankerWeights`, the cron job's
 * function, from the weights in use (prior and bounded step). Then a held-out population,
 * never seen in training, is walked, and at each of its lesson steps the hand-set and the
 * learned weights each give their top five.
 */
import { fitRankerWeights, SIGNALS, choiceMetrics, type RankChoice } from '../workers/features/recommendations/ranker.fit';
import {
  recommend,
  WEIGHTS,
  type LearnerSignals,
  type RankOption,
  type RankWeights,
} from '../workers/features/recommendations/recommend.domain';
import { seededRandom } from '../workers/platform/seeded-random';
import { createCoCompletion, createLearner, mix, signalsFor, walk, type CoCompletion, type SimCourse } from './recs-sim';

const LIST = 5;
/** Held-out learners are numbered from here, so none shares a seed with a training learner. */
const HELD_OUT_FROM = 1_000_000;

export interface LearnedWeightsResult {
  refits: { learners: number; choices: number; changed: boolean; heldOutLogLoss: { current: number; fitted: number } }[];
  weights: RankWeights;
  /** On the held-out population's lesson steps: hit rate@5 of the lesson taken, and log-loss and top-1 of its choices among offered lessons. */
  heldOut: {
    steps: number;
    handSet: { hitRate: number; logLoss: number; top1: number };
    learned: { hitRate: number; logLoss: number; top1: number };
    choices: number;
  };
  sharpness: number;
}

/** The lesson items of a ranked list with their signal values, and where the taken lesson is among them (-1 when not listed). */
function offered(course: SimCourse, signals: LearnerSignals, weights: RankWeights, seed: number, taken: string) {
  const features = new Map<string, RankOption>();
  const list = recommend(course.lessons, signals, { limit: LIST, seed, weights, features });
  const lessons = list.filter((item) => item.kind === 'lesson');
  const options = lessons.flatMap((item) => {
    const option = features.get(item.id);
    return option ? [option] : [];
  });
  return { options, chosen: lessons.findIndex((item) => item.lessonSlug === taken) };
}

/** Walks learner `index` and calls `step` at each lesson they take, with the signals the server would read then. */
function walkLessons(
  course: SimCourse,
  pairs: CoCompletion,
  index: number,
  seed: number,
  step: (signals: LearnerSignals, taken: string, n: number) => void,
) {
  const learner = createLearner(course, index, seededRandom(mix(seed, index, 1)));
  let n = 0;
  const state = walk(course, learner, seededRandom(mix(seed, index, 2)), (now, action) => {
    if (action.kind !== 'lesson') return;
    step(signalsFor(course, learner, now, pairs.collaborative(now.completed)), action.lessonSlug, n++);
  });
  pairs.add(state);
}

export function learnedWeights(
  course: SimCourse,
  options: { learners: number; seed: number; refits: number },
): LearnedWeightsResult {
  const { learners, seed, refits } = options;
  const pairs = createCoCompletion();
  const choices: RankChoice[] = [];
  const history: LearnedWeightsResult['refits'] = [];
  let weights: RankWeights = WEIGHTS;
  const batch = Math.max(1, Math.ceil(learners / refits));
  for (let i = 0; i < learners; i++) {
    walkLessons(course, pairs, i, seed, (signals, taken, n) => {
      const list = offered(course, signals, weights, mix(seed, i, 5, n), taken);
      if (list.chosen >= 0 && list.options.length >= 2) choices.push({ options: list.options, chosen: list.chosen });
    });
    if ((i + 1) % batch === 0 || i === learners - 1) {
      const fit = fitRankerWeights(choices, weights);
      history.push({ learners: i + 1, choices: fit.choices, changed: fit.changed, heldOutLogLoss: fit.heldOut.logLoss });
      weights = fit.weights;
    }
  }
  // The sharpness the cron fits, for log-loss on the held-out choices.
  const { sharpness } = fitRankerWeights(choices, WEIGHTS, { minChoices: 2, priorChoices: 1e9, maxStep: 0 });
  const hits = { handSet: 0, learned: 0 };
  const heldOutChoices: RankChoice[] = [];
  let steps = 0;
  for (let i = HELD_OUT_FROM; i < HELD_OUT_FROM + learners; i++) {
    walkLessons(course, pairs, i, seed, (signals, taken, n) => {
      steps += 1;
      const handSet = offered(course, signals, WEIGHTS, mix(seed, i, 5, n), taken);
      const learned = offered(course, signals, weights, mix(seed, i, 5, n), taken);
      if (handSet.chosen >= 0) hits.handSet += 1;
      if (learned.chosen >= 0) hits.learned += 1;
      // Both weights scored on the same lists: the hand-set ranker's, where it offered the lesson taken.
      if (handSet.chosen >= 0 && handSet.options.length >= 2) {
        heldOutChoices.push({ options: handSet.options, chosen: handSet.chosen });
      }
    });
  }
  const handSetMetrics = choiceMetrics(heldOutChoices, WEIGHTS, sharpness);
  const learnedMetrics = choiceMetrics(heldOutChoices, weights, sharpness);
  return {
    refits: history,
    weights,
    sharpness,
    heldOut: {
      steps,
      choices: heldOutChoices.length,
      handSet: { hitRate: hits.handSet / Math.max(1, steps), ...handSetMetrics },
      learned: { hitRate: hits.learned / Math.max(1, steps), ...learnedMetrics },
    },
  };
}

/** The markdown section of the report. */
export function learnedWeightsReport(result: LearnedWeightsResult, learners: number): string {
  const f = (n: number) => n.toFixed(3);
  const { heldOut: h } = result;
  return [
    `Learned against hand-set weights: ${learners} training learners in ${result.refits.length} refits (each from the weights in use, every weight moving at most 0.05), then ${learners} held-out learners (${h.steps} lesson steps):`,
    '',
    '| weights | hit rate@5 (lesson taken in the top 5) | top-1 of choices among offered lessons | log-loss of those choices |',
    '|---|---:|---:|---:|',
    `| hand-set | ${f(h.handSet.hitRate)} | ${f(h.handSet.top1)} | ${f(h.handSet.logLoss)} |`,
    `| learned | ${f(h.learned.hitRate)} | ${f(h.learned.top1)} | ${f(h.learned.logLoss)} |`,
    '',
    `Top-1 and log-loss are over the ${h.choices} held-out steps whose lesson the hand-set list offered (sharpness ${result.sharpness.toFixed(2)}, fitted on the training choices).`,
    '',
    `| signal | ${SIGNALS.join(' | ')} |`,
    `|---|${SIGNALS.map(() => '---:').join('|')}|`,
    `| hand-set | ${SIGNALS.map((s) => WEIGHTS[s].toFixed(2)).join(' | ')} |`,
    `| learned | ${SIGNALS.map((s) => result.weights[s].toFixed(2)).join(' | ')} |`,
    '',
    `Refits (training learners so far: choices logged, held-out log-loss before → after): ${result.refits
      .map(
        (r) =>
          `${r.learners}: ${r.choices}${r.changed ? `, ${f(r.heldOutLogLoss.current)} → ${f(r.heldOutLogLoss.fitted)}` : ', unchanged'}`,
      )
      .join('; ')}.`,
  ].join('\n');
}
