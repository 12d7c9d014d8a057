/**
 * `npm run eval -- engagement [--learners N] [--seed S]`: the completion chance the
 * recommender gives an offered lesson (`lessonCompletionChances`), scored on learners it
 * was not built from.
 *
 * The simulated process is not the model's: each learner has a latent motivation that sets
 * how often they come back in a week, how likely they take up an offered lesson and how
 * likely they finish what they start, and a weekly chance to drop out for good; each
 * lesson has a latent difficulty and its length, which set how often it is finished once
 * started (logistic in all of these, with noise). Every week an active learner is offered
 * the next three lessons of the course they have not completed; an offer's outcome is
 * whether they complete that lesson within the week. The model is scored as the platform
 * logs it: the chance of the lesson at its place in the offered list (`offerChance`).
 *
 * Learners are split 80/20: the shared counts (learners who started and completed each
 * lesson) come from the first 80%; the held-out 20% are scored at each of their offers
 * from those counts and their own history before the offer. Baselines: the training
 * offers' completion rate (constant), and the lesson's counts alone (no learner history).
 */
import { loadCourseTree } from '../cli/course-tree';
import { predictionScores, type PredictionScores } from '../workers/features/mastery/mastery.scores';
import {
  lessonCompletionChances,
  offerChance,
  type LessonCounts,
  type OwnLesson,
} from '../workers/features/recommendations/engagement.domain';
import { seededRandom } from '../workers/platform/seeded-random';
import { SAMPLE_COURSE } from './recs';
import { mix, simCourse } from './recs-sim';

const WEEKS = 16;
const OFFERED = 3;
const DAY = 86_400_000;
const START = Date.parse('2026-01-05T09:00:00Z');

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** A standard normal draw (Box–Muller). */
function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

interface SimLesson {
  slug: string;
  minutes: number;
  difficulty: number;
}

interface Offer {
  at: Date;
  lessonSlug: string;
  /** Its place among the lessons of the offered list (0 first). */
  rank: number;
  completed: boolean;
  /** The learner's own progress before the offer. */
  history: OwnLesson[];
}

interface SimLearner {
  progress: Map<string, OwnLesson>;
  offers: Offer[];
}

/** One learner's weeks: offers, starts, completions, and leaving for good. */
function simulateLearner(lessons: readonly SimLesson[], random: () => number): SimLearner {
  const motivation = normal(random);
  const uptake = sigmoid(0.2 + 0.9 * motivation);
  const persistence = 1.4 + 1.1 * motivation + 0.5 * normal(random);
  const dropOut = sigmoid(-2.6 - 0.7 * motivation);
  const progress = new Map<string, OwnLesson>();
  const offers: Offer[] = [];
  for (let week = 0; week < WEEKS; week++) {
    if (week > 0 && random() < dropOut) break;
    const weekStart = START + week * 7 * DAY;
    const open = lessons.filter((l) => !progress.get(l.slug)?.completedAt).slice(0, OFFERED);
    if (open.length === 0) break;
    const offeredAt = new Date(weekStart);
    const history = [...progress.values()].map((p) => ({ ...p }));
    const done = new Set<string>();
    // Sessions this week: each takes up the first offered lesson not done yet with the learner's uptake.
    const sessions = 1 + Math.floor(random() * 3);
    for (let s = 0; s < sessions; s++) {
      const next = open.find((l) => !done.has(l.slug));
      if (!next || random() > uptake) continue;
      const at = new Date(weekStart + (s * 2 + 1) * DAY).toISOString();
      const own = progress.get(next.slug) ?? { lessonSlug: next.slug, startedAt: at, completedAt: null };
      progress.set(next.slug, own);
      const finish = sigmoid(persistence - 1.1 * next.difficulty - 0.03 * (next.minutes - 15));
      if (random() < finish) {
        own.completedAt = at;
        done.add(next.slug);
      } else break; // Left it; the week's remaining sessions do not happen.
    }
    open.forEach((lesson, rank) =>
      offers.push({ at: offeredAt, lessonSlug: lesson.slug, rank, completed: done.has(lesson.slug), history }),
    );
  }
  return { progress, offers };
}

export interface EngagementRow {
  model: string;
  scores: PredictionScores;
  meanPredicted: number;
}

export async function evaluateLessonEngagement(options: { learners?: number; seed?: number } = {}) {
  const { learners = 2000, seed = 1 } = options;
  const loaded = await loadCourseTree(SAMPLE_COURSE);
  if (loaded.problems.length > 0) throw new Error(loaded.problems.map((p) => p.message).join('; '));
  const course = simCourse(loaded.manifest);
  const lessonRandom = seededRandom(mix(seed, 1));
  const lessons: SimLesson[] = course.lessons.map((l) => ({
    slug: l.slug,
    minutes: l.minutes,
    difficulty: normal(lessonRandom) * 0.8 + (l.layer === 'L1' ? -0.3 : l.layer === 'L3' ? 0.4 : 0),
  }));
  const population = Array.from({ length: learners }, (_, i) => simulateLearner(lessons, seededRandom(mix(seed, 2, i))));
  const cut = Math.floor(learners * 0.8);
  const training = population.slice(0, cut);
  const heldOut = population.slice(cut);

  const counts = new Map<string, LessonCounts>();
  for (const learner of training) {
    for (const p of learner.progress.values()) {
      const c = counts.get(p.lessonSlug) ?? { lessonSlug: p.lessonSlug, started: 0, completed: 0 };
      c.started += 1;
      c.completed += p.completedAt ? 1 : 0;
      counts.set(p.lessonSlug, c);
    }
  }
  const stats = [...counts.values()];
  const trainingOffers = training.flatMap((l) => l.offers);
  const constant = trainingOffers.filter((o) => o.completed).length / Math.max(1, trainingOffers.length);

  const offers = heldOut.flatMap((l) => l.offers);
  const labels = offers.map((o) => o.completed);
  const chance = (o: Offer, history: readonly OwnLesson[]) => {
    const { finish, pace } = lessonCompletionChances([o.lessonSlug], stats, history, o.at);
    return offerChance(finish.get(o.lessonSlug) ?? 0, pace, o.rank);
  };
  const row = (model: string, predictions: number[]): EngagementRow => ({
    model,
    scores: predictionScores(predictions, labels),
    meanPredicted: predictions.reduce((a, b) => a + b, 0) / Math.max(1, predictions.length),
  });
  const rows = [
    row(
      'completion chance (lesson counts and own history)',
      offers.map((o) => chance(o, o.history)),
    ),
    row(
      'without own history (lesson counts, list place)',
      offers.map((o) => chance(o, [])),
    ),
    row(
      'list place only (course finish rate, prior pace)',
      offers.map((o) => chance({ ...o, lessonSlug: '' }, [])),
    ),
    row(
      'constant (training offers completed)',
      offers.map(() => constant),
    ),
  ];
  const observed = labels.filter(Boolean).length / Math.max(1, labels.length);
  return { rows, offers: offers.length, observed, report: report(rows, offers.length, observed, learners, seed) };
}

function report(rows: EngagementRow[], offers: number, observed: number, learners: number, seed: number): string {
  const f = (x: number) => x.toFixed(4);
  return [
    `## Offered lessons completed within the week (${learners} learners, held-out 20%: ${offers} offers, seed ${seed})`,
    '',
    '| model | AUC | log-loss | RMSE | mean predicted | observed |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.model} | ${f(r.scores.auc)} | ${f(r.scores.logLoss)} | ${f(r.scores.rmse)} | ${f(r.meanPredicted)} | ${f(observed)} |`,
    ),
  ].join('\n');
}
