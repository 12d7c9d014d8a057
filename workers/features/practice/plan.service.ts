import { addMeter, LIMIT_PERIOD_SECONDS, type Deps } from '../../deps';
import type { CompletionRates } from './signals.domain';
import { confirmedSession, ofLearner } from '../../http/learner-auth';
import { AppError } from '../../http/problem';
import { rateLimited } from '../../http/rate-limit';
import { applyEvent, appliedOrThrow } from '../learners/learner.client';
import { conceptLevel } from '../mastery/mastery.domain';
import { rankedFor } from '../recommendations/recommend.ranking';
import type { SignalRows, UnplannedDay } from '../learners/learner.object';
import type { Variation } from './practice.schemas';
import { libraryFor } from './practice.library';
import type { plans, StoredPlanItem } from '../learners/learner.schema';
import { dayContext, planDay, type DayInputs, type PastPlan } from './plan.day';
import { learnerTimeZone, localTime, NEW_SHARE, nextBest } from './plan.domain';
import { addDays, localMidnight, weekStart } from './summary.domain';
import { CATEGORIES } from './practice.schemas';
import { PlanSchema, PracticeProfileSchema, type Plan, type PlanFeedbackSchema, type PlanJson } from './plan.schemas';
import type { z } from '@hono/zod-openapi';
import { decide } from '../experiments/experiments.client';
import { inCourse } from '../learners/onboarding.domain';

type PlanDeps = Pick<Deps, 'config' | 'learner' | 'content' | 'practice' | 'recommend' | 'mastery' | 'cache' | 'logger'>;

/** A stored plan row as the API shows it. */
export function planView(row: {
  date: string;
  courseId: string;
  timeZone: string;
  archetype: string;
  mode: string;
  phase: string;
  reasons: unknown;
  items: readonly { status: string; minutes: number; outcome?: { rating?: number; skipReason?: string } }[];
}): Plan {
  // The plan's schema checks and strips each item: parsed once, not item by item and again.
  const items = row.items
    .filter((item) => item.status !== 'swapped')
    .map((item) => ({ ...item, ...item.outcome, status: item.status }));
  return PlanSchema.parse({
    id: `plan_${row.date}`,
    date: row.date,
    course: row.courseId,
    timeZone: row.timeZone,
    archetype: row.archetype,
    mode: row.mode,
    phase: row.phase,
    reasons: row.reasons,
    minutes: items.reduce((sum, i) => sum + i.minutes, 0),
    items,
  });
}

/** What planning reads of the course (see `planCourse`). */
interface PlanCourse {
  /** The library of the course `stamp` names (empty before any push). */
  library: Variation[];
  /** Section headings per lesson slug. */
  sections: Map<string, string[]>;
  /** Titles of the concepts the course assesses. */
  conceptTitles: Map<string, string>;
  /** How often the course's learners completed plan tasks over the last 28 days (similar learners, for the completion chance). */
  completion: CompletionRates;
}

/** Days of the course's task outcomes the completion chance leans on. */
const COMPLETION_DAYS = 28;

/** The course as planning last read it, per isolate, with the stamp it was read at (see COURSE_STAMP_SQL). */
let courseMemo: { stamp: string; course: PlanCourse } | null = null;

/**
 * What planning reads of the course `stamp` names, at `now`: from this isolate's copy when the
 * stamp and the UTC hour match (the course's completion rates move slowly), else read (four D1
 * queries at once).
 */
async function planCourse(deps: PlanDeps, stamp: string, courseId: string | null, now: Date): Promise<PlanCourse> {
  const key = `${stamp}|${courseId ?? ''}|${now.toISOString().slice(0, 13)}`;
  if (courseMemo?.stamp === key) return courseMemo.course;
  const since = new Date(now.getTime() - COMPLETION_DAYS * 86_400_000).toISOString().slice(0, 10);
  const [library, sections, concepts, completion] = await Promise.all([
    libraryFor(deps, courseId).then((l) => l.variations),
    deps.content.lessonSections(),
    deps.mastery.assessedConcepts(courseId ?? undefined),
    courseId ? deps.practice.completionRates(courseId, since) : Promise.resolve({ overall: null, categories: {} }),
  ]);
  const course = { library, sections, conceptTitles: new Map(concepts.map((k) => [k.concept, k.title])), completion };
  courseMemo = { stamp: key, course };
  return course;
}

/** The lesson the learner was active in last (ties and rows without a time: the first), or null. */
function lastLesson(progress: SignalRows['progress']): string | null {
  let last = progress[0];
  for (const p of progress) if (p.lastActivityAt && (!last?.lastActivityAt || p.lastActivityAt > last.lastActivityAt)) last = p;
  return last?.lessonSlug ?? null;
}

