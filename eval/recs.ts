/**
 * `npm run eval -- recs [--learners N] [--seed S]`: the next-step ranking (`recommend`)
 * against two baselines, course order and popularity, on a simulated population walking
 * the sample course (see `recs-sim.ts`). At each step of each learner's own walk every
 * ranker gives its top five: hit rate@5 of the lesson the learner takes next, catalog
 * coverage, intra-list diversity and prerequisite violations. Then each learner is walked
 * again per ranker, following its list, to see who reaches the goal within N lessons.
 * Co-completion and popularity come from the learners walked earlier in the run, as the
 * cron job would have them. Same seed, same report.
 */
import { fileURLToPath } from 'node:url';
import { loadCourseTree } from '../cli/course-tree';
import { MASTERY_THRESHOLDS } from '../workers/features/mastery/mastery.bkt';
import { recommend, type CourseLesson, type LearnerSignals } from '../workers/features/recommendations/recommend.domain';
import { seededRandom } from '../workers/platform/seeded-random';
import { learnedWeights, learnedWeightsReport, type LearnedWeightsResult } from './recs-learned';
import {
  GUESS,
  PRIOR_BY_PART,
  SLIP,
  TRAITS,
  canTake,
  createCoCompletion,
  createLearner,
  goalReached,
  mix,
  nextSession,
  perform,
  signalsFor,
  simCourse,
  startState,
  walk,
  type Action,
  type CoCompletion,
  type Learner,
  type LearnerState,
  type SimCourse,
} from './recs-sim';

export const LIST = 5;
/** Refits of the learned weights over the training learners (days of the cron job). */
const REFITS = 10;
/** Goal budget: N = ⌈GOAL_SLACK × lessons the goal needs⌉. */
const GOAL_SLACK = 1.5;
/** Times a follower re-reads a list after doing the reviews and quizzes at its top, before giving up on a step. */
const FOLLOW_ROUNDS = 3;
export const SAMPLE_COURSE = fileURLToPath(new URL('../seeds/course', import.meta.url));

export interface RecsOptions {
  /** Simulated learners (default 300). */
  learners?: number;
  seed?: number;
  /** Course folder (default the sample course). */
  course?: string;
}

export interface RankerMetrics {
  ranker: string;
  /** Share of the learner's lesson steps whose lesson was in the ranker's top-5 lessons. */
  hitRate: number;
  /** Share of learners who completed every goal lesson within N lessons following the ranker. */
  goalReached: number;
  /** Share of the course's lessons listed at least once. */
  coverage: number;
  /** Mean over lists of two or more lessons of the mean pairwise 1 − Jaccard of their concepts. */
  diversity: number;
  /** Same mean, of the share of pairs from different parts. */
  differentParts: number;
  /** Listed lessons with a prerequisite neither completed nor mastered (as the server sees it). */
  violations: number;
  /** Follow-the-ranker steps where no listed lesson could be taken. */
  stuckSteps: number;
}

export interface RecsMetrics {
  learners: number;
  seed: number;
  steps: { all: number; lessons: number; reviews: number; quizzes: number };
  /** Lesson steps whose lesson was not eligible as the server sees it (a known prerequisite skipped). */
  unseenSkips: number;
  /** Over every step and open lesson, prerequisites not completed but met by mastery (as the server sees it). */
  metByMastery: number;
  rankers: RankerMetrics[];
  /** Ours over the whole list, reviews and quizzes included. */
  oursFull: { hitRate: number; lessonShare: number; reviewShare: number; quizShare: number; listsWithoutLesson: number };
  /** Ours' lesson order alone: hit rate@5 of the first five lessons of a list long enough for every candidate, without exploration. */
  oursLessonOrderHitRate: number;
  goalBudget: { mean: number; min: number; max: number };
  /** Weights learned from the simulated learners' choices against the hand-set ones (see `recs-learned.ts`). */
  learned?: LearnedWeightsResult;
}

export interface RankContext {
  course: SimCourse;
  signals: LearnerSignals;
  pairs: CoCompletion;
  seed: number;
}

export interface Ranker {
  name: string;
  rank: (ctx: RankContext) => Action[];
}

const lessonItems = (lessons: readonly CourseLesson[]): Action[] => lessons.map((l) => ({ kind: 'lesson', lessonSlug: l.slug }));

export const RANKERS: Ranker[] = [
  {
    name: 'ours (recommend)',
    rank: ({ course, signals, seed }) => recommend(course.lessons, signals, { limit: LIST, seed }),
  },
  {
    name: 'course order',
    rank: ({ course, signals }) => lessonItems(course.lessons.filter((l) => !signals.completed.has(l.slug)).slice(0, LIST)),
  },
  {
    name: 'popularity',
    rank: ({ course, signals, pairs }) =>
      lessonItems(
        course.lessons
          .filter((l) => !signals.completed.has(l.slug))
          .sort((a, b) => pairs.completions(b.slug) - pairs.completions(a.slug) || a.position - b.position)
          .slice(0, LIST),
      ),
  },
];

