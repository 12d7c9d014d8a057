import { packOption } from '../recommendations/ranker.fit';
import { conceptLevel, gradeOf } from '../mastery/mastery.domain';
import { applyOnce, type OnceResult } from '../events/events.once';
import { MAX_DAILY_ACTIVE_SECONDS, MAX_HEARTBEAT_SECONDS, type EventMessage } from '../events/events.schemas';
import { bktPredictCorrect, type BktParams } from '../mastery/mastery.bkt';
import type { PfaModel } from '../mastery/mastery.pfa';
import {
  modelChange,
  retrievability,
  reviewRating,
  type ConceptKey,
  type ConceptState,
  type GradedItem,
  type ReviewRating,
  type StoredCard,
} from '../mastery/mastery.domain';
import type { LearnerStore, LessonProgressRow } from './learner.store';

/**
 * How long after a graded answer (which shows the right one) arrived another answer to the
 * same item is taken as remembering the reveal: it is kept in the learner's history, counted
 * among the concept's answers and schedules the item's card, but moves neither P(known)
 * nor ability, and is not shared.
 */
export const REVEALED_FOR_MS = 24 * 60 * 60 * 1000;

/**
 * What an event is about, read from the course by the Worker before it reaches the
 * object; or, for a lesson the learner already has progress in, `seen-lesson`: the
 * object knows its course, so a heartbeat needs no read of the course at all.
 */
export type EventSubject =
  | { kind: 'lesson'; courseId: string }
  | { kind: 'seen-lesson' }
  | { kind: 'item'; item: GradedItem; params: BktParams; pfa?: PfaModel | null; fsrs?: number[] | null }
  | { kind: 'recommendation'; courseId: string }
  /** An answer the learner was given (its id checked by the Worker), and the course it is about. */
  | { kind: 'answer'; courseId: string; answerKey: string; engine: 'offline' | 'model' }
  /** A task of one of the learner's own plans: the object checks it has that plan and task. */
  | { kind: 'plan' };

/** The learner-model side of an answer or review, for the response. */
export interface ModelOutcome {
  /** Whether the answer was right; null for a review without an answer. */
  correct: boolean | null;
  /** The concept's mastery after the event (for a repeat, as it is now). */
  mastery: ConceptState | null;
  rating: ReviewRating;
  card: StoredCard;
}

export type ApplyOutcome =
  | { result: Exclude<OnceResult, 'conflict'>; progress?: LessonProgressRow; model?: ModelOutcome }
  | { result: 'conflict' }
  /** A `seen-lesson` event for a lesson the learner has no progress in: the Worker must read its course. */
  | { result: 'unknown_subject' }
  /** An event its subject's state refuses (`reason` says why): nothing recorded, so a retry cannot change it. */
  | { result: 'refused'; reason: string };

/** A subject as the object applies it. */
type KnownSubject = Exclude<EventSubject, { kind: 'seen-lesson' | 'plan' }> | { kind: 'plan-item'; courseId: string };

/** What an applied event changed that the object must send on or schedule. */
export interface ApplyEffects {
  /** Deltas were added to the outbox. */
  emitted: boolean;
  /** Heartbeat seconds wait in the pending rollup. */
  pendingActivity: boolean;
}

/**
 * Applies one event to the learner's tables exactly once (run inside the object's
 * transaction): the dedupe record, the day's activity, and the event's own change,
 * with the deltas it owes the shared aggregates written to the outbox alongside.
 */
export function applyLearnerEvent(
  store: LearnerStore,
  message: EventMessage,
  given: EventSubject,
  effects: ApplyEffects,
): ApplyOutcome {
  const { event } = message;
  const subject =
    given.kind === 'seen-lesson' ? seenLesson(store, message) : given.kind === 'plan' ? planItem(store, message) : given;
  if (!subject) return { result: 'unknown_subject' };
  // Feedback is taken only on what this learner was offered: no one can vote on anything else.
  if (event.type === 'recommendation.feedback' && !store.offered(event.recommendationId)) return { result: 'unknown_subject' };
  if (event.type === 'plan.feedback' && event.outcome === 'skipped' && completedByItself(store, event.planId, event.itemId)) {
    return { result: 'refused', reason: SELF_COMPLETED };
  }
  const occurredAt = new Date(event.occurredAt).toISOString();
  const courseId = subject.kind === 'item' ? subject.item.courseId : subject.courseId;
  const records = {
    find: (eventId: string) => store.event(eventId),
    record: (fingerprint: string) => {
      const { eventId, type, occurredAt: _raw, ...payload } = event;
      store.recordEvent({ eventId, type, courseId, occurredAt, receivedAt: message.receivedAt, payload, fingerprint });
    },
  };
  const once = applyOnce(records, event, () => {
    const day = occurredAt.slice(0, 10);
    const asked = event.type === 'lesson.active_time' ? Math.min(event.seconds, MAX_HEARTBEAT_SECONDS) : 0;
    const seconds = Math.max(0, Math.min(asked, MAX_DAILY_ACTIVE_SECONDS - store.dayActiveSeconds(day)));
    store.addDailyActivity(day, seconds);
    return change(store, message, subject, occurredAt, seconds, effects);
  });
  if (once.result === 'conflict') return { result: 'conflict' };
  if (once.result === 'applied') return { result: 'applied', ...once.value };
  return { result: 'duplicate', ...repeat(store, message, subject) };
}