/**
 * What the learner model says today, as the planner reads it, from what the learner's
 * object gave (`signals`): the next recommended lesson (with its sections), the lesson
 * they were active in last, due reviews and weak concepts, and the course's library. At
 * most one D1 batch (the ranking's), and the course when this isolate has not read it;
 * the ranking is not offered to the learner (the recommendations route does that).
 */
async function learnerToday(
  deps: PlanDeps,
  input: { learnerId: string; now: Date; signals: SignalRows },
): Promise<{ library: Variation[]; courseId: string | null; learner: DayInputs['learner']; completion: CompletionRates }> {
  const { learnerId, now, signals } = input;
  const recentSlug = lastLesson(signals.progress);
  const context = await deps.recommend.context(signals, now);
  const [ranked, course] = await Promise.all([
    rankedFor(deps, { learnerId, learner: context, allowSkips: false, now }),
    planCourse(deps, context.courseStamp, context.courseId, now),
  ]);
  const next = ranked.items.find((i) => i.kind === 'lesson');
  // A lesson the course no longer has is not one to apply or reflect on.
  const recent = ranked.lessons.find((l) => l.slug === recentSlug);
  const weak = signals.mastery
    .filter((m) => m.courseId === context.courseId)
    .flatMap((m) => {
      const title = course.conceptTitles.get(m.conceptId);
      return title !== undefined && m.attempts > 0 && conceptLevel(m) !== 'mastered' ? [{ ...m, title }] : [];
    })
    .sort((a, b) => a.pKnown - b.pKnown || a.title.localeCompare(b.title));
  return {
    library: course.library,
    courseId: context.courseId,
    completion: course.completion,
    learner: {
      dueReviews: [...context.signals.dueReviews.values()].reduce((sum, n) => sum + n, 0),
      nextLesson: next
        ? { slug: next.lessonSlug, title: next.title, sections: course.sections.get(next.lessonSlug) ?? [] }
        : null,
      recentLesson: recent ? { slug: recent.slug, title: recent.title } : null,
      weakConcepts: weak.slice(0, 5).map((c) => ({ id: c.conceptId, title: c.title, pKnown: c.pKnown })),
      completedLessons: context.signals.completed,
    },
  };
}

/** Past plans as planning reads them (tasks of categories the library no longer has are left out). */
export function pastPlans(rows: readonly { date: string; createdAt: string; items: readonly StoredPlanItem[] }[]): PastPlan[] {
  return rows.map((row) => ({
    date: row.date,
    createdAt: row.createdAt,
    items: row.items.flatMap((item) => {
      const category = CATEGORIES.find((c) => c === item.category);
      return category ? [{ ...item, category }] : [];
    }),
  }));
}

/** What the learner's object gives planning (see `Learner.planning`). */
interface Planning {
  preferences: NonNullable<DayInputs['preferences']> & { timeZone?: string | undefined };
  plans: Parameters<typeof pastPlans>[0];
  activity: string[];
  activeDays: string[];
}

/** The inputs of `planDay` for the learner's local `date`, from what their object gave and what the learner model says. */
function dayInputsOf(
  input: { learnerId: string; now: Date; date: string; hour: number; timeZone: string; dynamic: boolean },
  planning: Planning,
  learner: DayInputs['learner'],
  completion?: CompletionRates,
): DayInputs {
  return {
    completion,
    learnerId: input.learnerId,
    date: input.date,
    hour: input.hour,
    at: input.now.toISOString(),
    timeZone: input.timeZone,
    preferences: planning.preferences,
    plans: pastPlans(planning.plans),
    activity: planning.activity,
    activeDays: planning.activeDays,
    learner,
    dynamic: input.dynamic,
  };
}

/**
 * The learner's plan for their local today (their stored time zone, else `timeZone`,
 * else UTC), in one call to their object: the stored one when the day has one (a
 * revisit returns the same plan), else composed there (`composeDay`) and stored. Two
 * first requests at once store one plan: the first saved wins. The object confirms the
 * token's epoch in the same call (`sessionToCheck`, see `requireLearnerChecking`),
 * answers with the plan as the API shows it, and reports the I/O composing cost, which
 * this request's meter adds.
 */