const jaccard = (a: readonly string[], b: readonly string[]) => {
  const set = new Set(a);
  const shared = b.filter((x) => set.has(x)).length;
  const union = set.size + b.length - shared;
  return union === 0 ? 0 : shared / union;
};

/**
 * A prerequisite is met when completed or when every concept it teaches reads mastered:
 * written here from the definition, not taken from the ranking, so the check is independent.
 */
function prerequisiteUnmet(course: SimCourse, signals: LearnerSignals, prerequisite: string): boolean {
  if (signals.completed.has(prerequisite)) return false;
  const concepts = course.bySlug.get(prerequisite)?.concepts ?? [];
  return concepts.length === 0 || concepts.some((c) => (signals.concepts.get(c)?.pKnown ?? 0) < MASTERY_THRESHOLDS.mastered);
}

const violates = (course: SimCourse, signals: LearnerSignals, slug: string) =>
  (course.bySlug.get(slug)?.prerequisites ?? []).some((p) => prerequisiteUnmet(course, signals, p));

function createTally(course: SimCourse) {
  const t = {
    hits: 0,
    lessonSteps: 0,
    listed: new Set<string>(),
    diversity: 0,
    differentParts: 0,
    lists: 0,
    violations: 0,
    reached: 0,
    followers: 0,
    stuckSteps: 0,
    /** One list at one step; `taken` is the lesson the learner took next, if a lesson. */
    add(signals: LearnerSignals, lessons: readonly string[], taken: string | null) {
      if (taken !== null) {
        t.lessonSteps += 1;
        if (lessons.includes(taken)) t.hits += 1;
      }
      lessons.forEach((slug) => t.listed.add(slug));
      t.violations += lessons.filter((slug) => violates(course, signals, slug)).length;
      const picked = lessons.flatMap((slug) => course.bySlug.get(slug) ?? []);
      if (picked.length < 2) return;
      let distance = 0;
      let parts = 0;
      let pairs = 0;
      picked.forEach((a, i) =>
        picked.slice(i + 1).forEach((b) => {
          distance += 1 - jaccard(a.concepts, b.concepts);
          parts += a.partSlug === b.partSlug ? 0 : 1;
          pairs += 1;
        }),
      );
      t.diversity += distance / pairs;
      t.differentParts += parts / pairs;
      t.lists += 1;
    },
  };
  return t;
}

/** The learner follows the list: its reviews and quizzes in order, then the first lesson they can take. */
function follow(
  course: SimCourse,
  learner: Learner,
  ranker: Ranker,
  pairs: CoCompletion,
  budget: number,
  seed: number,
): { reached: boolean; stuck: number } {
  // The same answers and luck whichever ranker is followed: only the lists differ.
  const random = seededRandom(mix(seed, learner.index, 3));
  const state = startState(learner);
  let stuck = 0;
  for (let step = 0; step < budget && !goalReached(learner, state); step++) {
    if (step > 0 && step % learner.pace === 0) nextSession(learner, state);
    let taken = false;
    for (let round = 0; round < FOLLOW_ROUNDS && !taken; round++) {
      const signals = signalsFor(course, learner, state, pairs.collaborative(state.completed));
      const list = ranker.rank({ course, signals, pairs, seed: mix(seed, learner.index, 4, step, round) });
      let practised = false;
      for (const item of list) {
        const lesson = course.bySlug.get(item.lessonSlug);
        if (item.kind !== 'lesson') {
          perform(course, learner, state, item, random);
          practised = true;
        } else if (lesson && canTake(course, state, lesson)) {
          perform(course, learner, state, item, random);
          taken = true;
          break;
        }
      }
      // Nothing done: the same list would come back.
      if (!practised) break;
    }
    if (!taken) stuck += 1;
  }
  return { reached: goalReached(learner, state), stuck };
}