/**
 * Sets a concept's mastery, and moves the learner in the shared mastery distribution (which
 * counts each learner at their concept's current level) when its level changed: true then.
 */
export function setConceptMastery(
  store: LearnerStore,
  { courseId, conceptId }: ConceptKey,
  state: ConceptState,
  at: string,
): boolean {
  const previous = store.mastery(courseId, conceptId);
  store.setMastery(courseId, conceptId, state, at);
  const from = previous ? conceptLevel(previous) : 'not started';
  const to = conceptLevel(state);
  if (from === to) return false;
  store.emit({ kind: 'mastery_level', courseId, conceptId, from, to }, at);
  return true;
}

/** The learner's onboarding answers that model health compares outcomes by. */
function segmentOf(store: LearnerStore): { segment?: { background: string; experience: string } } {
  const preferences = store.profile()?.preferences;
  return preferences ? { segment: { background: preferences.background, experience: preferences.experience } } : {};
}

/** The course, day and first reason a recommendation's feedback counts under in the shared rollups. */
function rollupOf(store: LearnerStore, recommendationId: string, courseId: string | null, occurredAt: string) {
  if (courseId === null) return {};
  const reason = store.offerReason(recommendationId);
  return { courseId, day: occurredAt.slice(0, 10), ...(reason ? { reason } : {}) };
}

const SELF_COMPLETED =
  'You completed it: the task ticked itself when you did what it asks, so it cannot be skipped (rate it instead)';

/**
 * Whether a plan's task completed itself (the learner did what it asks: the lesson, the
 * reviews, the quiz answers), ticked now if the plan was not read since. A skip cannot
 * undo that evidence; the learner's own check-offs and skips may still replace each other.
 */
function completedByItself(store: LearnerStore, planId: string, itemId: string): boolean {
  const task = store.refreshedPlan(planId.slice('plan_'.length))?.items.find((i) => i.id === itemId && i.status !== 'swapped');
  return task?.status === 'completed' && !task.outcome;
}

/** The course of the plan a task belongs to, when the learner has that plan and task. */
function planItem(store: LearnerStore, { event }: EventMessage): KnownSubject | null {
  if (event.type !== 'plan.feedback') return null;
  const plan = store.plan(event.planId.slice('plan_'.length));
  return plan?.items.some((i) => i.id === event.itemId && i.status !== 'swapped')
    ? { kind: 'plan-item', courseId: plan.courseId }
    : null;
}

/** The course of a lesson event's lesson, from the learner's own progress in it. */
function seenLesson(store: LearnerStore, { event }: EventMessage): KnownSubject | null {
  const courseId = 'lessonSlug' in event ? store.lessonCourse(event.lessonSlug) : null;
  return courseId === null ? null : { kind: 'lesson', courseId };
}

