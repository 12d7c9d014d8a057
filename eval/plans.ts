/**
 * `npm run eval -- plans [--learners N] [--days D] [--seed S]`: daily practice plans on a
 * simulated population (see `plans-sim.ts`) over D days, for three planners: ours
 * (`planDay`, dynamic), the fixed plan (`dynamic: false`) and a random one (3 to 6
 * variations that bind, roughly fitting the daily minutes). Each day a planner sees only
 * what the API would: stated preferences, past plans with their outcomes, activity, active
 * days and the learner model. Each learner lives the same days (skips, time of day, minutes)
 * under every planner; only the plans differ. Same seed, same report.
 */
import { fileURLToPath } from 'node:url';
import { loadCourseTree } from '../cli/course-tree';
import { loadPracticeLibrary } from '../cli/practice';
import { MASTERY_THRESHOLDS } from '../workers/features/mastery/mastery.bkt';
import { predictionScores } from '../workers/features/mastery/mastery.scores';
import { COURSE_RATE_MIN } from '../workers/features/practice/practice.store';
import type { CompletionRates } from '../workers/features/practice/signals.domain';
import { planDay, type DayInputs, type PastPlan } from '../workers/features/practice/plan.day';
import {
  bind,
  NEW_SHARE,
  PLAN_ITEMS,
  ROTATION_HOURS,
  timeOfDay,
  type Category,
  type Phase,
  type PlanItem,
} from '../workers/features/practice/plan.domain';
import type { Variation } from '../workers/features/practice/practice.schemas';
import { seededRandom } from '../workers/platform/seeded-random';
import {
  PLAN_TRAITS,
  createPlanLearner,
  drawDay,
  forget,
  learn,
  learnerModel,
  startKnowledge,
  work,
  type SkipReason,
} from './plans-sim';
import { simCourse, type SimCourse } from './recs-sim';

const SAMPLE_COURSE = fileURLToPath(new URL('../seeds/course', import.meta.url));
const SAMPLE_LIBRARY = fileURLToPath(new URL('../seeds/practice', import.meta.url));
/** Day 0 is a Monday. */
const START = Date.parse('2026-01-05T00:00:00Z');
const DAY_MS = 86_400_000;
const PHASES: readonly Phase[] = ['discovery', 'establishment', 'mastery'];
/** How a plan says a repeat was the only choice left (see `composePlan`'s reasons). */
const FLAGGED_REPEAT = /nothing else of its category fits/;

export interface PlansOptions {
  /** Simulated learners (default 500). */
  learners?: number;
  /** Days simulated (default 28). */
  days?: number;
  seed?: number;
  course?: string;
  library?: string;
}

interface Planner {
  name: string;
  /** The day's tasks, and the phase the plan reports (null: bucket by day). */
  plan: (input: DayInputs, random: () => number) => { items: PlanItem[]; phase: Phase | null };
}

export interface PlannerMetrics {
  planner: string;
  plans: number;
  tasks: number;
  minutes: number;
  completed: number;
  skipped: Record<SkipReason, number>;
  leftOpen: number;
  /** Mean rating of completed tasks (as the learner felt it, told or not). */
  meanRating: number;
  /** Mean over planned tasks: the rating when completed, 1 when not. */
  satisfaction: number;
  practisedDays: number;
  /** Share of learners with 3 or more distinct variations in every week they had a plan. */
  variedLearners: number;
  /** Share of learner-weeks with a plan that had 3 or more distinct variations. */
  variedWeeks: number;
  repeats: number;
  unflaggedRepeats: number;
  newShare: Record<Phase, { share: number; tasks: number }>;
  /** Per learner: mean gain of P(known) over the course's concepts, concepts newly mastered, lessons completed. */
  /** Per category: tasks planned and completion. */
  categories: Partial<Record<Category, { tasks: number; completion: number }>>;
  /** Per week of the run: completion and mean rating of completed tasks. */
  weeks: { completion: number; meanRating: number }[];
  gain: number;
  practising: number;
  mastered: number;
  lessons: number;
  /** The completion chance the planner gave each task, against whether it was completed (days the learner opened the plan); null for a planner that gives none. */
  engagement: { tasks: number; auc: number | null; logLoss: number; meanPredicted: number; observed: number } | null;
}