/** Runs the evaluation; returns the markdown report and the numbers behind it. */
export async function evaluateRecs(options: RecsOptions = {}): Promise<{ report: string; metrics: RecsMetrics }> {
  const { learners = 300, seed = 1, course: folder = SAMPLE_COURSE } = options;
  if (!Number.isInteger(learners) || learners < 1) throw new RangeError('learners must be a positive integer');
  if (!Number.isInteger(seed)) throw new RangeError('seed must be an integer');
  const loaded = await loadCourseTree(folder);
  if (loaded.problems.length > 0) {
    throw new Error(`${folder}: ${loaded.problems.map((p) => `${p.file}:${p.line}: ${p.message}`).join('; ')}`);
  }
  const course = simCourse(loaded.manifest);
  const pairs = createCoCompletion();
  const tallies = RANKERS.map(() => createTally(course));
  const full = createTally(course);
  const steps = { all: 0, lessons: 0, reviews: 0, quizzes: 0 };
  const kinds = { lesson: 0, review: 0, quiz: 0 };
  let fullHits = 0;
  let lessonOrderHits = 0;
  let listsWithoutLesson = 0;
  let unseenSkips = 0;
  let metByMastery = 0;
  const budgets: number[] = [];
  const population: Learner[] = [];

  for (let i = 0; i < learners; i++) {
    const learner = createLearner(course, i, seededRandom(mix(seed, i, 1)));
    population.push(learner);
    let step = 0;
    const visit = (state: LearnerState, action: Action) => {
      const signals = signalsFor(course, learner, state, pairs.collaborative(state.completed));
      const taken = action.kind === 'lesson' ? action.lessonSlug : null;
      steps.all += 1;
      steps[action.kind === 'lesson' ? 'lessons' : action.kind === 'review' ? 'reviews' : 'quizzes'] += 1;
      if (taken !== null && violates(course, signals, taken)) unseenSkips += 1;
      for (const lesson of course.lessons) {
        if (signals.completed.has(lesson.slug)) continue;
        metByMastery += lesson.prerequisites.filter(
          (p) => !signals.completed.has(p) && !prerequisiteUnmet(course, signals, p),
        ).length;
      }
      const rankSeed = mix(seed, i, 2, step);
      if (taken !== null) {
        // Every lesson, review and quiz fits: the lesson order is then what the scores and MMR make it.
        const all = recommend(course.lessons, signals, { limit: 3 * course.lessons.length, seed: rankSeed, exploreShare: 0 });
        const first = all.filter((item) => item.kind === 'lesson').slice(0, LIST);
        if (first.some((item) => item.lessonSlug === taken)) lessonOrderHits += 1;
      }
      RANKERS.forEach((ranker, r) => {
        const list = ranker.rank({ course, signals, pairs, seed: rankSeed });
        const lessons = list.filter((item) => item.kind === 'lesson').map((item) => item.lessonSlug);
        tallies[r]?.add(signals, lessons, taken);
        if (r !== 0) return;
        if (list.some((item) => item.kind === action.kind && item.lessonSlug === action.lessonSlug)) fullHits += 1;
        if (lessons.length === 0) listsWithoutLesson += 1;
        for (const item of list) kinds[item.kind] += 1;
        full.add(signals, [...new Set(list.map((item) => item.lessonSlug))], null);
      });
      step += 1;
    };
    const budget = Math.ceil(GOAL_SLACK * learner.needed.size);
    budgets.push(budget);
    RANKERS.forEach((ranker, r) => {
      const result = follow(course, learner, ranker, pairs, budget, seed);
      const t = tallies[r];
      if (!t) return;
      t.followers += 1;
      t.reached += result.reached ? 1 : 0;
      t.stuckSteps += result.stuck;
    });
    // Walked after the follow runs: a learner's own completions never inform their own lists.
    pairs.add(walk(course, learner, seededRandom(mix(seed, i, 2)), visit));
  }

  const ratio = (n: number, d: number) => (d === 0 ? 0 : n / d);
  const rankers = RANKERS.map((ranker, r): RankerMetrics => {
    const t = tallies[r] ?? createTally(course);
    return {
      ranker: ranker.name,
      hitRate: ratio(t.hits, t.lessonSteps),
      goalReached: ratio(t.reached, t.followers),
      coverage: t.listed.size / course.lessons.length,
      diversity: ratio(t.diversity, t.lists),
      differentParts: ratio(t.differentParts, t.lists),
      violations: t.violations,
      stuckSteps: t.stuckSteps,
    };
  });
  const slots = kinds.lesson + kinds.review + kinds.quiz;
  const metrics: RecsMetrics = {
    learners,
    seed,
    steps,
    unseenSkips,
    metByMastery,
    rankers,
    oursFull: {
      hitRate: ratio(fullHits, steps.all),
      lessonShare: ratio(kinds.lesson, slots),
      reviewShare: ratio(kinds.review, slots),
      quizShare: ratio(kinds.quiz, slots),
      listsWithoutLesson,
    },
    oursLessonOrderHitRate: ratio(lessonOrderHits, steps.lessons),
    goalBudget: {
      mean: ratio(
        budgets.reduce((a, b) => a + b, 0),
        budgets.length,
      ),
      min: Math.min(...budgets),
      max: Math.max(...budgets),
    },
  };
  const learned = learnedWeights(course, { learners, seed, refits: REFITS });
  return {
    report: `${report(course, population, metrics, full.listed.size)}\n\n${learnedWeightsReport(learned, learners)}`,
    metrics: { ...metrics, learned },
  };
}