export async function todaysPlan(
  deps: Pick<Deps, 'learner' | 'meter' | 'config'>,
  input: { learnerId: string; now: Date; timeZone: string | null; sessionToCheck: number | null; requestId: string },
): Promise<PlanJson> {
  const { learnerId, sessionToCheck, requestId } = input;
  const found = await deps.learner(learnerId).todaysPlan(learnerId, input.now.toISOString(), input.timeZone, sessionToCheck, {
    requestId,
    dynamic: deps.config.DYNAMIC_PLANS === 'on',
  });
  if (found === 'rate_limited') throw rateLimited(LIMIT_PERIOD_SECONDS);
  const day = confirmedSession(learnerId, sessionToCheck, found);
  if (day.io) addMeter(deps.meter, day.io);
  if ('problem' in day && day.problem) throw new AppError(day.problem.code, day.problem.detail);
  return day.plan;
}

/**
 * Composes the learner's plan for a day without one, from what their object read
 * (`day`, see `Learner.todaysPlan`): the course's practice library, what the platform
 * knows of them (recommendations, mastery, due reviews) and their past plans. Returns
 * the plan to store and, for the week's first plan, when the weekly summary falls due
 * (the learner is put on the summaries' schedule then). Throws `onboarding_required`
 * before onboarding and `not_found` for a course without a practice library.
 */
export async function composeDay(
  deps: PlanDeps,
  input: { learnerId: string; now: Date; dynamic: boolean },
  day: UnplannedDay,
): Promise<{ plan: typeof plans.$inferInsert; summaryDue: string | null }> {
  const { learnerId, now } = input;
  const { preferences, date, timeZone, signals } = day;
  if (!preferences) {
    throw new AppError('onboarding_required', 'Answer the onboarding questions first: a plan is made for who you are');
  }
  // Flags and experiments may set both; without them, DYNAMIC_PLANS and the planner's own shares.
  // Read beside the learner model, not after it: neither waits on the other.
  const [{ library, courseId, learner, completion }, dynamic, newShare] = await Promise.all([
    learnerToday(deps, { learnerId, now, signals }),
    decide(deps, learnerId, 'plans.dynamic', input.dynamic, now),
    decide(deps, learnerId, 'plans.new_share', NEW_SHARE, now),
  ]);
  if (!courseId || library.length === 0) throw new AppError('not_found', 'This course has no practice library yet');
  const composed = planDay(library, {
    ...dayInputsOf(
      { learnerId, now, date, hour: day.hour, timeZone, dynamic: dynamic.value },
      // The course practised may have preferences of the learner's own (session length, style).
      { ...day, preferences: inCourse(preferences, day.coursePreferences[courseId]) },
      learner,
      completion,
    ),
    newShare: newShare.value,
  });
  const plan = {
    date,
    courseId,
    createdAt: now.toISOString(),
    timeZone,
    archetype: composed.archetype.value,
    mode: composed.mode.value,
    phase: composed.phase.value,
    reasons: {
      archetype: composed.archetype.reason,
      mode: composed.mode.reason,
      phase: composed.phase.reason,
      time: composed.time.reason,
      minutes: composed.minutes.reason,
    },
    items: composed.items.map((item) => ({ ...item, status: 'open' })),
  };
  // A learner with plans is owed a weekly summary when their local week ends.
  const weekPlanned = day.plans.some((p) => p.date >= weekStart(date) && p.date < date);
  return { plan, summaryDue: weekPlanned ? null : localMidnight(addDays(weekStart(date), 7), timeZone) };
}

/**
 * The learner's practice profile today (their local date): category affinity,
 * variety seeking, consistency and streak, preferred time of day and practised session
 * length, each with the evidence behind it, and the archetype and phase they give.
 */
export async function practiceProfileOf(deps: Pick<Deps, 'learner'>, input: { learnerId: string; now: Date }) {
  const { learnerId, now } = input;
  const found = await deps.learner(learnerId).practiceInputs(learnerId, now.toISOString());
  const inputs = ofLearner<NonNullable<typeof found>>(found);
  const { preferences } = inputs;
  if (!preferences)
    throw new AppError('onboarding_required', 'Answer the onboarding questions first: the profile starts from them');
  const timeZone = learnerTimeZone(preferences.timeZone, inputs.plans[0]?.timeZone);
  const { date, hour } = localTime(now, timeZone);
  const day = dayContext(
    dayInputsOf(
      { learnerId, now, date, hour, timeZone, dynamic: true },
      { ...inputs, preferences },
      { dueReviews: 0, nextLesson: null, recentLesson: null, weakConcepts: [], completedLessons: new Set() },
    ),
  );
  return PracticeProfileSchema.parse({
    date,
    timeZone,
    plannedDays: new Set(inputs.plans.filter((p) => p.date < date).map((p) => p.date)).size,
    ...day.profile,
    archetype: day.archetype,
    phase: day.phase,
    mode: day.mode,
  });
}