/** The baseline: 3 to 6 random variations that bind, of distinct groups, within 120% of the daily minutes when it can. */
function randomPlan(library: readonly Variation[], input: DayInputs, random: () => number): PlanItem[] {
  const budget = 1.2 * (input.preferences.dailyMinutes ?? input.preferences.sessionMinutes);
  const want = PLAN_ITEMS.min + Math.floor(random() * (PLAN_ITEMS.max - PLAN_ITEMS.min + 1));
  const open = library.flatMap((v) => {
    const bound = bind(v, { ...input.learner, learnerId: input.learnerId, date: input.date });
    return bound ? [{ v, binding: bound.binding, key: random() }] : [];
  });
  open.sort((a, b) => a.key - b.key);
  const picked: typeof open = [];
  const fits = (c: (typeof open)[number], limit: number) =>
    !picked.some((p) => p.v.group === c.v.group) && picked.reduce((sum, p) => sum + p.v.minutes, c.v.minutes) <= limit;
  for (const c of open) if (picked.length < want && fits(c, budget)) picked.push(c);
  // A short day still gets three tasks: the shortest left.
  for (const c of [...open].sort((a, b) => a.v.minutes - b.v.minutes)) {
    if (picked.length < PLAN_ITEMS.min && fits(c, Infinity)) picked.push(c);
  }
  return picked.map(({ v, binding }, i) => ({
    id: `${input.date}-${i + 1}`,
    category: v.category,
    variationId: v.id,
    group: v.group,
    title: v.title,
    instructions: v.instructions,
    minutes: v.minutes,
    reasons: ['Picked at random'],
    binding,
    completes: v.completes,
  }));
}

function planners(library: readonly Variation[]): Planner[] {
  return [
    {
      name: 'ours (planDay, dynamic)',
      plan: (input) => {
        const day = planDay(library, { ...input, dynamic: true });
        return { items: day.items, phase: day.phase.value };
      },
    },
    {
      name: 'fixed (dynamic: false)',
      plan: (input) => ({ items: planDay(library, { ...input, dynamic: false }).items, phase: null }),
    },
    { name: 'random', plan: (input, random) => ({ items: randomPlan(library, input, random), phase: null }) },
  ];
}

/** A stable 32-bit seed from several integers (FNV-1a over their values). */
const mix = (...parts: number[]) => parts.reduce((h, p) => Math.imul(h ^ (p >>> 0), 0x01000193) >>> 0, 0x811c9dc5);

const phaseByDay = (day: number): Phase => (day < 7 ? 'discovery' : day < 21 ? 'establishment' : 'mastery');

function createTally(planner: string) {
  return {
    planner,
    plans: 0,
    tasks: 0,
    minutes: 0,
    completed: 0,
    skipped: { no_time: 0, too_hard: 0, too_easy: 0, not_interested: 0 } as Record<SkipReason, number>,
    leftOpen: 0,
    ratingSum: 0,
    satisfactionSum: 0,
    practisedDays: 0,
    learners: 0,
    variedLearners: 0,
    weeks: 0,
    variedWeeks: 0,
    repeats: 0,
    unflaggedRepeats: 0,
    fresh: Object.fromEntries(PHASES.map((p) => [p, { fresh: 0, tasks: 0 }])) as Record<Phase, { fresh: number; tasks: number }>,
    byCategory: {} as Partial<Record<Category, { tasks: number; completed: number }>>,
    byWeek: [] as { tasks: number; completed: number; ratingSum: number }[],
    /** Every learner's task outcomes so far, per category (what the course's completion rates are read from). */
    course: {} as Partial<Record<Category, { done: number; skipped: number }>>,
    predicted: [] as number[],
    outcome: [] as boolean[],
    gain: 0,
    practising: 0,
    mastered: 0,
    lessons: 0,
  };
}
type Tally = ReturnType<typeof createTally>;

