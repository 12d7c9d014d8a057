import type { Deps } from '../../deps';
import { ofLearner } from '../../http/learner-auth';
import { AppError } from '../../http/problem';
import { progressOverview } from '../events/progress.reads';
import { applyEvent, appliedOrThrow } from '../learners/learner.client';
import { conceptMastery, dueReviews } from '../mastery/mastery.reads';
import { recommendationsFor } from '../recommendations/recommend.ranking';
import { archetypeOf, composePlan, localTime, modeOf, phaseOf, practiceSignals, ROTATION_HOURS, timeOfDay } from './plan.domain';
import { CATEGORIES } from './practice.schemas';
import { PlanItemSchema, PlanSchema, type Plan, type PlanFeedbackSchema } from './plan.schemas';
import type { z } from '@hono/zod-openapi';

type PlanDeps = Pick<Deps, 'learner' | 'content' | 'practice' | 'recommend' | 'cache' | 'mastery' | 'outline'>;

/** A stored plan row as the API shows it. */
function planView(row: {
  date: string;
  timeZone: string;
  archetype: string;
  mode: string;
  phase: string;
  reasons: unknown;
  items: readonly unknown[];
}): Plan {
  const items = row.items.map((item) => PlanItemSchema.parse(item));
  return PlanSchema.parse({
    id: `plan_${row.date}`,
    date: row.date,
    timeZone: row.timeZone,
    archetype: row.archetype,
    mode: row.mode,
    phase: row.phase,
    reasons: row.reasons,
    minutes: items.reduce((sum, i) => sum + i.minutes, 0),
    items,
  });
}

/**
 * The learner's plan for their local today: the stored one when the day has one (a
 * revisit returns the same plan), else composed from the course's practice library and
 * what the platform knows of them (recommendations, mastery, due reviews, past plans)
 * and stored. Two first requests at once store one plan: the first saved wins.
 */
export async function todaysPlan(deps: PlanDeps, input: { learnerId: string; now: Date; timeZone: string }): Promise<Plan> {
  const { learnerId, now, timeZone } = input;
  const { date, hour } = localTime(now, timeZone);
  const since = new Date(now.getTime() - ROTATION_HOURS * 3_600_000).toISOString();
  const found = await deps.learner(learnerId).planInputs(learnerId, date, since);
  const inputs = ofLearner<NonNullable<typeof found>>(found);
  if (inputs.plan) return planView(inputs.plan);
  const { preferences, history } = inputs;
  if (!preferences || !history) {
    throw new AppError('onboarding_required', 'Answer the onboarding questions first: a plan is made for who you are');
  }
  const course = await deps.content.currentCourse();
  const library = course ? await deps.practice.library(course.id) : [];
  if (!course || library.length === 0) throw new AppError('not_found', 'This course has no practice library yet');

  const [recommended, mastery, reviews, progress] = await Promise.all([
    recommendationsFor(deps, { learnerId, limit: 10, allowSkips: false, now }),
    conceptMastery(deps, { learnerId }),
    dueReviews(deps, { learnerId, limit: 100, now }),
    progressOverview(deps, { learnerId, now }),
  ]);
  const next = recommended.items.find((i) => i.kind === 'lesson');
  const record = next ? await deps.content.lessonRecord(next.lessonSlug) : null;
  const groupsUsedAt = new Map<string, string>();
  for (const plan of history.recent) {
    for (const item of plan.items) {
      if ((groupsUsedAt.get(item.group) ?? '') < plan.createdAt) groupsUsedAt.set(item.group, plan.createdAt);
    }
  }
  const { done, affinity } = practiceSignals(
    history.past.flatMap((item) => {
      const category = CATEGORIES.find((c) => c === item.category);
      return category ? [{ ...item, category }] : [];
    }),
  );
  const archetype = archetypeOf(preferences);
  const mode = modeOf(inputs.activeDays, date);
  const phase = phaseOf(history.days, null);
  const items = composePlan(library, {
    learnerId,
    date,
    at: now.toISOString(),
    time: timeOfDay(hour),
    archetype: archetype.value,
    mode: mode.value,
    phase: phase.value,
    dailyMinutes: preferences.sessionMinutes,
    dueReviews: reviews.due.length,
    nextLesson: next
      ? {
          slug: next.lessonSlug,
          title: next.title,
          sections: (record?.ingest.outline ?? []).filter((h) => h.depth === 2).map((h) => h.text),
        }
      : null,
    recentLesson: progress.lastLesson ? { slug: progress.lastLesson.slug, title: progress.lastLesson.title } : null,
    weakConcepts: mastery.concepts
      .filter((c) => c.attempts > 0 && c.level !== 'mastered')
      .slice(0, 5)
      .map((c) => ({ id: c.concept, title: c.title, pKnown: c.pKnown })),
    groupsUsedAt,
    done,
    affinity,
  });
  const saved = await deps.learner(learnerId).savePlan(learnerId, {
    date,
    courseId: course.id,
    createdAt: now.toISOString(),
    timeZone,
    archetype: archetype.value,
    mode: mode.value,
    phase: phase.value,
    reasons: { archetype: archetype.reason, mode: mode.reason, phase: phase.reason },
    items: items.map((item) => ({ ...item, status: 'open' })),
  });
  return planView(ofLearner<NonNullable<typeof saved>>(saved));
}

/** Records what the learner did with a task of one of their plans; whether the feedback was new. */
export async function sendPlanFeedback(
  deps: Pick<Deps, 'content' | 'mastery' | 'learner' | 'afterApplied'>,
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