/** Most swaps in one day's plan. */
export const MAX_SWAPS = 10;

/**
 * Swaps an open task of one of the learner's plans for the next best variation of the
 * same category (see `nextBest`), scored as the plan was (its archetype, mode and
 * phase) with what the learner model says now. 404 for a plan or task the learner does
 * not have; 409 for a task already done, skipped or swapped (also when a concurrent
 * swap came first), when nothing else of its category is left, or after 10 swaps.
 */
export async function swapPlanTask(
  deps: PlanDeps,
  input: { learnerId: string; planId: string; itemId: string; now: Date },
): Promise<Plan> {
  const { learnerId, itemId, now } = input;
  const date = input.planId.slice('plan_'.length);
  const found = await deps.learner(learnerId).swapInputs(learnerId, date, now.toISOString());
  const inputs = ofLearner<NonNullable<typeof found>>(found);
  const { plan, preferences } = inputs;
  const item = plan?.items.find((i) => i.id === itemId);
  if (!plan || !item || !preferences) throw new AppError('not_found', `You have no task ${itemId} in ${input.planId}`);
  if (item.status === 'swapped')
    throw new AppError('conflict', `Task ${itemId} was swapped already: swap the task that replaced it instead`);
  if (item.status !== 'open')
    throw new AppError('conflict', `Task ${itemId} is already ${item.status}: only an open task can be swapped`);
  const swaps = plan.items.filter((i) => i.status === 'swapped').length;
  if (swaps >= MAX_SWAPS)
    throw new AppError('conflict', `This plan has been swapped ${MAX_SWAPS} times today: keep the tasks you have`);
  const today = await learnerToday(deps, { learnerId, now, signals: inputs.signals });
  // A plan of a course replaced since is swapped within that course's library.
  const library = today.courseId === plan.courseId ? today.library : await deps.practice.library(plan.courseId);
  const { ctx } = dayContext(
    dayInputsOf(
      { learnerId, now, date, hour: localTime(now, plan.timeZone).hour, timeZone: plan.timeZone, dynamic: true },
      { ...inputs, preferences: inCourse(preferences, inputs.coursePreferences[plan.courseId]) },
      today.learner,
      today.completion,
    ),
  );
  const kept = plan.items.filter((i) => i.status !== 'swapped' && i.id !== itemId);
  const replacement = nextBest(
    library,
    {
      ...ctx,
      archetype: PlanSchema.shape.archetype.parse(plan.archetype),
      mode: PlanSchema.shape.mode.parse(plan.mode),
      phase: PlanSchema.shape.phase.parse(plan.phase),
    },
    {
      replaced: item,
      groups: new Set(plan.items.map((i) => i.group)),
      minutesLeft: ctx.dailyMinutes - kept.reduce((sum, i) => sum + i.minutes, 0),
      id: `${date}-${plan.items.length + 1}`,
      learns: kept.some((i) => i.category === 'learn'),
    },
  );
  if (!replacement)
    throw new AppError('conflict', `Nothing else of the ${item.category} kind fits today: keep this task or skip it`);
  const saved = await deps
    .learner(learnerId)
    .swapPlanItem(learnerId, date, itemId, { ...replacement, status: 'open' }, now.toISOString());
  const after = ofLearner<NonNullable<typeof saved>>(saved);
  if (after === 'gone' || !after)
    throw new AppError('conflict', `Task ${itemId} changed meanwhile: it was swapped or given feedback`);
  return planView(after);
}

/** Records what the learner did with a task of one of their plans; whether the feedback was new. */
export async function sendPlanFeedback(
  deps: Pick<Deps, 'content' | 'mastery' | 'learner' | 'afterApplied' | 'config'>,
  input: { learnerId: string; planId: string; itemId: string; feedback: z.infer<typeof PlanFeedbackSchema>; now: Date },
) {
  const { learnerId, planId, itemId, feedback, now } = input;
  const outcome = await applyEvent(deps, {
    learnerId,
    receivedAt: now.toISOString(),
    event: {
      type: 'plan.feedback',
      eventId: feedback.eventId,
      occurredAt: feedback.occurredAt ?? now.toISOString(),
      planId,
      itemId,
      outcome: feedback.outcome,
      ...(feedback.skipReason === undefined ? {} : { skipReason: feedback.skipReason }),
      ...(feedback.rating === undefined ? {} : { rating: feedback.rating }),
    },
  });
  const { result } = await appliedOrThrow(deps, learnerId, outcome, `You have no task ${itemId} in ${planId}`);
  return { applied: result === 'applied' };
}