/** One learner's days under one planner. */
function live(
  ctx: { course: SimCourse; library: readonly Variation[]; byId: ReadonlyMap<string, Variation>; seed: number; days: number },
  index: number,
  planner: Planner,
  t: Tally,
): void {
  const { course, library, byId, seed } = ctx;
  const learner = createPlanLearner(index, library, course, seededRandom(mix(seed, index, 1)));
  const k = startKnowledge(course, learner, seededRandom(mix(seed, index, 2)));
  const plans: PastPlan[] = [];
  const createdAt: number[] = [];
  // One instant per session (local date and time of day) is all the profile reads of activity.
  const activity = new Map<string, string>();
  const activeDays = new Set<string>();
  const done = new Set<string>();
  const groupsDone = new Map<number, Set<string>>();
  const weeks = new Map<number, Set<string>>();
  let mood = 0;
  for (let day = 0; day < ctx.days; day++) {
    if (day > 0) forget(k);
    const date = new Date(START + day * DAY_MS);
    const weekend = date.getUTCDay() === 0 || date.getUTCDay() === 6;
    const d = drawDay(learner, weekend, mood, seededRandom(mix(seed, index, 3, day)));
    if (d.skipped && !d.opens) continue;
    const at = START + day * DAY_MS + (d.hour * 60 + d.minute) * 60_000;
    const { items, phase } = planner.plan(
      {
        learnerId: learner.id,
        date: date.toISOString().slice(0, 10),
        hour: d.hour,
        at: new Date(at).toISOString(),
        timeZone: 'UTC',
        preferences: learner.stated,
        plans,
        activity: [...activity.values()],
        activeDays: [...activeDays],
        learner: learnerModel(course, k, day),
        dynamic: false,
        completion: courseRates(t.course),
      },
      seededRandom(mix(seed, index, 4, day)),
    );

    t.plans += 1;
    t.tasks += items.length;
    t.minutes += items.reduce((sum, i) => sum + i.minutes, 0);
    const recent = plans.filter((_, i) => (createdAt[i] ?? 0) > at - ROTATION_HOURS * 3_600_000);
    for (const item of items) {
      if (!recent.some((p) => p.items.some((i) => i.group === item.group))) continue;
      t.repeats += 1;
      if (!item.reasons.some((r) => FLAGGED_REPEAT.test(r))) t.unflaggedRepeats += 1;
    }
    const bucket = t.fresh[phase ?? phaseByDay(day)];
    bucket.tasks += items.length;
    bucket.fresh += items.filter((i) => !done.has(i.variationId)).length;
    const week = weeks.get(Math.floor(day / 7)) ?? new Set<string>();
    items.forEach((i) => week.add(i.variationId));
    weeks.set(Math.floor(day / 7), week);

    const outcomes = d.skipped
      ? items.map(() => ({ status: 'open' as const, rating: 1, rated: false }))
      : work(
          learner,
          k,
          items,
          d,
          { done, groupsDone: [groupsDone.get(day - 1) ?? new Set(), groupsDone.get(day - 2) ?? new Set()] },
          byId,
          seededRandom(mix(seed, index, 5, day)),
        );
    const w = (t.byWeek[Math.floor(day / 7)] ??= { tasks: 0, completed: 0, ratingSum: 0 });
    w.tasks += items.length;
    let clock = at;
    let feel = 0;
    const today = new Set<string>();
    outcomes.forEach((o, i) => {
      const item = items[i];
      if (!item) return;
      const c = (t.byCategory[item.category] ??= { tasks: 0, completed: 0 });
      c.tasks += 1;
      if (o.status === 'completed') c.completed += 1;
      if (!d.skipped && item.completionChance !== undefined) {
        t.predicted.push(item.completionChance);
        t.outcome.push(o.status === 'completed');
      }
      // The course's rollup counts explicit outcomes (done or skipped), as the platform's does.
      if (o.status !== 'open') {
        const r = (t.course[item.category] ??= { done: 0, skipped: 0 });
        if (o.status === 'completed') r.done += 1;
        else r.skipped += 1;
      }
      if (o.status === 'open') {
        t.leftOpen += 1;
        t.satisfactionSum += 1;
        feel -= 0.2;
        return;
      }
      clock += (o.status === 'completed' ? item.minutes : 1) * 60_000;
      const iso = new Date(clock).toISOString();
      activity.set(`${iso.slice(0, 10)}|${timeOfDay(new Date(clock).getUTCHours())}`, iso);
      activeDays.add(iso.slice(0, 10));
      if (o.status === 'skipped') {
        t.skipped[o.skipReason ?? 'not_interested'] += 1;
        t.satisfactionSum += 1;
        feel -= o.skipReason === 'no_time' ? 0.2 : 0.5;
        return;
      }
      t.completed += 1;
      t.ratingSum += o.rating;
      w.completed += 1;
      w.ratingSum += o.rating;
      t.satisfactionSum += o.rating;
      feel += (o.rating - 3) / 2;
      learn(course, learner, k, item, day);
      done.add(item.variationId);
      today.add(item.group);
    });
    if (today.size > 0) t.practisedDays += 1;
    groupsDone.set(day, today);
    mood = 0.7 * mood + 0.3 * Math.max(-1, Math.min(1, items.length ? feel / items.length : 0));
    createdAt.push(at);
    plans.push({
      date: date.toISOString().slice(0, 10),
      createdAt: new Date(at).toISOString(),
      items: items.map((item, i) => {
        const o = outcomes[i];
        const outcome = {
          ...(o?.rated ? { rating: o.rating } : {}),
          ...(o?.status === 'skipped' && o.skipReason ? { skipReason: o.skipReason } : {}),
        };
        return {
          variationId: item.variationId,
          category: item.category,
          group: item.group,
          difficulty: item.difficulty,
          minutes: item.minutes,
          status: o?.status ?? 'open',
          outcome,
        };
      }),
    });
  }
  t.learners += 1;
  const varied = [...weeks.values()].filter((w) => w.size >= 3).length;
  t.weeks += weeks.size;
  t.variedWeeks += varied;
  if (weeks.size > 0 && varied === weeks.size) t.variedLearners += 1;
  let gain = 0;
  for (const c of course.concepts) {
    const [before, after] = [k.start.get(c) ?? 0, k.pKnown.get(c) ?? 0];
    gain += after - before;
    const reached = (threshold: number) => after >= threshold && before < threshold;
    if (reached(MASTERY_THRESHOLDS.practising)) t.practising += 1;
    if (reached(MASTERY_THRESHOLDS.mastered)) t.mastered += 1;
  }
  t.gain += gain / course.concepts.length;
  t.lessons += k.completed.size;
}

