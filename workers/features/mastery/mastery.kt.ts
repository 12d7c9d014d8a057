import type { Deps } from '../../deps';
import { fnv1a } from '../../platform/embedder';
import { DEFAULT_BKT, bktPredictSequence, fitBkt } from './mastery.bkt';
import { authorB } from './mastery.domain';
import { calibrateItems, type IrtItemPrior } from './mastery.irt';
import { fitPfa, pfaPredictAll, type PfaAttempt } from './mastery.pfa';
import { MIN_FIT_ATTEMPTS, MAX_FIT_ATTEMPTS_PER_LEARNER } from './mastery.refit';
import { predictionScores, type PredictionScores } from './mastery.scores';
import type { KtAttemptRow } from './mastery.store';

/** Fewest graded answers and learners in a course before its model is chosen by measurement (else BKT stays). */
export const MIN_KT_ATTEMPTS = 200;
export const MIN_KT_LEARNERS = 20;
/** The newest graded answers a fit reads, across courses. */
export const MAX_KT_ATTEMPTS = 100_000;

/** Scores with NaN (one class only) as null, for JSON. */
const jsonScores = (s: PredictionScores) => ({
  auc: Number.isFinite(s.auc) ? s.auc : null,
  rmse: s.rmse,
  logLoss: s.logLoss,
});

/**
 * Chooses each course's knowledge-tracing model by measurement: one learner in five (by a hash
 * of their id) is held out, BKT (per concept by EM) and PFA are fitted on the others' answers and
 * both predict the held-out learners' answers one by one; the lower log-loss wins. PFA is then
 * refitted on everyone's answers. Unless `dryRun`, the choice, the weights and the report are
 * stored: new answers in the course update mastery with the chosen model.
 */
export async function refitKt(deps: Pick<Deps, 'mastery' | 'logger'>, input: { dryRun: boolean; now: Date }) {
  const rows = await deps.mastery.ktAttempts(MAX_KT_ATTEMPTS);
  const byCourse = new Map<string, KtAttemptRow[]>();
  for (const r of rows) {
    const list = byCourse.get(r.courseId) ?? [];
    list.push(r);
    byCourse.set(r.courseId, list);
  }
  const courses = [];
  for (const [course, attempts] of byCourse) {
    const learners = new Set(attempts.map((a) => a.learnerId));
    const base = { course, attempts: attempts.length, learners: learners.size };
    if (attempts.length < MIN_KT_ATTEMPTS || learners.size < MIN_KT_LEARNERS) {
      courses.push({
        ...base,
        heldOutLearners: 0,
        chosen: 'bkt' as const,
        reason: 'too_few_answers' as const,
        bkt: null,
        pfa: null,
        weights: null,
      });
      continue;
    }
    const heldOut = (learner: string) => fnv1a(learner) % 5 === 0;
    const train = attempts.filter((a) => !heldOut(a.learnerId));
    const test = attempts.filter((a) => heldOut(a.learnerId));
    const labels = test.map((a) => a.correct);
    const bkt = predictionScores(bktPredictions(train, test), labels);
    const asPfa = (list: KtAttemptRow[]): PfaAttempt[] =>
      list.map((a) => ({ learner: a.learnerId, concept: a.conceptId, correct: a.correct }));
    const pfa = predictionScores(pfaPredictAll(fitPfa(asPfa(train)).model, asPfa(test)), labels);
    const chosen = pfa.logLoss < bkt.logLoss ? ('pfa' as const) : ('bkt' as const);
    const { model } = fitPfa(asPfa(attempts));
    const report = {
      ...base,
      heldOutLearners: new Set(test.map((a) => a.learnerId)).size,
      chosen,
      reason: 'held_out_log_loss' as const,
      bkt: jsonScores(bkt),
      pfa: jsonScores(pfa),
      weights: {
        intercept: model.intercept,
        success: model.success,
        failure: model.failure,
        totalSuccess: model.totalSuccess,
        totalFailure: model.totalFailure,
        concepts: Object.keys(model.concepts).length,
      },
    };
    courses.push(report);
    if (!input.dryRun) {
      await deps.mastery.saveKtModel({
        courseId: course,
        chosen,
        model,
        report,
        attempts: attempts.length,
        learners: learners.size,
        now: input.now.toISOString(),
      });
    }
  }
  deps.logger.log('info', 'mastery.kt_fitted', { courses: courses.length, dryRun: input.dryRun });
  return { courses, stored: !input.dryRun };
}

