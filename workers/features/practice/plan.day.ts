import {
  archetypeOf,
  composePlan,
  fixedPlan,
  modeOf,
  phaseOf,
  ROTATION_HOURS,
  timeOfDay,
  type Archetype,
  type Chosen,
  type Mode,
  type Phase,
  type PlanContext,
  type PlanItem,
  type TimeOfDay,
} from './plan.domain';
import type { Variation } from './practice.schemas';
import { CONSISTENCY_DAYS, practiceProfile, type PracticeProfile, type ProfilePlan } from './profile.domain';
import { answeredTasks, practiceSignals, type CompletionRates } from './signals.domain';

/** A past plan as planning reads it: its tasks with their groups (rotation) and when it was made. */
export interface PastPlan extends ProfilePlan {
  createdAt: string;
  items: readonly (ProfilePlan['items'][number] & { group: string })[];
}

/** Everything that decides a learner's plan for one local date. */
export interface DayInputs {
  learnerId: string;
  /** The local date and hour the plan is made at, and the instant (ISO). */
  date: string;
  hour: number;
  at: string;
  timeZone: string;
  preferences: {
    sessionMinutes: number;
    style: string;
    goals: readonly string[];
    dailyMinutes?: number | undefined;
    preferredTime?: TimeOfDay | undefined;
  };
  /** Past plans (any order; the last 90 are plenty). */
  plans: readonly PastPlan[];
  /** When the learner was active (ISO instants of their events), for the time of day they practise. */
  activity: readonly string[];
  /** Days with any activity (YYYY-MM-DD), for the mode. */
  activeDays: readonly string[];
  /** What the learner model says today. */
  learner: Pick<PlanContext, 'dueReviews' | 'nextLesson' | 'recentLesson' | 'weakConcepts' | 'completedLessons'>;
  /** `DYNAMIC_PLANS` (or the `plans.dynamic` flag): off gives the fixed plan. */
  dynamic: boolean;
  /** Share of new variations per phase (the `plans.new_share` flag); the planner's own without one. */
  newShare?: PlanContext['newShare'];
  /** How often the course's learners completed plan tasks lately (the completion chance leans on it); absent: a default. */
  completion?: CompletionRates | undefined;
}

export interface DayPlan {
  /** Minutes the plan is made for. */
  minutes: Chosen<number>;
  archetype: Chosen<Archetype>;
  mode: Chosen<Mode>;
  phase: Chosen<Phase>;
  time: Chosen<TimeOfDay>;
  items: PlanItem[];
  profile: PracticeProfile;
}

/** Tasks skipped for lack of time in the last 14 days before the planner shortens plans. */
const NO_TIME_SKIPS = 3;

/**
 * The minutes a day's plan is made for: the learner's daily minutes, unless their
 * plans keep running past their time (3 or more tasks skipped for lack of time in the
 * last 14 days, and practised days averaging under 80% of the minutes): then a fifth
 * more than they do practise, at least 10.
 */
export function minutesFor(stated: number, plans: readonly PastPlan[], profile: PracticeProfile, date: string): Chosen<number> {
  const from = new Date(Date.parse(`${date}T00:00:00Z`) - CONSISTENCY_DAYS * 86_400_000).toISOString().slice(0, 10);
  const skips = plans
    .filter((p) => p.date >= from && p.date < date)
    .flatMap((p) => p.items)
    .filter((i) => i.status === 'skipped' && i.outcome?.skipReason === 'no_time').length;
  const practised = profile.sessionMinutes.value;
  if (skips >= NO_TIME_SKIPS && practised !== null && practised < 0.8 * stated) {
    const value = Math.min(stated, Math.max(10, Math.ceil(practised * 1.2)));
    return {
      value,
      reason: `${skips} tasks skipped for time lately, and you practise about ${practised} minutes: planned for ${value} of your ${stated}`,
    };
  }
  return { value: stated, reason: `Your ${stated} minutes a day` };
}

/**
 * What the planner knows of the learner on one local date, from their preferences,
 * past plans and the learner model. The practice profile (from past plans and
 * activity) refines the archetype (practised session length, variety seeking) and
 * steps the phase back when consistency collapses. Tasks are scored for the time of
 * day the learner practises: the one they chose, else the one they practise at most,
 * else the time of the request.
 */
export function dayContext(input: DayInputs): Omit<DayPlan, 'items'> & { ctx: PlanContext } {
  const { preferences, date } = input;
  const before = input.plans.filter((p) => p.date < date);
  const profile = practiceProfile(input.plans, input.activity, date, input.timeZone);
  const archetype = archetypeOf(preferences, {
    sessionMinutes: profile.sessionMinutes.value,
    varietySeeking: profile.varietySeeking.value,
  });
  const mode = modeOf(input.activeDays, date);
  const phase = phaseOf(new Set(before.map((p) => p.date)).size, profile.consistency.value);
  const time: Chosen<TimeOfDay> = preferences.preferredTime
    ? { value: preferences.preferredTime, reason: `You chose to practise in the ${preferences.preferredTime}` }
    : profile.preferredTime.value
      ? { value: profile.preferredTime.value, reason: `You practise most in the ${profile.preferredTime.value}` }
      : { value: timeOfDay(input.hour), reason: 'The time of day you opened the plan' };
  const minutes = minutesFor(preferences.dailyMinutes ?? preferences.sessionMinutes, before, profile, date);
  const since = Date.parse(input.at) - ROTATION_HOURS * 3_600_000;
  const groupsUsedAt = new Map<string, string>();
  for (const plan of input.plans) {
    if (Date.parse(plan.createdAt) <= since) continue;
    for (const item of plan.items) {
      if ((groupsUsedAt.get(item.group) ?? '') < plan.createdAt) groupsUsedAt.set(item.group, plan.createdAt);
    }
  }
  const signals = practiceSignals(answeredTasks(before), input.completion);
  const ctx: PlanContext = {
    learnerId: input.learnerId,
    date,
    at: input.at,
    time: time.value,
    archetype: archetype.value,
    mode: mode.value,
    phase: phase.value,
    dailyMinutes: minutes.value,
    ...input.learner,
    groupsUsedAt,
    signals,
    ...(input.newShare ? { newShare: input.newShare } : {}),
  };
  return { minutes, archetype, mode, phase, time, profile, ctx };
}

/** A learner's plan for one local date (see `dayContext`); with `dynamic` off, the fixed plan (due reviews and the next lesson). */
export function planDay(library: readonly Variation[], input: DayInputs): DayPlan {
  const { ctx, ...day } = dayContext(input);
  return { ...day, items: input.dynamic ? composePlan(library, ctx) : fixedPlan(library, ctx) };
}