/** Runs the evaluation; returns the markdown report and the numbers behind it. */
export async function evaluatePlans(
  options: PlansOptions = {},
): Promise<{ report: string; metrics: { learners: number; days: number; seed: number; planners: PlannerMetrics[] } }> {
  const { learners = 500, days = 28, seed = 1, course: folder = SAMPLE_COURSE, library: dir = SAMPLE_LIBRARY } = options;
  if (!Number.isInteger(learners) || learners < 1) throw new RangeError('learners must be a positive integer');
  if (!Number.isInteger(days) || days < 1) throw new RangeError('days must be a positive integer');
  if (!Number.isInteger(seed)) throw new RangeError('seed must be an integer');
  const [loaded, practice] = await Promise.all([loadCourseTree(folder), loadPracticeLibrary(dir)]);
  const problems = [...loaded.problems, ...practice.problems];
  if (problems.length > 0) throw new Error(problems.map((p) => `${p.file}:${p.line}: ${p.message}`).join('; '));
  const ctx = {
    course: simCourse(loaded.manifest),
    library: practice.variations,
    byId: new Map(practice.variations.map((v) => [v.id, v])),
    seed,
    days,
  };
  const results = planners(practice.variations).map((planner) => {
    const t = createTally(planner.name);
    for (let i = 0; i < learners; i++) live(ctx, i, planner, t);
    return metricsOf(t);
  });
  const metrics = { learners, days, seed, planners: results };
  return { report: report(ctx.course, practice.variations, metrics), metrics };
}