function change(
  store: LearnerStore,
  { event, receivedAt }: EventMessage,
  subject: KnownSubject,
  occurredAt: string,
  seconds: number,
  effects: ApplyEffects,
): { progress?: LessonProgressRow; model?: ModelOutcome } {
  if (event.type === 'quiz.attempted' || event.type === 'review.rated') {
    if (subject.kind !== 'item') throw new Error(`${event.type} needs its quiz item`);
    const { item, params, pfa, fsrs } = subject;
    // Concepts an author linked across courses are one: their state is the one answered last, and the answer moves all.
    const concepts = [{ courseId: item.courseId, conceptId: item.conceptId }, ...(item.linked ?? [])];
    const snapshot = {
      ability: store.ability(),
      item,
      mastery: store.linkedMastery(concepts),
      params,
      pfa: pfa ? { model: pfa, conceptId: item.conceptId, totals: store.answerTotals(item.courseId) } : undefined,
      card: store.card(item.courseId, item.id),
      fsrs,
    };
    const answer = event.answer;
    // Each graded answer shows the right one: answering the same item again soon after recalls that, not the concept.
    // Measured by the server's clock (when answers arrived), which a client cannot set.
    const last = store.lastAnswerReceivedAt(item.courseId, item.id);
    const evidence = last === null || Date.parse(receivedAt) - Date.parse(last) >= REVEALED_FOR_MS;
    let mastery: ConceptState | null = null;
    const result = modelChange(snapshot, {
      occurredAt,
      answer,
      rating: event.type === 'review.rated' ? event.rating : undefined,
    });
    store.setCard(item.courseId, item.id, item.conceptId, result.card);
    // Every scheduled review joins the shared review log (what `npm run fit -- fsrs` fits).
    store.emit(
      {
        kind: 'review',
        eventId: event.eventId,
        courseId: item.courseId,
        itemId: item.id,
        grade: gradeOf(result.rating),
        reviewedAt: result.card.lastReview ?? occurredAt,
      },
      occurredAt,
    );
    effects.emitted = true;
    // A review of a card already scheduled: what FSRS predicted against what the learner recalled (model health).
    if (event.type === 'review.rated' && snapshot.card) {
      const predicted = retrievability(snapshot.card, new Date(occurredAt));
      store.emit(
        { kind: 'recall', courseId: item.courseId, day: occurredAt.slice(0, 10), predicted, recalled: result.rating !== 'again' },
        occurredAt,
      );
      effects.emitted = true;
    }
    if (result.graded) {
      const { correct } = result.graded;
      const attempt = { eventId: event.eventId, courseId: item.courseId, itemId: item.id, conceptId: item.conceptId };
      store.addAttempt({ ...attempt, answer: result.graded.answer, correct, occurredAt });
      // Counted as an answer either way; P(known) moves only on evidence.
      const known = evidence ? result.graded.mastery.pKnown : (snapshot.mastery?.pKnown ?? result.graded.mastery.pKnown);
      mastery = { ...result.graded.mastery, pKnown: known };
      for (const concept of concepts) {
        if (setConceptMastery(store, concept, mastery, occurredAt)) effects.emitted = true;
      }
      if (evidence) {
        store.setAbility(result.ability, occurredAt);
        // The shared attempt log (item statistics, BKT fits) takes evidence only, like the learner's own model.
        store.emit(
          {
            kind: 'attempt',
            ...attempt,
            lessonSlug: item.lessonSlug,
            answer: result.graded.answer,
            correct,
            occurredAt,
            ability: snapshot.ability.theta,
            predicted: bktPredictCorrect(snapshot.mastery?.pKnown ?? params.prior, params),
            ...segmentOf(store),
          },
          occurredAt,
        );
        effects.emitted = true;
      }
    }
    return {
      model: {
        correct: result.graded?.correct ?? null,
        mastery,
        rating: result.rating,
        card: result.card,
      },
    };
  }
  if (event.type === 'recommendation.feedback') {
    const courseId = subject.kind === 'recommendation' ? subject.courseId : null;
    const { recommendationId, action } = event;
    if (action === 'restored') {
      // Undoing a dismissal: anything else stands, and the shared count of the dismissal is taken back.
      if (store.latestFeedback(recommendationId) !== 'dismissed') return {};
      store.setFeedback({ recommendationId, courseId, action, rating: null, at: occurredAt });
      if (store.countFeedback(recommendationId, 'dismissed', false)) {
        store.emit(
          { kind: 'feedback', recommendationId, action, ...rollupOf(store, recommendationId, courseId, occurredAt) },
          occurredAt,
        );
        effects.emitted = true;
      }
      return {};
    }
    store.setFeedback({ recommendationId, courseId, action, rating: event.rating ?? null, at: occurredAt });
    if (action === 'accepted' || action === 'completed') {
      effects.emitted ||= emitChoice(store, recommendationId, occurredAt, receivedAt);
    }
    // The shared statistics count each action once per learner and recommendation, however often it is sent.
    if (store.countFeedback(recommendationId, action)) {
      store.emit(
        { kind: 'feedback', recommendationId, action, ...rollupOf(store, recommendationId, courseId, occurredAt) },
        occurredAt,
      );
      effects.emitted = true;
    }
    return {};
  }
  if (event.type === 'answer.feedback') {
    if (subject.kind !== 'answer') throw new Error('answer.feedback needs its answer');
    const { courseId, answerKey, engine } = subject;
    const rated = { rating: event.rating, reason: event.reason ?? null };
    const before = store.setAnswerFeedback({ answerKey, courseId, engine, ...rated, at: occurredAt });
    // The shared counts hold each learner's latest rating of an answer once: a change moves their one vote.
    if (before === 'newer') return {};
    if (before && before.rating === rated.rating && before.reason === rated.reason) return {};
    store.emit(
      { kind: 'answer_feedback', courseId, engine, ...rated, previous: before, day: occurredAt.slice(0, 10) },
      occurredAt,
    );
    effects.emitted = true;
    return {};
  }
  if (event.type === 'plan.feedback') {
    const { planId, itemId, outcome, skipReason, rating } = event;
    const date = planId.slice('plan_'.length);
    const task = store.plan(date)?.items.find((i) => i.id === itemId && i.status !== 'swapped');
    if (task && !task.outcome && subject.kind === 'plan-item') {
      // The shared rollup counts each task's first outcome once; later feedback only rates or changes it here.
      store.emit(
        {
          kind: 'plan_outcome',
          courseId: subject.courseId,
          day: date,
          outcome,
          category: task.category,
          ...(task.completionChance === undefined ? {} : { predicted: task.completionChance }),
        },
        occurredAt,
      );
      effects.emitted = true;
    }
    store.setPlanItemOutcome(date, itemId, {
      status: outcome,
      at: occurredAt,
      ...(skipReason === undefined ? {} : { skipReason }),
      ...(rating === undefined ? {} : { rating }),
    });
    return {};
  }
  if (event.type === 'lesson.rated' || subject.kind !== 'lesson') return {};
  const slug = event.lessonSlug;
  const { firstCompletion, firstSeen } = store.addLessonProgress(subject.courseId, slug, {
    startedAt: event.type === 'lesson.started' ? occurredAt : null,
    completedAt: event.type === 'lesson.completed' ? occurredAt : null,
    seconds,
    at: occurredAt,
  });
  if (firstSeen) {
    store.emit({ kind: 'lesson_seen', courseId: subject.courseId, lessonSlug: slug, day: occurredAt.slice(0, 10) }, occurredAt);
    effects.emitted = true;
  }
  if (firstCompletion) {
    store.emit({ kind: 'completion', courseId: subject.courseId, lessonSlug: slug, completedAt: occurredAt }, occurredAt);
    effects.emitted = true;
    emitChoice(store, `lesson:${slug}`, occurredAt, receivedAt);
    // Offers run on the server's clock, as choices do.
    store.completeOffer(`lesson:${slug}`, receivedAt);
  }
  if (seconds > 0) {
    // Heartbeats are summed here and flushed by the object's alarm: no shared write per heartbeat.
    store.addPendingActivity(subject.courseId, slug, occurredAt.slice(0, 10), seconds);
    effects.pendingActivity = true;
  }
  return { progress: store.lessonProgress(slug) };
}