/** BKT's prediction of each test answer: each concept fitted by EM on the training learners, as `npm run fit -- bkt` fits it. */
function bktPredictions(train: readonly KtAttemptRow[], test: readonly KtAttemptRow[]): number[] {
  const sequences = (list: readonly KtAttemptRow[]) => {
    const byConcept = new Map<string, Map<string, number[]>>();
    list.forEach((a, i) => {
      const byLearner = byConcept.get(a.conceptId) ?? new Map<string, number[]>();
      byConcept.set(a.conceptId, byLearner);
      const idx = byLearner.get(a.learnerId) ?? [];
      idx.push(i);
      byLearner.set(a.learnerId, idx);
    });
    return byConcept;
  };
  const trained = sequences(train);
  const predictions = new Array<number>(test.length).fill(0.5);
  for (const [concept, byLearner] of sequences(test)) {
    const seqs = [...(trained.get(concept)?.values() ?? [])].map((idx) =>
      idx.slice(0, MAX_FIT_ATTEMPTS_PER_LEARNER).map((i) => train[i]?.correct === true),
    );
    const answers = seqs.reduce((n, s) => n + s.length, 0);
    const params = answers >= MIN_FIT_ATTEMPTS ? fitBkt(seqs).params : DEFAULT_BKT;
    for (const idx of byLearner.values()) {
      const predicted = bktPredictSequence(
        idx.map((i) => test[i]?.correct === true),
        params,
      );
      idx.forEach((i, t) => (predictions[i] = predicted[t] ?? 0.5));
    }
  }
  return predictions;
}

/**
 * Calibrates each course's quiz items from the learners' first answers (see `calibrateItems`),
 * the author's difficulty as the prior of each item's, and unless `dryRun` stores them: the
 * adaptive quiz then uses the calibrated parameters of every item with enough answers.
 */
export async function refitIrt(deps: Pick<Deps, 'mastery' | 'logger'>, input: { dryRun: boolean; now: Date }) {
  const [rows, items] = await Promise.all([deps.mastery.ktAttempts(MAX_KT_ATTEMPTS), deps.mastery.itemPriors()]);
  const priorsByCourse = new Map<string, Map<string, IrtItemPrior>>();
  for (const i of items) {
    const priors = priorsByCourse.get(i.courseId) ?? new Map<string, IrtItemPrior>();
    priors.set(i.itemId, { b: authorB(i.difficulty), c: i.choices > 0 ? 1 / i.choices : 0 });
    priorsByCourse.set(i.courseId, priors);
  }
  const answersByCourse = new Map<string, { learner: string; item: string; correct: boolean }[]>();
  for (const r of rows) {
    const list = answersByCourse.get(r.courseId) ?? [];
    list.push({ learner: r.learnerId, item: r.itemId, correct: r.correct });
    answersByCourse.set(r.courseId, list);
  }
  const courses = [];
  for (const [course, answers] of answersByCourse) {
    const calibrated = calibrateItems(answers, priorsByCourse.get(course) ?? new Map());
    if (!input.dryRun) await deps.mastery.saveCalibrations(course, calibrated, input.now.toISOString());
    courses.push({ course, items: calibrated });
  }
  deps.logger.log('info', 'mastery.irt_fitted', { courses: courses.length, dryRun: input.dryRun });
  return { courses, stored: !input.dryRun };
}