function metricsOf(t: Tally): PlannerMetrics {
  const ratio = (n: number, d: number) => (d === 0 ? 0 : n / d);
  return {
    planner: t.planner,
    plans: t.plans,
    tasks: t.tasks,
    minutes: t.minutes,
    completed: t.completed,
    skipped: t.skipped,
    leftOpen: t.leftOpen,
    meanRating: ratio(t.ratingSum, t.completed),
    satisfaction: ratio(t.satisfactionSum, t.tasks),
    practisedDays: t.practisedDays,
    variedLearners: ratio(t.variedLearners, t.learners),
    variedWeeks: ratio(t.variedWeeks, t.weeks),
    repeats: t.repeats,
    unflaggedRepeats: t.unflaggedRepeats,
    newShare: Object.fromEntries(
      PHASES.map((p) => [p, { share: ratio(t.fresh[p].fresh, t.fresh[p].tasks), tasks: t.fresh[p].tasks }]),
    ) as PlannerMetrics['newShare'],
    categories: Object.fromEntries(
      Object.entries(t.byCategory).map(([category, c]) => [
        category,
        { tasks: c.tasks, completion: ratio(c.completed, c.tasks) },
      ]),
    ),
    weeks: t.byWeek.map((w) => ({ completion: ratio(w.completed, w.tasks), meanRating: ratio(w.ratingSum, w.completed) })),
    gain: ratio(t.gain, t.learners),
    practising: ratio(t.practising, t.learners),
    mastered: ratio(t.mastered, t.learners),
    lessons: ratio(t.lessons, t.learners),
    engagement: engagementOf(t.predicted, t.outcome),
  };
}

/** The course's completion rates from every learner's outcomes so far, as `PracticeStore.completionRates` reads them. */
function courseRates(counts: Tally['course']): CompletionRates {
  const share = (done: number, skipped: number) => (done + skipped >= COURSE_RATE_MIN ? done / (done + skipped) : null);
  const categories: CompletionRates['categories'] = {};
  let done = 0;
  let skipped = 0;
  for (const [category, c] of Object.entries(counts) as [Category, { done: number; skipped: number }][]) {
    const rate = share(c.done, c.skipped);
    if (rate !== null) categories[category] = rate;
    done += c.done;
    skipped += c.skipped;
  }
  return { overall: share(done, skipped), categories };
}

function engagementOf(predicted: readonly number[], outcome: readonly boolean[]): PlannerMetrics['engagement'] {
  if (predicted.length === 0) return null;
  const scores = predictionScores(predicted, outcome);
  const mean = (list: readonly number[]) => list.reduce((a, b) => a + b, 0) / list.length;
  return {
    tasks: predicted.length,
    auc: Number.isFinite(scores.auc) ? scores.auc : null,
    logLoss: scores.logLoss,
    meanPredicted: mean(predicted),
    observed: outcome.filter(Boolean).length / outcome.length,
  };
}

