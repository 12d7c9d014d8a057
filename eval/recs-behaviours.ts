/**
 * The recommendations eval on learners who do not follow the rules the ranker assumes, and an
 * offline replay protocol. `evaluateRecs` simulates one population; here five more walk the same
 * course: skippers (who jump around and ignore their goal), stallers (one lesson a session, long
 * gaps, many retakes), drop-outs (one or two sessions), slow and fast learners. For each, every
 * lesson step of every learner's own walk is ranked by each ranker: hit rate and NDCG at 5 of the
 * lesson taken. The replay protocol treats all these walks as a log: leave-last-out, each
 * learner's last lesson is hidden and ranked from what came before it.
 */
import { loadCourseTree } from '../cli/course-tree';
import { seededRandom } from '../workers/platform/seeded-random';
import { LIST, RANKERS, SAMPLE_COURSE } from './recs';
import { createCoCompletion, createLearner, mix, signalsFor, simCourse, walk, type Learner, type SimCourse } from './recs-sim';

/** How each kind of learner departs from the population `evaluateRecs` draws (uniform ranges). */
export const BEHAVIOURS = {
  skipper: { jumpiness: [0.6, 0.95], goalFocus: [0.1, 0.4] },
  staller: { pace: [1, 1], gapDays: [5, 12], quizPropensity: [0.5, 0.9], reviewPropensity: [0.6, 0.9] },
  'drop-out': { sessions: [1, 2] },
  slow: { learnRate: [0.1, 0.3] },
  fast: { learnRate: [0.9, 1], pace: [3, 5] },
} as const satisfies Record<string, Partial<Record<keyof Learner, readonly [number, number]>>>;
export type Behaviour = keyof typeof BEHAVIOURS;

/** Traits that are whole numbers. */
const WHOLE = new Set<string>(['pace', 'sessions', 'gapDays']);

/** A learner of the base population with the behaviour's traits drawn over it. */
function behaving(course: SimCourse, behaviour: Behaviour, index: number, seed: number): Learner {
  const base = createLearner(course, index, seededRandom(mix(seed, index, 1)));
  const random = seededRandom(mix(seed, index, 7));
  const traits: Record<string, number> = {};
  for (const [trait, [low, high]] of Object.entries(BEHAVIOURS[behaviour]) as [string, readonly [number, number]][]) {
    traits[trait] = WHOLE.has(trait) ? low + Math.floor(random() * (high - low + 1)) : low + (high - low) * random();
  }
  return { ...base, ...traits };
}

export interface RankScores {
  ranker: string;
  steps: number;
  hitRate: number;
  ndcg: number;
}

export interface BehaviourResult {
  behaviour: Behaviour;
  learners: number;
  rankers: RankScores[];
}

/** 1 / log2(1 + rank) for the taken lesson at `rank` (1-based) within the first five, else 0: NDCG@5 with one relevant item. */
const gain = (rank: number) => (rank >= 1 && rank <= LIST ? 1 / Math.log2(1 + rank) : 0);

function tally() {
  return RANKERS.map((r) => ({ ranker: r.name, steps: 0, hits: 0, gain: 0 }));
}

const scores = (t: ReturnType<typeof tally>): RankScores[] =>
  t.map((x) => ({
    ranker: x.ranker,
    steps: x.steps,
    hitRate: x.steps ? x.hits / x.steps : 0,
    ndcg: x.steps ? x.gain / x.steps : 0,
  }));

/** Runs every behaviour on `learners` learners each, and the replay over all their walks. */
export async function evaluateBehaviours(options: { learners?: number; seed?: number; course?: string } = {}) {
  const { learners = 150, seed = 1, course: folder = SAMPLE_COURSE } = options;
  const loaded = await loadCourseTree(folder);
  if (loaded.problems.length > 0) throw new Error(`${folder}: ${loaded.problems.map((p) => p.message).join('; ')}`);
  const course = simCourse(loaded.manifest);
  const replay = tally();
  const results: BehaviourResult[] = [];
  for (const [b, behaviour] of (Object.keys(BEHAVIOURS) as Behaviour[]).entries()) {
    const pairs = createCoCompletion();
    const perStep = tally();
    for (let i = 0; i < learners; i++) {
      const learner = behaving(course, behaviour, i, mix(seed, 100 + b));
      let last: { rank: (r: number) => number } | null = null;
      let step = 0;
      const state = walk(course, learner, seededRandom(mix(seed, 100 + b, i, 2)), (now, action) => {
        if (action.kind !== 'lesson') return;
        const signals = signalsFor(course, learner, now, pairs.collaborative(now.completed));
        const lists = RANKERS.map((ranker) =>
          ranker
            .rank({ course, signals, pairs, seed: mix(seed, 100 + b, i, step) })
            .filter((item) => item.kind === 'lesson')
            .map((item) => item.lessonSlug),
        );
        const rank = (r: number) => (lists[r]?.indexOf(action.lessonSlug) ?? -1) + 1;
        lists.forEach((_, r) => {
          const t = perStep[r];
          if (!t) return;
          t.steps += 1;
          t.hits += gain(rank(r)) > 0 ? 1 : 0;
          t.gain += gain(rank(r));
        });
        last = { rank };
        step += 1;
      });
      // Leave-last-out: the learner's last lesson, ranked from what came before it.
      const held = last as { rank: (r: number) => number } | null;
      if (held) {
        replay.forEach((t, r) => {
          t.steps += 1;
          t.hits += gain(held.rank(r)) > 0 ? 1 : 0;
          t.gain += gain(held.rank(r));
        });
      }
      pairs.add(state);
    }
    results.push({ behaviour, learners, rankers: scores(perStep) });
  }
  return { behaviours: results, replay: scores(replay), report: report(results, scores(replay), learners, seed) };
}

function report(results: BehaviourResult[], replay: RankScores[], learners: number, seed: number): string {
  const f = (x: number) => x.toFixed(3);
  const names = RANKERS.map((r) => r.name);
  return [
    `## Learners who do not follow the rules (${learners} per behaviour, seed ${seed})`,
    '',
    'Hit rate@5 / NDCG@5 of the lesson each learner took next, over every lesson step of their own walk.',
    '',
    `| behaviour | lesson steps | ${names.join(' | ')} |`,
    `|---|---:|${names.map(() => '---:').join('|')}|`,
    ...results.map(
      (r) =>
        `| ${r.behaviour} | ${r.rankers[0]?.steps ?? 0} | ${r.rankers.map((x) => `${f(x.hitRate)} / ${f(x.ndcg)}`).join(' | ')} |`,
    ),
    '',
    `## Offline replay, leave-last-out (${replay[0]?.steps ?? 0} learners' last lessons, all behaviours)`,
    '',
    '| ranker | hit rate@5 | NDCG@5 |',
    '|---|---:|---:|',
    ...replay.map((x) => `| ${x.ranker} | ${f(x.hitRate)} | ${f(x.ndcg)} |`),
  ].join('\n');
}