/** Days after an offer in which taking one of its lessons still counts as choosing it from that list. */
const CHOICE_DAYS = 7;

/**
 * Taking an offered lesson (accepting or completing its recommendation, or completing the
 * lesson) is a choice among the lessons offered with it: sent to the shared log the
 * ranker's weights are learned from, once per list and without the learner's id. The
 * window is on the server's clock (`receivedAt`), as offers are; the day is the event's.
 */
function emitChoice(store: LearnerStore, recommendationId: string, occurredAt: string, receivedAt: string): boolean {
  if (!recommendationId.startsWith('lesson:')) return false;
  const since = new Date(Date.parse(receivedAt) - CHOICE_DAYS * 86_400_000).toISOString();
  const choice = store.takeChoice(recommendationId, since, receivedAt);
  if (!choice) return false;
  const { courseId, chosen, options } = choice;
  store.emit(
    { kind: 'rank_choice', courseId, day: occurredAt.slice(0, 10), chosen, options: options.map(packOption) },
    occurredAt,
  );
  return true;
}

/** A repeated event is answered from what it did the first time and the state now. */
function repeat(store: LearnerStore, { event }: EventMessage, subject: KnownSubject) {
  if ((event.type === 'quiz.attempted' || event.type === 'review.rated') && subject.kind === 'item') {
    const { item } = subject;
    const graded = store.attempt(event.eventId);
    const card = store.card(item.courseId, item.id);
    if (!card) return {};
    return {
      model: {
        correct: graded?.correct ?? null,
        mastery: store.mastery(item.courseId, item.conceptId),
        rating: reviewRating(event.type === 'review.rated' ? event : {}, graded?.correct),
        card,
      },
    };
  }
  if ('lessonSlug' in event) return { progress: store.lessonProgress(event.lessonSlug) };
  return {};
}
