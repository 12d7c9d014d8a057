/**
 * The chance a learner completes an offered lesson within `OFFER_OUTCOME_DAYS` of the
 * offer, from their own history and other learners' (the engagement model for lessons;
 * plan tasks have theirs in `practice/signals.domain.ts`).
 *
 * Empirical Bayes on the odds scale: the lesson's completion rate among the learners who
 * started it leans on the course's rate (LESSON_PRIOR pseudo-learners); the learner's rate
 * over the lessons they started leans on the course's too (LEARNER_PRIOR pseudo-lessons);
 * the lesson's odds scaled by how the learner's odds compare with the course's give the
 * chance they finish it once started. A lesson others rarely finish and a learner who
 * rarely finishes both lower it.
 *
 * That chance is what the ranking weighs (it tells lessons apart). An offer is completed
 * only if the learner also takes the lesson up within the week: with their recent pace
 * (lessons completed per week over the last four, leaning on PRIOR_PACE for PRIOR_WEEKS) as
 * a Poisson rate of lessons taken in list order, the k-th lesson of a list is taken up when
 * they take k or more (`offerChance`).
 */

/** Days after an offer in which completing the lesson counts as completing the offer. */
export const OFFER_OUTCOME_DAYS = 7;

/** A started lesson not completed after this many days counts as left (a 0 in the learner's rate). */
const LEFT_AFTER_DAYS = 7;
const LESSON_PRIOR = 4;
const LEARNER_PRIOR = 5;
/** Before any learner's outcome: most learners who start a lesson finish it. */
const DEFAULT_COURSE_RATE = 0.7;
/** A learner with no history yet completes about one lesson a week. */
const PRIOR_PACE = 1;
const PRIOR_WEEKS = 2;
const PACE_WEEKS = 4;
const MIN = 0.02;
const MAX = 0.98;

/** Learners who started and completed one lesson (shared `lesson_stats`: one count per learner). */
export interface LessonCounts {
  lessonSlug: string;
  started: number;
  completed: number;
}

/** One lesson of the learner's own progress. */
export interface OwnLesson {
  lessonSlug: string;
  startedAt: string | null;
  completedAt: string | null;
}

const clamp = (p: number) => Math.min(MAX, Math.max(MIN, p));
const odds = (p: number) => p / (1 - p);
const fromOdds = (o: number) => o / (1 + o);

/** Per lesson, the chance the learner finishes it once started; and their pace (lessons a week). */
export interface CompletionChances {
  finish: ReadonlyMap<string, number>;
  pace: number;
}

/**
 * For `lessons`: the chance this learner finishes each once started (rounded to 3
 * decimals), and their pace. `stats` are the course's shared counts, `own` the learner's progress.
 */
export function lessonCompletionChances(
  lessons: readonly string[],
  stats: readonly LessonCounts[],
  own: readonly OwnLesson[],
  now: Date,
): CompletionChances {
  // A count of completions above starts (a lesson completed without a start event) is capped.
  const counted = stats.map((s) => ({ ...s, completed: Math.min(s.completed, s.started) }));
  const started = counted.reduce((n, s) => n + s.started, 0);
  const completed = counted.reduce((n, s) => n + s.completed, 0);
  const course = clamp((DEFAULT_COURSE_RATE * LESSON_PRIOR + completed) / (LESSON_PRIOR + started));

  const leftBefore = new Date(now.getTime() - LEFT_AFTER_DAYS * 86_400_000).toISOString();
  const outcomes = own.flatMap((l) => {
    if (l.completedAt) return [1];
    return l.startedAt && l.startedAt < leftBefore ? [0] : [];
  });
  const learner = clamp((course * LEARNER_PRIOR + outcomes.reduce((a, b) => a + b, 0)) / (LEARNER_PRIOR + outcomes.length));
  const scale = odds(learner) / odds(course);

  const byLesson = new Map(counted.map((s) => [s.lessonSlug, s]));
  const finish = new Map(
    lessons.map((slug) => {
      const s = byLesson.get(slug);
      const lesson = clamp((course * LESSON_PRIOR + (s?.completed ?? 0)) / (LESSON_PRIOR + (s?.started ?? 0)));
      return [slug, Math.round(clamp(fromOdds(odds(lesson) * scale)) * 1000) / 1000];
    }),
  );
  return { finish, pace: paceOf(own, now) };
}

/**
 * The chance the learner completes the `rank`-th lesson (0 first) of an offered list within
 * the week: they take up at least `rank + 1` lessons (Poisson at their pace), and finish it.
 */
export function offerChance(finish: number, pace: number, rank: number): number {
  let term = Math.exp(-pace);
  let fewer = 0;
  for (let k = 0; k <= rank; k++) {
    fewer += term;
    term *= pace / (k + 1);
  }
  return Math.round(clamp(finish * Math.max(0, 1 - fewer)) * 1000) / 1000;
}

/**
 * Lessons the learner completes a week: over the last PACE_WEEKS (or since they began when
 * that is shorter), shrunk towards PRIOR_PACE.
 */
function paceOf(own: readonly OwnLesson[], now: Date): number {
  const since = now.getTime() - PACE_WEEKS * 7 * 86_400_000;
  const times = own.flatMap((l) => [l.startedAt, l.completedAt]).flatMap((t) => (t ? [Date.parse(t)] : []));
  const first = times.length > 0 ? Math.min(...times) : now.getTime();
  const weeks = Math.max(0, (now.getTime() - Math.max(first, since)) / (7 * 86_400_000));
  const recent = own.filter(
    (l) => l.completedAt && Date.parse(l.completedAt) >= since && Date.parse(l.completedAt) < now.getTime(),
  ).length;
  return (PRIOR_PACE * PRIOR_WEEKS + recent) / (PRIOR_WEEKS + weeks);
}
