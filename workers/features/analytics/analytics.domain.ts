/**
 * Learning analytics from the rollups: quiz item analysis as instructors read it in an
 * LMS (difficulty, point-biserial discrimination, distractor choice rates, items that
 * behave badly), and the shapes of the overview. Pure: counts in, figures out.
 */
import { percent } from '../../platform/words';

/** Answers an item needs before its figures are judged (flags are noise below it). */
export const MIN_ANSWERS_TO_FLAG = 20;
/** Thresholds instructors commonly use. */
const TOO_EASY = 0.95;
const TOO_HARD = 0.2;
const LOW_DISCRIMINATION = 0.15;
const UNUSED_DISTRACTOR = 0.02;

export type ItemFlag =
  'too_easy' | 'too_hard' | 'low_discrimination' | 'negative_discrimination' | 'distractor_beats_key' | 'unused_distractor';

export interface ItemCounts {
  itemId: string;
  lessonSlug: string;
  question: string;
  choices: string[];
  key: number;
  answers: number;
  correct: number;
  sumAbility: number;
  sumAbilitySquares: number;
  sumCorrectAbility: number;
  picks: Map<number, number>;
}

export interface ItemAnalysis {
  itemId: string;
  lessonSlug: string;
  question: string;
  answers: number;
  /** Share answered right (the classical difficulty index: higher is easier). */
  difficulty: number;
  /** Point-biserial correlation of a right answer with the learner's ability before answering; null without spread. */
  discrimination: number | null;
  choices: { answer: number; text: string; key: boolean; share: number }[];
  flags: ItemFlag[];
  /** What the flags mean, for an author. */
  notes: string[];
}

/**
 * The point-biserial correlation from sufficient statistics: r = Cov(c, s) / (sd_c * sd_s),
 * c the 0/1 right answer and s the ability, over all answers.
 */
export function pointBiserial(n: number, correct: number, sum: number, sumSquares: number, sumCorrect: number): number | null {
  if (n < 2) return null;
  const p = correct / n;
  const meanS = sum / n;
  const varS = sumSquares / n - meanS * meanS;
  const varC = p * (1 - p);
  if (!(varS > 1e-12) || !(varC > 0)) return null;
  const covariance = sumCorrect / n - p * meanS;
  return covariance / Math.sqrt(varS * varC);
}

export function analyseItem(item: ItemCounts): ItemAnalysis {
  const difficulty = item.answers > 0 ? item.correct / item.answers : 0;
  const discrimination = pointBiserial(
    item.answers,
    item.correct,
    item.sumAbility,
    item.sumAbilitySquares,
    item.sumCorrectAbility,
  );
  const choices = item.choices.map((text, answer) => ({
    answer,
    text,
    key: answer === item.key,
    share: item.answers > 0 ? (item.picks.get(answer) ?? 0) / item.answers : 0,
  }));
  const flags: ItemFlag[] = [];
  const notes: string[] = [];
  if (item.answers >= MIN_ANSWERS_TO_FLAG) {
    if (difficulty > TOO_EASY) {
      flags.push('too_easy');
      notes.push(`${percent(difficulty)} answer it right: it tells learners apart little`);
    }
    if (difficulty < TOO_HARD) {
      flags.push('too_hard');
      notes.push(`Only ${percent(difficulty)} answer it right: check the key and the wording`);
    }
    if (discrimination !== null && discrimination < 0) {
      flags.push('negative_discrimination');
      notes.push('Stronger learners get it wrong more often than weaker ones: the key may be wrong');
    } else if (discrimination !== null && discrimination < LOW_DISCRIMINATION) {
      flags.push('low_discrimination');
      notes.push(`Discrimination ${discrimination.toFixed(2)}: right answers barely follow ability`);
    }
    const keyShare = choices.find((c) => c.key)?.share ?? 0;
    const rival = choices.find((c) => !c.key && c.share > keyShare);
    if (rival) {
      flags.push('distractor_beats_key');
      notes.push(`"${rival.text}" is picked more than the right answer (${percent(rival.share)} against ${percent(keyShare)})`);
    }
    const unused = choices.filter((c) => !c.key && c.share < UNUSED_DISTRACTOR);
    if (unused.length > 0) {
      flags.push('unused_distractor');
      notes.push(`Almost nobody picks ${unused.map((c) => `"${c.text}"`).join(', ')}: a distractor that does not distract`);
    }
  }
  return {
    itemId: item.itemId,
    lessonSlug: item.lessonSlug,
    question: item.question,
    answers: item.answers,
    difficulty,
    discrimination,
    choices,
    flags,
    notes,
  };
}