function report(
  course: SimCourse,
  library: readonly Variation[],
  m: { learners: number; days: number; seed: number; planners: PlannerMetrics[] },
): string {
  const f = (n: number, digits = 2) => n.toFixed(digits);
  const pct = (n: number) => `${(100 * n).toFixed(0)}%`;
  const range = ([low, high]: readonly [number, number]) => `U(${low}, ${high})`;
  const target = (p: Phase) => pct(NEW_SHARE[p]);
  return [
    `Daily practice plans: ${m.learners} simulated learners × ${m.days} days, ${library.length} variations, the sample course (${course.lessons.length} lessons, ${course.concepts.length} concepts), seed ${m.seed}`,
    '',
    '| planner | plans | tasks / plan | minutes / plan | completion | mean rating (completed) | satisfaction (skips and open as 1) | days practised / learner | ΔP(known) / concept | concepts newly ≥ 0.7 / learner | lessons / learner |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...m.planners.map(
      (p) =>
        `| ${p.planner} | ${p.plans} | ${f(p.tasks / p.plans, 1)} | ${f(p.minutes / p.plans, 1)} | ${pct(p.completed / p.tasks)} | ${f(p.meanRating)} | ${f(p.satisfaction)} | ${f(p.practisedDays / m.learners, 1)} | ${f(p.gain, 3)} | ${f(p.practising, 1)} | ${f(p.lessons, 1)} |`,
    ),
    '',
    `| planner | ≥ 3 distinct variations every week (target ≥ 80%) | learner-weeks with ≥ 3 | group repeats within ${ROTATION_HOURS} h | unflagged repeats (target 0) | new: discovery (target ${target('discovery')}) | new: establishment (target ${target('establishment')}) | new: mastery (target ${target('mastery')}) |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...m.planners.map(
      (p) =>
        `| ${p.planner} | ${pct(p.variedLearners)} | ${pct(p.variedWeeks)} | ${p.repeats} | ${p.unflaggedRepeats} | ${PHASES.map((phase) => `${pct(p.newShare[phase].share)} (${p.newShare[phase].tasks})`).join(' | ')} |`,
    ),
    '',
    `Skips per planner (no time / too hard / too easy / not interested / left open): ${m.planners.map((p) => `${p.planner} ${p.skipped.no_time} / ${p.skipped.too_hard} / ${p.skipped.too_easy} / ${p.skipped.not_interested} / ${p.leftOpen}`).join('; ')}.`,
    `Completion and mean rating by week: ${m.planners.map((p) => `${p.planner} ${p.weeks.map((w) => `${pct(w.completion)} ${f(w.meanRating)}`).join(', ')}`).join('; ')}.`,
    'New = a variation the learner had not completed before. Ours is bucketed by the phase its plan reports (in brackets: tasks in that phase); the others by day (1–7, 8–21, 22+).',
    `A repeat is a task whose variation group was in a plan made less than ${ROTATION_HOURS} hours before; flagged when the plan says nothing else of its category fitted.`,
    `Mastery: ΔP(known) is the mean gain over every concept of the course; ≥ 0.7 is the practising band; newly mastered (≥ 0.95) per learner: ${m.planners.map((p) => `${p.planner} ${f(p.mastered)}`).join(', ')}.`,
    '',
    "Engagement prediction: the completion chance each planned task got when its plan was made (the learner's history and the course's, nothing of the day's outcome), against whether it was completed, on days the learner opened the plan:",
    '',
    '| planner | tasks | AUC | log-loss | mean predicted | observed completion |',
    '|---|---:|---:|---:|---:|---:|',
    ...m.planners.flatMap((p) =>
      p.engagement
        ? [
            `| ${p.planner} | ${p.engagement.tasks} | ${p.engagement.auc === null ? 'n/a' : f(p.engagement.auc, 3)} | ${f(p.engagement.logLoss, 3)} | ${f(p.engagement.meanPredicted)} | ${f(p.engagement.observed)} |`,
          ]
        : [],
    ),
    '',
    'Population (hidden from the planners unless marked stated):',
    `- stated: session minutes one of ${PLAN_TRAITS.statedMinutes.join(', ')}; style and goal parts at random; ${pct(PLAN_TRAITS.statesTime)} state a preferred time of day (${pct(PLAN_TRAITS.statesTimeRight)} of them the time they practise most, else one at random)`,
    `- minutes really there: stated × ${range(PLAN_TRAITS.honesty)}, × ${range(PLAN_TRAITS.weekendMinutes)} at weekends, × log-normal(0, 0.3) per day; tasks that no longer fit are skipped for lack of time`,
    `- days: P(skipping a day) ${range(PLAN_TRAITS.skipDay)}, plus ${range(PLAN_TRAITS.weekendSkip)} at weekends, up after plans that went badly; on a skipped day some open the plan and leave it`,
    `- time of day: a main time (P morning/afternoon/evening/night ${PLAN_TRAITS.mainTime.join('/')}) taking 55–90% of sessions, most of the rest a second time; alertness ${range(PLAN_TRAITS.alertness)} per time of day weighs against long and hard tasks`,
    `- liking: per category N(0, ${PLAN_TRAITS.liking}), per variation group N(0, ${PLAN_TRAITS.groupTaste}) plus per variation N(0, ${PLAN_TRAITS.variationTaste}); variety appetite ${range(PLAN_TRAITS.variety)} (new variations +0.6 × it, done ones −0.3 × it); a group completed yesterday −0.7, two days ago −0.3; difficulty above the learner's level (1.5–4, rising with lessons) −0.8 per step past 0.5`,
    '- a task is completed with P = σ(1.2 + 1.6 × utility) (utility: the above plus N(0, 0.6) noise); its rating is round(3 + 1.1 × utility + N(0, 0.5)) in 1–5, told 85% of the time',
    `- knowledge: a learn task completes (or reads a third of) the next lesson in course order, which sets review cards due the next day; reviews, practice, apply, reflect and warm-up raise P(known) of their concepts (learn rate ${range(PLAN_TRAITS.learnRate)}); 1% forgotten a day`,
  ].join('\n');
}