function report(course: SimCourse, population: readonly Learner[], m: RecsMetrics, fullCoverage: number): string {
  const f = (n: number) => n.toFixed(2);
  const pct = (n: number) => `${(100 * n).toFixed(0)}%`;
  const count = (test: (l: Learner) => boolean) => population.filter(test).length;
  const mean = (value: (l: Learner) => number) => population.reduce((sum, l) => sum + value(l), 0) / population.length;
  const ours = m.rankers[0];
  const range = ([low, high]: readonly [number, number]) => `U(${low}, ${high})`;
  const span = ([low, high]: readonly [number, number]) => `${low}–${high}`;
  return [
    `Recommendations: ${m.learners} simulated learners on the sample course (${course.lessons.length} lessons, ${course.partSlugs.length} parts), seed ${m.seed}`,
    '',
    '| ranker | hit rate@5 (next lesson) | goal reached within N | catalog coverage | diversity (1 − Jaccard) | different-part pairs | prerequisite violations |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...m.rankers.map(
      (r) =>
        `| ${r.ranker} | ${f(r.hitRate)} | ${f(r.goalReached)} | ${f(r.coverage)} | ${f(r.diversity)} | ${f(r.differentParts)} | ${r.violations} |`,
    ),
    '',
    `N = ⌈${GOAL_SLACK} × lessons the goal needs⌉ per learner (goal lessons and their transitive prerequisites): mean ${m.goalBudget.mean.toFixed(1)}, range ${m.goalBudget.min}–${m.goalBudget.max}.`,
    `Following a ranker, a learner does the reviews and quizzes listed above the first lesson they can take (these do not count as steps), then takes it; steps where no listed lesson could be taken: ${m.rankers.map((r) => `${r.ranker} ${r.stuckSteps}`).join(', ')}.`,
    `Ours counts lesson items only in the table (reviews and quizzes take slots: it may list fewer than ${LIST} lessons); diversity is over lists of two or more lessons.`,
    `Ours, whole list: next action (same kind and lesson) in the top ${LIST} at ${f(m.oursFull.hitRate)} of ${m.steps.all} steps; slots ${pct(m.oursFull.lessonShare)} lessons, ${pct(m.oursFull.reviewShare)} reviews, ${pct(m.oursFull.quizShare)} quizzes; ${m.oursFull.listsWithoutLesson} lists without a lesson; lessons referenced ${fullCoverage}/${course.lessons.length}.`,
    `Ours' lesson order alone (the first ${LIST} lessons of a list with room for every candidate, no exploration slot): hit rate@5 ${f(m.oursLessonOrderHitRate)}.`,
    `Lesson steps the server could not see as eligible (the learner knew a prerequisite they skipped; no ranking that keeps prerequisites can hit them): ${m.unseenSkips} of ${m.steps.lessons}${ours ? `; ours' hit rate leaves them out: ${f((ours.hitRate * m.steps.lessons) / Math.max(1, m.steps.lessons - m.unseenSkips))}` : ''}.`,
    `Prerequisites of open lessons met by mastery rather than completion, over all steps: ${m.metByMastery}.`,
    '',
    'Population:',
    `- goals: ${count((l) => l.goalParts.length === 1)} learners with one part, ${count((l) => l.goalParts.length === 2)} with two; ${count((l) => l.target !== null)} also with a target lesson in them (then the goal is that lesson)`,
    `- prior knowledge: experience e = U(0,1)²; a concept is known at the start with P = ${PRIOR_BY_PART.join(' / ')} × e by the part that first teaches it; mean share known at start ${pct(mean((l) => l.knownAtStart.size / course.concepts.length))}`,
    `- learning: a taught concept becomes known with P = learn rate ${range(TRAITS.learnRate)} per lesson; answers with guess ${GUESS} and slip ${SLIP}; the server's estimate is BKT with the default parameters`,
    `- pace: ${span(TRAITS.pace)} lessons per session (mean ${mean((l) => l.pace).toFixed(1)}), ${span(TRAITS.sessions)} sessions, ${span(TRAITS.gapDays)} days apart; due reviews with P ${range(TRAITS.reviewPropensity)} and quiz retakes ${range(TRAITS.quizPropensity)} before a lesson`,
    `- choice: a goal-serving lesson with P ${range(TRAITS.goalFocus)}, in course order but jumping within the goal parts with P ${range(TRAITS.jumpiness)}; ${count((l) => l.skipsKnown)} learners pass over non-goal lessons they already know (this choice leans on course order by design, which favours that baseline's hit rate)`,
    `- walk: ${m.steps.all} steps (${m.steps.lessons} lessons, ${m.steps.reviews} reviews, ${m.steps.quizzes} quiz retakes)`,
  ].join('\n');
}