/** Monday of the ISO week of a day (YYYY-MM-DD). */
export function weekOf(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  const back = (date.getUTCDay() + 6) % 7;
  return new Date(date.getTime() - back * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Retention by weekly cohort: for each week of first activity, the share of its learners
 * active in each later week (week 0 is always 1), up to the current week.
 */
export function retention(
  firstAndActive: readonly { cohort: string; week: string; learners: number }[],
  cohortSizes: ReadonlyMap<string, number>,
  currentWeek: string,
): { cohort: string; learners: number; weeks: number[] }[] {
  const byCohort = new Map<string, Map<number, number>>();
  for (const row of firstAndActive) {
    const offset = Math.round((Date.parse(row.week) - Date.parse(row.cohort)) / (7 * 86_400_000));
    const weeks = byCohort.get(row.cohort) ?? new Map<number, number>();
    weeks.set(offset, row.learners);
    byCohort.set(row.cohort, weeks);
  }
  return [...cohortSizes]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([cohort, learners]) => {
      const span = Math.round((Date.parse(currentWeek) - Date.parse(cohort)) / (7 * 86_400_000));
      const weeks = Array.from({ length: span + 1 }, (_, k) =>
        learners > 0 ? (byCohort.get(cohort)?.get(k) ?? 0) / learners : 0,
      );
      return { cohort, learners, weeks };
    });
}

/** One bin of predictions: how many, how many came true, and the sums behind mean prediction and log-loss. */
export interface PredictionBin {
  bin: number;
  n: number;
  positives: number;
  sumPredicted: number;
  sumLogLoss: number;
}

export interface PredictionFigures {
  predictions: number;
  /** Share that came true (right answers, recalled reviews). */
  observed: number;
  meanPredicted: number;
  /** Area under the ROC curve from the binned predictions (ties within a bin count half); null with one class only. */
  auc: number | null;
  logLoss: number | null;
}

/** AUC, log-loss and rates from binned predictions (bins in any order). */
export function predictionFigures(bins: readonly PredictionBin[]): PredictionFigures {
  const sorted = [...bins].sort((a, b) => a.bin - b.bin);
  const n = sorted.reduce((s, b) => s + b.n, 0);
  const positives = sorted.reduce((s, b) => s + b.positives, 0);
  const negatives = n - positives;
  let below = 0;
  let wins = 0;
  for (const b of sorted) {
    const neg = b.n - b.positives;
    wins += b.positives * below + 0.5 * b.positives * neg;
    below += neg;
  }
  return {
    predictions: n,
    observed: n > 0 ? positives / n : 0,
    meanPredicted: n > 0 ? sorted.reduce((s, b) => s + b.sumPredicted, 0) / n : 0,
    auc: positives > 0 && negatives > 0 ? wins / (positives * negatives) : null,
    logLoss: n > 0 ? sorted.reduce((s, b) => s + b.sumLogLoss, 0) / n : null,
  };
}

/** Predictions a window needs before drift is judged. */
export const DRIFT_MIN_PREDICTIONS = 50;

/** Whether the last week's figures drifted from the weeks before: AUC down by 0.05 or log-loss up by 15%. */
export function driftOf(recent: PredictionFigures, before: PredictionFigures): string | null {
  if (recent.predictions < DRIFT_MIN_PREDICTIONS || before.predictions < DRIFT_MIN_PREDICTIONS) return null;
  const notes: string[] = [];
  if (recent.auc !== null && before.auc !== null && before.auc - recent.auc > 0.05) {
    notes.push(`AUC fell from ${before.auc.toFixed(3)} to ${recent.auc.toFixed(3)}`);
  }
  if (recent.logLoss !== null && before.logLoss !== null && recent.logLoss > before.logLoss * 1.15) {
    notes.push(`log-loss rose from ${before.logLoss.toFixed(3)} to ${recent.logLoss.toFixed(3)}`);
  }
  if (Math.abs(recent.observed - recent.meanPredicted) > 0.1) {
    notes.push(`predicted ${(recent.meanPredicted * 100).toFixed(0)}% against ${(recent.observed * 100).toFixed(0)}% observed`);
  }
  return notes.length > 0 ? `Last 7 days against the 21 before: ${notes.join('; ')}.` : null;
}
