import { and, asc, desc, eq, gt, gte, isNotNull, lt, lte, notInArray, sql } from 'drizzle-orm';
import type { DrizzleSqliteDODatabase } from 'drizzle-orm/durable-sqlite';
import { SERVICE_DELTAS, type NewDelta } from '../aggregates/aggregates.schemas';
import type { CourseGoal, Goal } from '../recommendations/path.domain';
import type { RankOption } from '../recommendations/recommend.domain';
import { OFFER_OUTCOME_DAYS } from '../recommendations/engagement.domain';
import type { Ability, ConceptKey, ConceptState, StoredCard } from '../mastery/mastery.domain';
import { PRIOR_ABILITY } from '../mastery/mastery.domain';
import { CoursePreferencesSchema, PreferencesSchema, type CoursePreferences, type Preferences } from './learners.schemas';
import * as t from './learner.schema';
import type { WeeklySummary } from '../practice/summary.schemas';

export type PlacementSession = typeof t.placementSessions.$inferSelect;

/** The drizzle client over one learner object's SQLite storage (synchronous). */

/** How many past plans feedback is read from (what was done, and the affinity per category). */
const PLAN_HISTORY_DAYS = 90;
/** Most event times the practice profile reads for the time of day the learner practises. */
const ACTIVITY_TIMES_MAX = 2000;
export type LearnerDb = DrizzleSqliteDODatabase<typeof t>;

/** The learner's profile as the Worker sees it. */
/** A change of preferences: where it came from, and for a course change what to tell the learner. */
export interface PreferenceChange {
  preferences: Preferences;
  preferencesHash: string;
  source: 'onboarding' | 'profile' | 'course';
  answers?: unknown;
  notices?: string[];
}

export interface LearnerRecord {
  learnerId: string;
  createdAt: string;
  onboarded: boolean;
  preferences: Preferences | null;
  preferencesHash: string | null;
  consent: Consent;
}

/** What the learner allows: a language model adapting lessons with their profile; sharing for analytics and experiments. */
export interface Consent {
  model: boolean;
  analytics: boolean;
  /** When the learner last changed a choice; null while the defaults stand. */
  updatedAt: string | null;
}

export interface LessonProgressRow {
  lessonSlug: string;
  startedAt: string | null;
  completedAt: string | null;
  activeSeconds: number;
  lastActivityAt: string | null;
}

/** A lesson's progress with the course it is in. */
export interface CourseProgressRow extends LessonProgressRow {
  courseId: string;
}

export interface DayActivity {
  day: string;
  activeSeconds: number;
  events: number;
}

export interface CardRow {
  itemId: string;
  conceptId: string;
  card: StoredCard;
}

export interface MasteryRow extends ConceptState {
  courseId: string;
  conceptId: string;
  updatedAt: string;
}

const cardOf = (r: typeof t.reviewCards.$inferSelect): StoredCard => ({
  due: r.due,
  stability: r.stability,
  difficulty: r.difficulty,
  elapsedDays: r.elapsedDays,
  scheduledDays: r.scheduledDays,
  learningSteps: r.learningSteps,
  reps: r.reps,
  lapses: r.lapses,
  state: r.state,
  lastReview: r.lastReview,
  decay: r.decay,
});

/** One item of an offered list as the learner's object keeps it. */
export interface OfferedItem {
  id: string;
  /** Its first reason's code ('none' when it had none). */
  reason: string;
  /** A lesson's signal values and bonus. */
  option?: RankOption;
  /** A lesson's chance to be completed within the week of the offer (`Recommendation.completionChance`). */
  chance?: number;
}

/**
 * Builds each query on first use and keeps it: drizzle builds a query's SQL anew on
 * every call otherwise, which was a tenth of a plan request's time.
 */
function builtOnce<T extends Record<string, () => unknown>>(builders: T): { readonly [K in keyof T]: ReturnType<T[K]> } {
  const built = {} as { [K in keyof T]: ReturnType<T[K]> };
  for (const key of Object.keys(builders) as (keyof T)[]) {
    Object.defineProperty(built, key, {
      get() {
        const query = builders[key]?.();
        Object.defineProperty(built, key, { value: query, enumerable: true });
        return query;
      },
      configurable: true,
      enumerable: true,
    });
  }
  return built;
}

/** The queries of the routes learners call most (today's plan, recommendations), with `sql.placeholder` parameters. */
function hotQueries(db: LearnerDb) {
  return builtOnce({
    profile: () => db.select().from(t.profile).prepare(),
    profileId: () => db.select({ id: t.profile.id }).from(t.profile).prepare(),
    tokens: () => db.select({ epoch: t.profile.tokenEpoch, graceUntil: t.profile.tokenGraceUntil }).from(t.profile).prepare(),
    coursePreferences: () => db.select().from(t.coursePreferences).prepare(),
    lessonProgress: () =>
      db
        .select()
        .from(t.lessonProgress)
        .where(eq(t.lessonProgress.lessonSlug, sql.placeholder('slug')))
        .prepare(),
    allProgress: () =>
      db
        .select({
          courseId: t.lessonProgress.courseId,
          lessonSlug: t.lessonProgress.lessonSlug,
          startedAt: t.lessonProgress.startedAt,
          completedAt: t.lessonProgress.completedAt,
          activeSeconds: t.lessonProgress.activeSeconds,
          lastActivityAt: t.lessonProgress.lastActivityAt,
        })
        .from(t.lessonProgress)
        .prepare(),
    days: () =>
      db
        .select()
        .from(t.dailyActivity)
        .where(gte(t.dailyActivity.day, sql.placeholder('since')))
        .orderBy(asc(t.dailyActivity.day))
        .prepare(),
    allMastery: () =>
      db
        .select({
          courseId: t.conceptMastery.courseId,
          conceptId: t.conceptMastery.conceptId,
          pKnown: t.conceptMastery.pKnown,
          attempts: t.conceptMastery.attempts,
          correct: t.conceptMastery.correct,
          updatedAt: t.conceptMastery.updatedAt,
        })
        .from(t.conceptMastery)
        .prepare(),
    dueCards: () =>
      db
        .select()
        .from(t.reviewCards)
        .where(lte(t.reviewCards.due, sql.placeholder('now')))
        .orderBy(asc(t.reviewCards.due), asc(t.reviewCards.itemId))
        .prepare(),
    bestAnswers: () =>
      db
        .select({ itemId: t.attempts.itemId, best: sql<number>`max(${t.attempts.correct})` })
        .from(t.attempts)
        .groupBy(t.attempts.itemId)
        .prepare(),
    plan: () =>
      db
        .select()
        .from(t.plans)
        .where(eq(t.plans.date, sql.placeholder('date')))
        .prepare(),
    eventsSince: () =>
      db
        .select({ n: sql<number>`count(*)` })
        .from(t.events)
        .where(and(eq(t.events.type, sql.placeholder('type')), gte(t.events.receivedAt, sql.placeholder('since'))))
        .prepare(),
    latestPlan: () =>
      db
        .select({ createdAt: t.plans.createdAt, timeZone: t.plans.timeZone })
        .from(t.plans)
        .orderBy(desc(t.plans.date))
        .limit(1)
        .prepare(),
    planHistory: () =>
      db
        .select({
          date: t.plans.date,
          courseId: t.plans.courseId,
          createdAt: t.plans.createdAt,
          timeZone: t.plans.timeZone,
          items: t.plans.items,
        })
        .from(t.plans)
        .orderBy(desc(t.plans.date))
        .limit(PLAN_HISTORY_DAYS)
        .prepare(),
    activityTimes: () =>
      db
        .select({ at: t.events.occurredAt })
        .from(t.events)
        .where(gte(t.events.occurredAt, sql.placeholder('since')))
        .orderBy(desc(t.events.occurredAt))
        .limit(ACTIVITY_TIMES_MAX)
        .prepare(),
    activeDays: () =>
      db
        .select({ day: t.dailyActivity.day })
        .from(t.dailyActivity)
        .where(gt(t.dailyActivity.events, 0))
        .orderBy(asc(t.dailyActivity.day))
        .prepare(),
    goal: () => db.select().from(t.goal).prepare(),
    dismissedSince: () =>
      db
        .select({ id: t.recommendationFeedback.recommendationId })
        .from(t.recommendationFeedback)
        .where(and(eq(t.recommendationFeedback.action, 'dismissed'), gte(t.recommendationFeedback.at, sql.placeholder('since'))))
        .orderBy(desc(t.recommendationFeedback.at))
        .prepare(),
  });
}

type HotQueries = ReturnType<typeof hotQueries>;

/** The hot queries as this isolate built them, for each object to bind (see `boundTo`). */
let isolateQueries: HotQueries | null = null;

/**
 * The isolate's hot queries run on one object's storage: each is the query built once,
 * its client the object's (a drizzle durable-sqlite query runs on `this.client`), so an
 * object woken for one request builds none.
 */
function boundTo(db: LearnerDb, storage: DurableObjectStorage): HotQueries {
  const built = (isolateQueries ??= hotQueries(db));
  const builders = Object.fromEntries(
    (Object.keys(built) as (keyof HotQueries)[]).map((key) => [key, () => runningOn(built[key], storage)]),
  ) as { [K in keyof HotQueries]: () => HotQueries[K] };
  return builtOnce(builders);
}

function runningOn<Q extends object>(query: Q, storage: DurableObjectStorage): Q {
  if (!('client' in query)) throw new Error('A drizzle durable-sqlite query has no client: check the drizzle-orm version');
  return Object.create(query, { client: { value: storage } }) as Q;
}

/** Reads and writes of one learner object's tables. Synchronous: callers group writes in one transaction. */
export function learnerStore(db: LearnerDb, storage: DurableObjectStorage) {
  const q = boundTo(db, storage);
  const store = {
    profile(): LearnerRecord | null {
      return store.profileWithEpoch()?.record ?? null;
    },

    /** The profile and its token epoch in one read (what a plan request checks first). */
    profileWithEpoch(): { record: LearnerRecord; epoch: number } | null {
      const row = q.profile.get();
      if (!row) return null;
      // A stored profile of an older shape reads as "not onboarded" rather than failing every request.
      const preferences = row.preferences ? PreferencesSchema.safeParse(row.preferences) : null;
      const record = {
        learnerId: row.id,
        createdAt: row.createdAt,
        onboarded: row.onboardedAt !== null && preferences?.success === true,
        preferences: preferences?.success ? preferences.data : null,
        preferencesHash: preferences?.success ? row.preferencesHash : null,
        consent: { model: row.consentModel, analytics: row.consentAnalytics, updatedAt: row.consentUpdatedAt },
      };
      return { record, epoch: row.tokenEpoch };
    },

    /** The learner's own preferences per course, where they have set any (a stored set of an older shape is left out). */
    coursePreferences(): Record<string, CoursePreferences> {
      const found: Record<string, CoursePreferences> = {};
      for (const row of q.coursePreferences.all()) {
        const parsed = CoursePreferencesSchema.safeParse(row.preferences);
        if (parsed.success) found[row.courseId] = parsed.data;
      }
      return found;
    },

    /** Keeps a course's own preferences; none (or an empty set) lets the course follow the learner's own again. */
    setCoursePreferences(courseId: string, preferences: CoursePreferences | null, at: string): void {
      if (!preferences || Object.keys(preferences).length === 0) {
        db.delete(t.coursePreferences).where(eq(t.coursePreferences.courseId, courseId)).run();
        return;
      }
      db.insert(t.coursePreferences)
        .values({ courseId, preferences, updatedAt: at })
        .onConflictDoUpdate({ target: t.coursePreferences.courseId, set: { preferences, updatedAt: at } })
        .run();
    },

    /** What waits to be told to the learner, now cleared: they are told once. */
    takeNotices(): string[] {
      const notices = db.select({ notices: t.profile.pendingNotices }).from(t.profile).get()?.notices ?? [];
      if (notices.length > 0) db.update(t.profile).set({ pendingNotices: null }).run();
      return notices;
    },

    /** The token epoch and the previous epoch's refresh grace; null without a profile. */
    tokens(): { epoch: number; graceUntil: number } | null {
      return q.tokens.get() ?? null;
    },

    setTokens(epoch: number, graceUntil: number): void {
      db.update(t.profile).set({ tokenEpoch: epoch, tokenGraceUntil: graceUntil }).run();
    },

    createProfile(id: string, createdAt: string, movedAt: string | null = null): void {
      db.insert(t.profile).values({ id, createdAt, movedAt }).onConflictDoNothing().run();
    },

    /** Saves preferences; the first ones finish onboarding, which the funnel counts (returns whether a delta was queued). */
    savePreferences(change: PreferenceChange, at: string): boolean {
      const before = db.select({ notices: t.profile.pendingNotices, preferences: t.profile.preferences }).from(t.profile).get();
      const pending = before?.notices ?? [];
      db.update(t.profile)
        .set({
          preferences: change.preferences,
          preferencesHash: change.preferencesHash,
          ...(change.notices ? { pendingNotices: [...pending, ...change.notices] } : {}),
          ...(change.source === 'onboarding' ? { onboardedAt: at, answers: change.answers as Record<string, unknown> } : {}),
        })
        .run();
      db.insert(t.preferenceHistory).values({ preferences: change.preferences, source: change.source, changedAt: at }).run();
      if (before?.preferences) return false;
      store.emit({ kind: 'onboarded', day: at.slice(0, 10) }, at);
      return store.consent().analytics;
    },

    /** Every preferences the learner ever saved, valid in today's shape (older shapes are skipped). */
    preferenceHistory(): Preferences[] {
      return db
        .select({ preferences: t.preferenceHistory.preferences })
        .from(t.preferenceHistory)
        .all()
        .flatMap((r) => {
          const parsed = PreferencesSchema.safeParse(r.preferences);
          return parsed.success ? [parsed.data] : [];
        });
    },

    /** Deletes events that occurred before `before`; when the oldest event left occurred, or null. */
    pruneEvents(before: string): string | null {
      db.delete(t.events).where(lt(t.events.occurredAt, before)).run();
      return (
        db
          .select({ at: sql<string | null>`min(${t.events.occurredAt})` })
          .from(t.events)
          .get()?.at ?? null
      );
    },

    event(eventId: string) {
      return db.select().from(t.events).where(eq(t.events.eventId, eventId)).get() ?? null;
    },

    recordEvent(row: typeof t.events.$inferInsert): void {
      db.insert(t.events).values(row).run();
    },

    dayActiveSeconds(day: string): number {
      return (
        db.select({ s: t.dailyActivity.activeSeconds }).from(t.dailyActivity).where(eq(t.dailyActivity.day, day)).get()?.s ?? 0
      );
    },

    addDailyActivity(day: string, seconds: number): void {
      db.insert(t.dailyActivity)
        .values({ day, activeSeconds: seconds, events: 1 })
        .onConflictDoUpdate({
          target: t.dailyActivity.day,
          set: {
            activeSeconds: sql`${t.dailyActivity.activeSeconds} + excluded.active_seconds`,
            events: sql`${t.dailyActivity.events} + 1`,
          },
        })
        .run();
    },

    /** Adds a lesson event to its progress; returns whether it completed the lesson for the first time. */
    addLessonProgress(
      courseId: string,
      slug: string,
      change: { startedAt: string | null; completedAt: string | null; seconds: number; at: string },
    ): { firstCompletion: boolean; firstSeen: boolean } {
      const before = store.lessonProgress(slug);
      db.insert(t.lessonProgress)
        .values({
          courseId,
          lessonSlug: slug,
          startedAt: change.startedAt,
          completedAt: change.completedAt,
          activeSeconds: change.seconds,
          lastActivityAt: change.at,
        })
        .onConflictDoUpdate({
          target: [t.lessonProgress.courseId, t.lessonProgress.lessonSlug],
          set: {
            startedAt: sql`coalesce(min(${t.lessonProgress.startedAt}, excluded.started_at), ${t.lessonProgress.startedAt}, excluded.started_at)`,
            completedAt: sql`coalesce(min(${t.lessonProgress.completedAt}, excluded.completed_at), ${t.lessonProgress.completedAt}, excluded.completed_at)`,
            activeSeconds: sql`${t.lessonProgress.activeSeconds} + excluded.active_seconds`,
            lastActivityAt: sql`max(${t.lessonProgress.lastActivityAt}, excluded.last_activity_at)`,
          },
        })
        .run();
      return {
        firstCompletion: change.completedAt !== null && before.completedAt === null,
        firstSeen: before.startedAt === null && before.completedAt === null && before.lastActivityAt === null,
      };
    },

    /** The course of a lesson the learner has progress in; null for any other lesson. */
    lessonCourse(slug: string): string | null {
      const row = db
        .select({ courseId: t.lessonProgress.courseId })
        .from(t.lessonProgress)
        .where(eq(t.lessonProgress.lessonSlug, slug))
        .get();
      return row?.courseId ?? null;
    },

    /** The learner's id, without reading the rest of the profile. */
    profileId(): string | null {
      return q.profileId.get()?.id ?? null;
    },

    lessonProgress(slug: string): LessonProgressRow {
      const row = q.lessonProgress.get({ slug });
      return {
        lessonSlug: slug,
        startedAt: row?.startedAt ?? null,
        completedAt: row?.completedAt ?? null,
        activeSeconds: row?.activeSeconds ?? 0,
        lastActivityAt: row?.lastActivityAt ?? null,
      };
    },

    /** Per course the learner has opened a lesson of: lessons started (or opened) and completed. */
    progressByCourse(): { course: string; started: number; completed: number }[] {
      return db
        .select({
          course: t.lessonProgress.courseId,
          started: sql<number>`count(*)`,
          completed: sql<number>`count(${t.lessonProgress.completedAt})`,
        })
        .from(t.lessonProgress)
        .groupBy(t.lessonProgress.courseId)
        .orderBy(t.lessonProgress.courseId)
        .all();
    },

    allProgress(): CourseProgressRow[] {
      return q.allProgress.all();
    },

    days(sinceDay: string): DayActivity[] {
      return q.days.all({ since: sinceDay });
    },

    /** Heartbeat seconds waiting for the next flush to the shared rollup. */
    addPendingActivity(courseId: string, lessonSlug: string, day: string, seconds: number): void {
      if (!store.consent().analytics) return;
      db.insert(t.pendingActivity)
        .values({ courseId, lessonSlug, day, seconds, heartbeats: 1 })
        .onConflictDoUpdate({
          target: [t.pendingActivity.courseId, t.pendingActivity.lessonSlug, t.pendingActivity.day],
          set: {
            seconds: sql`${t.pendingActivity.seconds} + excluded.seconds`,
            heartbeats: sql`${t.pendingActivity.heartbeats} + 1`,
          },
        })
        .run();
    },

    /** Moves pending heartbeat seconds into the outbox, one delta per lesson and day. */
    drainPendingActivity(at: string): number {
      const rows = db.select().from(t.pendingActivity).all();
      for (const r of rows) {
        store.emit(
          {
            kind: 'activity',
            courseId: r.courseId,
            lessonSlug: r.lessonSlug,
            day: r.day,
            seconds: r.seconds,
            heartbeats: r.heartbeats,
          },
          at,
        );
      }
      db.delete(t.pendingActivity).run();
      return rows.length;
    },

    /** Queues a delta for the shared aggregates, unless the learner withheld consent to analytics. */
    emit(delta: NewDelta, at: string): void {
      if (store.consent().analytics) store.send(delta, at);
    },

    /** Queues a delta whatever the learner's consent: analytics `emit` checked, or one of SERVICE_DELTAS. */
    send(delta: NewDelta, at: string): void {
      db.insert(t.outbox).values({ delta, createdAt: at }).run();
    },

    /** The learner's experiment assignments (their sticky buckets). */
    assignments(): { experimentId: string; bucketKey: string; variant: string }[] {
      return db
        .select({
          experimentId: t.experimentAssignments.experimentId,
          bucketKey: t.experimentAssignments.bucketKey,
          variant: t.experimentAssignments.variant,
        })
        .from(t.experimentAssignments)
        .all();
    },

    /**
     * Keeps the learner's variant of an experiment (a new bucket version replaces it) and,
     * the first time they are exposed to it, queues the exposure for the shared counts.
     * Not for a learner who declined experiments. Returns whether anything changed.
     */
    recordExposure(exposure: { experimentId: string; bucketKey: string; variant: string; at: string }): boolean {
      if (!store.consent().analytics) return false;
      const before = db
        .select()
        .from(t.experimentAssignments)
        .where(eq(t.experimentAssignments.experimentId, exposure.experimentId))
        .get();
      if (before && before.bucketKey === exposure.bucketKey && before.variant === exposure.variant) return false;
      db.insert(t.experimentAssignments)
        .values({ ...exposure, exposedAt: exposure.at })
        .onConflictDoUpdate({
          target: t.experimentAssignments.experimentId,
          set: { bucketKey: exposure.bucketKey, variant: exposure.variant },
        })
        .run();
      // The shared record keeps the first exposure: a learner is analysed in the variant they first saw.
      if (!before) {
        store.emit(
          { kind: 'exposure', experimentId: exposure.experimentId, variant: exposure.variant, exposedAt: exposure.at },
          exposure.at,
        );
      }
      return true;
    },

    consent(): Consent {
      const row = db
        .select({ model: t.profile.consentModel, analytics: t.profile.consentAnalytics, updatedAt: t.profile.consentUpdatedAt })
        .from(t.profile)
        .get();
      return row ?? { model: true, analytics: true, updatedAt: null };
    },

    /** Records the learner's choices; withdrawing analytics also drops what waits to be shared. */
    setConsent(consent: { model: boolean; analytics: boolean }, at: string): void {
      db.update(t.profile).set({ consentModel: consent.model, consentAnalytics: consent.analytics, consentUpdatedAt: at }).run();
      if (!consent.analytics) {
        db.delete(t.outbox)
          .where(notInArray(sql`json_extract(${t.outbox.delta}, '$.kind')`, [...SERVICE_DELTAS]))
          .run();
        db.delete(t.experimentAssignments).run();
        db.delete(t.pendingActivity).run();
      }
    },

    outbox(limit: number) {
      return db.select().from(t.outbox).orderBy(asc(t.outbox.seq)).limit(limit).all();
    },

    /** Drops sent deltas and counts what was sent. */
    sent(upToSeq: number, messages: number, deltas: number, at: string): void {
      db.delete(t.outbox).where(lte(t.outbox.seq, upToSeq)).run();
      db.insert(t.delivery)
        .values({ id: 1, messages, deltas, lastSentAt: at })
        .onConflictDoUpdate({
          target: t.delivery.id,
          set: {
            messages: sql`${t.delivery.messages} + excluded.messages`,
            deltas: sql`${t.delivery.deltas} + excluded.deltas`,
            lastSentAt: at,
          },
        })
        .run();
    },

    /** Deltas waiting, heartbeat rows waiting, and what was sent so far. */
    delivery() {
      const sent = db.select().from(t.delivery).get();
      return {
        pendingDeltas:
          db
            .select({ n: sql<number>`count(*)` })
            .from(t.outbox)
            .get()?.n ?? 0,
        pendingActivity:
          db
            .select({ n: sql<number>`count(*)` })
            .from(t.pendingActivity)
            .get()?.n ?? 0,
        messagesSent: sent?.messages ?? 0,
        deltasSent: sent?.deltas ?? 0,
        lastSentAt: sent?.lastSentAt ?? null,
      };
    },

    ability(): Ability {
      const row = db.select().from(t.ability).get();
      return row ? { theta: row.theta, se: row.thetaSe } : PRIOR_ABILITY;
    },

    setAbility(value: Ability, at: string): void {
      db.insert(t.ability)
        .values({ id: 1, theta: value.theta, thetaSe: value.se, updatedAt: at })
        .onConflictDoUpdate({ target: t.ability.id, set: { theta: value.theta, thetaSe: value.se, updatedAt: at } })
        .run();
    },

    mastery(courseId: string, conceptId: string): ConceptState | null {
      return store.linkedMastery([{ courseId, conceptId }]);
    },

    /** The state of concepts an author linked (they move together): the one answered last; null when none has one. */
    linkedMastery(concepts: readonly ConceptKey[]): ConceptState | null {
      let latest: { state: ConceptState; at: string } | null = null;
      for (const { courseId, conceptId } of concepts) {
        const row = db
          .select()
          .from(t.conceptMastery)
          .where(and(eq(t.conceptMastery.courseId, courseId), eq(t.conceptMastery.conceptId, conceptId)))
          .get();
        if (row && (!latest || row.updatedAt > latest.at)) {
          latest = { state: { pKnown: row.pKnown, attempts: row.attempts, correct: row.correct }, at: row.updatedAt };
        }
      }
      return latest?.state ?? null;
    },

    /** The learner's graded answers in a course, right and all: PFA's counts over all concepts. */
    answerTotals(courseId: string): { correct: number; attempts: number } {
      const row = db
        .select({
          correct: sql<number>`coalesce(sum(${t.conceptMastery.correct}), 0)`,
          attempts: sql<number>`coalesce(sum(${t.conceptMastery.attempts}), 0)`,
        })
        .from(t.conceptMastery)
        .where(eq(t.conceptMastery.courseId, courseId))
        .get();
      return { correct: row?.correct ?? 0, attempts: row?.attempts ?? 0 };
    },

    /** A placement session: the one named, else the newest in the course (null when there is none). */
    placement(courseId: string | null, id?: string): PlacementSession | null {
      const where = and(
        courseId === null ? undefined : eq(t.placementSessions.courseId, courseId),
        id === undefined ? undefined : eq(t.placementSessions.id, id),
      );
      return (
        db.select().from(t.placementSessions).where(where).orderBy(desc(t.placementSessions.startedAt)).limit(1).get() ?? null
      );
    },

    savePlacement(session: PlacementSession): void {
      db.insert(t.placementSessions).values(session).onConflictDoUpdate({ target: t.placementSessions.id, set: session }).run();
    },

    allMastery(): MasteryRow[] {
      return q.allMastery.all();
    },

    setMastery(courseId: string, conceptId: string, state: ConceptState, at: string): void {
      const values = { pKnown: state.pKnown, attempts: state.attempts, correct: state.correct, updatedAt: at };
      db.insert(t.conceptMastery)
        .values({ courseId, conceptId, ...values })
        .onConflictDoUpdate({ target: [t.conceptMastery.courseId, t.conceptMastery.conceptId], set: values })
        .run();
    },

    card(courseId: string, itemId: string): StoredCard | null {
      const row = db
        .select()
        .from(t.reviewCards)
        .where(and(eq(t.reviewCards.courseId, courseId), eq(t.reviewCards.itemId, itemId)))
        .get();
      return row ? cardOf(row) : null;
    },

    hasCard(itemId: string): boolean {
      return (
        db.select({ x: t.reviewCards.itemId }).from(t.reviewCards).where(eq(t.reviewCards.itemId, itemId)).get() !== undefined
      );
    },

    setCard(courseId: string, itemId: string, conceptId: string, card: StoredCard): void {
      const values = { conceptId, ...card };
      db.insert(t.reviewCards)
        .values({ courseId, itemId, ...values })
        .onConflictDoUpdate({ target: [t.reviewCards.courseId, t.reviewCards.itemId], set: values })
        .run();
    },

    /** Cards due by `now`, soonest first. */
    dueCards(now: string): CardRow[] {
      return q.dueCards.all({ now }).map((r) => ({ itemId: r.itemId, conceptId: r.conceptId, card: cardOf(r) }));
    },

    /** Cards due after `now`: their item and due time. */
    laterCards(now: string): { itemId: string; due: string }[] {
      return db
        .select({ itemId: t.reviewCards.itemId, due: t.reviewCards.due })
        .from(t.reviewCards)
        .where(gt(t.reviewCards.due, now))
        .all();
    },

    allCards(): (CardRow & { courseId: string })[] {
      return db
        .select()
        .from(t.reviewCards)
        .all()
        .map((r) => ({ courseId: r.courseId, itemId: r.itemId, conceptId: r.conceptId, card: cardOf(r) }));
    },

    addAttempt(row: typeof t.attempts.$inferInsert): void {
      db.insert(t.attempts).values(row).run();
    },

    attempt(eventId: string): { answer: number; correct: boolean } | null {
      const row = db.select().from(t.attempts).where(eq(t.attempts.eventId, eventId)).get();
      return row ? { answer: row.answer, correct: row.correct } : null;
    },

    /** Per item: whether any answer to it was correct. */
    bestAnswers(): Map<string, boolean> {
      const rows = q.bestAnswers.all();
      return new Map(rows.map((r) => [r.itemId, r.best === 1]));
    },

    /** The plan of a local date, or null. */
    plan(date: string): typeof t.plans.$inferSelect | null {
      return q.plan.get({ date }) ?? null;
    },

    /**
     * The plan of `date` with the tasks that complete themselves ticked: its lesson
     * completed, or enough reviews or quiz answers since the plan was made. A task the
     * learner gave feedback on keeps it.
     */
    refreshedPlan(date: string): typeof t.plans.$inferSelect | null {
      const plan = q.plan.get({ date });
      if (!plan) return null;
      // Each event type counted once, however many tasks wait on it.
      const counts = new Map<string, number>();
      const since = (type: string): number => {
        const known = counts.get(type);
        if (known !== undefined) return known;
        const n = q.eventsSince.get({ type, since: plan.createdAt })?.n ?? 0;
        counts.set(type, n);
        return n;
      };
      const done = (item: t.StoredPlanItem): boolean => {
        const { kind } = item.completes;
        const count = 'count' in item.completes ? item.completes.count : 0;
        if (kind === 'lesson')
          return item.binding.lessonSlug ? this.lessonProgress(item.binding.lessonSlug).completedAt !== null : false;
        if (kind === 'reviews') return since('review.rated') >= (item.binding.count ?? count);
        if (kind === 'quiz_answers') return since('quiz.attempted') >= (item.binding.count ?? count);
        return false;
      };
      const items = plan.items.map((i) => (i.status === 'open' && !i.outcome && done(i) ? { ...i, status: 'completed' } : i));
      if (items.some((i, k) => i !== plan.items[k])) db.update(t.plans).set({ items }).where(eq(t.plans.date, date)).run();
      return { ...plan, items };
    },

    /** Records the learner's outcome of a plan's task (a later feedback replaces an earlier one). */
    setPlanItemOutcome(date: string, itemId: string, outcome: NonNullable<t.StoredPlanItem['outcome']>): void {
      const plan = db.select({ items: t.plans.items }).from(t.plans).where(eq(t.plans.date, date)).get();
      if (!plan) return;
      const items = plan.items.map((i) => (i.id === itemId ? { ...i, status: outcome.status, outcome } : i));
      db.update(t.plans).set({ items }).where(eq(t.plans.date, date)).run();
    },

    /**
     * Swaps a plan's open task for `replacement` in one write: the new task takes its
     * place and the old one stays, marked swapped (hidden from the plan, kept as
     * feedback). `gone` when the plan or an open task of that id is not there (a
     * concurrent swap or feedback came first).
     */
    swapPlanItem(date: string, itemId: string, replacement: t.StoredPlanItem, at: string): 'swapped' | 'gone' {
      const plan = db.select({ items: t.plans.items }).from(t.plans).where(eq(t.plans.date, date)).get();
      const index = plan?.items.findIndex((i) => i.id === itemId && i.status === 'open' && !i.outcome) ?? -1;
      const old = plan?.items[index];
      if (!plan || !old) return 'gone';
      const items = [...plan.items];
      items.splice(index, 1, replacement);
      items.push({ ...old, status: 'swapped', outcome: { status: 'swapped', at } });
      db.update(t.plans).set({ items }).where(eq(t.plans.date, date)).run();
      return 'swapped';
    },

    /** Stores a plan unless the day has one already (the first stored wins); returns the day's plan. */
    /** Starts a conversation. */
    createConversation(conversation: typeof t.conversations.$inferInsert): void {
      db.insert(t.conversations).values(conversation).run();
    },

    /** The learner's conversations, most recently active first (at most `limit`). */
    conversations(limit: number): (typeof t.conversations.$inferSelect & { messages: number })[] {
      return db
        .select({
          id: t.conversations.id,
          courseId: t.conversations.courseId,
          title: t.conversations.title,
          scope: t.conversations.scope,
          lessonSlug: t.conversations.lessonSlug,
          createdAt: t.conversations.createdAt,
          updatedAt: t.conversations.updatedAt,
          messages: sql<number>`(SELECT count(*) FROM conversation_messages m WHERE m.conversation_id = ${t.conversations.id})`,
        })
        .from(t.conversations)
        .orderBy(desc(t.conversations.updatedAt), desc(t.conversations.id))
        .limit(limit)
        .all();
    },

    /** One conversation with its messages in order; null when the learner has none of that id. */
    conversation(id: string) {
      const conversation = db.select().from(t.conversations).where(eq(t.conversations.id, id)).get();
      if (!conversation) return null;
      const messages = db
        .select()
        .from(t.conversationMessages)
        .where(eq(t.conversationMessages.conversationId, id))
        .orderBy(asc(t.conversationMessages.position))
        .all();
      return { ...conversation, messages };
    },

    /**
     * Appends a question and its answer to a conversation, in one transaction (the
     * caller's), after its last message; false when it does not exist or already holds
     * `maxMessages`.
     */
    appendTurn(
      id: string,
      turn: readonly Omit<typeof t.conversationMessages.$inferInsert, 'conversationId' | 'position'>[],
      at: string,
      maxMessages: number,
    ): boolean {
      const found = db
        .select({ n: sql<number>`(SELECT count(*) FROM conversation_messages m WHERE m.conversation_id = ${id})` })
        .from(t.conversations)
        .where(eq(t.conversations.id, id))
        .get();
      if (!found || found.n + turn.length > maxMessages) return false;
      db.insert(t.conversationMessages)
        .values(turn.map((m, i) => ({ ...m, conversationId: id, position: found.n + i })))
        .run();
      db.update(t.conversations).set({ updatedAt: at }).where(eq(t.conversations.id, id)).run();
      return true;
    },

    /**
     * Stores the day's plan unless the day has one (the first saved wins) and returns the
     * day's plan. With `summaryDue` (the week's first plan), the same write queues the
     * learner's place on the weekly summaries' schedule for D1: the plan waits on no
     * shared write.
     */
    savePlan(plan: typeof t.plans.$inferInsert, summaryDue: string | null): typeof t.plans.$inferSelect {
      const saved = db.insert(t.plans).values(plan).onConflictDoNothing().returning({ date: t.plans.date }).get();
      if (!saved) return q.plan.get({ date: plan.date }) ?? plan;
      // One synchronous write: the object's storage commits the plan and the delta together.
      if (summaryDue) store.send({ kind: 'summary_due', nextAt: summaryDue }, plan.createdAt);
      return plan;
    },

    /** When the latest-dated plan was made, and in which zone (null before any plan). */
    latestPlan(): { createdAt: string; timeZone: string } | null {
      return q.latestPlan.get() ?? null;
    },

    /** The last 90 plans, newest first: what plan composition and the practice profile read. */
    planHistory(): { date: string; courseId: string; createdAt: string; timeZone: string; items: t.StoredPlanItem[] }[] {
      return q.planHistory.all();
    },

    /** When the learner was active since `since` (ISO instants their events occurred at, at most 2000). */
    activityTimes(since: string): string[] {
      return q.activityTimes.all({ since }).map((r) => r.at);
    },

    /** Stored weekly summaries, newest first (at most `limit`). */
    summaries(limit: number): (typeof t.weeklySummaries.$inferSelect)[] {
      return db.select().from(t.weeklySummaries).orderBy(desc(t.weeklySummaries.week)).limit(limit).all();
    },

    /** Stores a week's summary unless the week has one (built once, never changed). */
    saveSummary(row: typeof t.weeklySummaries.$inferInsert): void {
      db.insert(t.weeklySummaries).values(row).onConflictDoNothing().run();
    },

    /** Puts a model's phrasing of a week's insights in its summary, unless one is there already; whether it did. */
    phraseSummary(week: string, insights: WeeklySummary['insights'], model: string): boolean {
      const row = db
        .select({ summary: t.weeklySummaries.summary })
        .from(t.weeklySummaries)
        .where(eq(t.weeklySummaries.week, week))
        .get();
      if (!row || row.summary.phrasedBy) return false;
      db.update(t.weeklySummaries)
        .set({ summary: { ...row.summary, insights, phrasedBy: model } })
        .where(eq(t.weeklySummaries.week, week))
        .run();
      return true;
    },

    /** What a week's summary reads between two instants: event times, reviews rated, and active seconds per UTC day. */
    weekActivity(from: string, to: string, fromDay: string, toDay: string) {
      const inWeek = and(gte(t.events.occurredAt, from), lt(t.events.occurredAt, to));
      return {
        activity: db
          .select({ at: t.events.occurredAt })
          .from(t.events)
          .where(inWeek)
          .limit(ACTIVITY_TIMES_MAX)
          .all()
          .map((r) => r.at),
        reviewsDone:
          db
            .select({ n: sql<number>`count(*)` })
            .from(t.events)
            .where(and(inWeek, eq(t.events.type, 'review.rated')))
            .get()?.n ?? 0,
        activeSeconds: new Map(
          db
            .select({ day: t.dailyActivity.day, seconds: t.dailyActivity.activeSeconds })
            .from(t.dailyActivity)
            .where(and(gte(t.dailyActivity.day, fromDay), lte(t.dailyActivity.day, toDay)))
            .all()
            .map((r) => [r.day, r.seconds]),
        ),
      };
    },

    /** Review cards that fell due before `before` and are still not reviewed. */
    overdueCards(before: string): number {
      return (
        db
          .select({ n: sql<number>`count(*)` })
          .from(t.reviewCards)
          .where(lt(t.reviewCards.due, before))
          .get()?.n ?? 0
      );
    },

    /** UTC days with any recorded activity, oldest first. */
    activeDays(): string[] {
      return q.activeDays.all().map((r) => r.day);
    },

    /** The quiz item the learner answered last, or null. */
    lastAnsweredItem(): string | null {
      return (
        db.select({ itemId: t.attempts.itemId }).from(t.attempts).orderBy(desc(t.attempts.occurredAt)).limit(1).get()?.itemId ??
        null
      );
    },

    /** The goal and the course it is in (null: set before goals had a course). */
    goal(): CourseGoal | null {
      const row = q.goal.get();
      return row ? { type: row.type, id: row.targetId, targetDate: row.targetDate, course: row.courseId } : null;
    },

    setGoal(value: Goal, courseId: string | null, at: string): void {
      const values = { courseId, type: value.type, targetId: value.id, targetDate: value.targetDate, setAt: at };
      db.insert(t.goal)
        .values({ id: 1, ...values })
        .onConflictDoUpdate({ target: t.goal.id, set: values })
        .run();
    },

    /**
     * Records the items of a freshly ranked list as offered at `at` (lessons with their
     * signal values, each with its first reason), and counts the list's impressions by
     * reason in the shared statistics; true when something was sent there.
     */
    offer(offered: readonly OfferedItem[], courseId: string | null, at: string): boolean {
      const resolved = store.resolveOffers(at);
      const reasons = new Map<string, number>();
      for (const item of offered) {
        const values = { courseId, offeredAt: at, option: item.option ?? null, reason: item.reason, chosen: 0 };
        // A lesson's offer stays pending from its first offer (resolveOffers cleared the expired).
        const pending = db
          .select({ since: t.recommendationOffers.pendingSince, chance: t.recommendationOffers.pendingChance })
          .from(t.recommendationOffers)
          .where(eq(t.recommendationOffers.recommendationId, item.id))
          .get();
        const { chance } = item;
        const outcome =
          pending?.since != null
            ? { pendingSince: pending.since, pendingChance: pending.chance }
            : chance === undefined || !courseId
              ? { pendingSince: null, pendingChance: null }
              : { pendingSince: at, pendingChance: chance };
        db.insert(t.recommendationOffers)
          .values({ recommendationId: item.id, ...values, ...outcome })
          .onConflictDoUpdate({ target: t.recommendationOffers.recommendationId, set: { ...values, ...outcome } })
          .run();
        reasons.set(item.reason, (reasons.get(item.reason) ?? 0) + 1);
      }
      if (!courseId || reasons.size === 0) return resolved > 0;
      const impressions = [...reasons].map(([reason, n]) => ({ reason, n }));
      store.emit({ kind: 'impressions', courseId, day: at.slice(0, 10), impressions }, at);
      return true;
    },

    /**
     * Resolves the pending lesson offers first offered `OFFER_OUTCOME_DAYS` or more before
     * `now` as not completed, each a delta with the chance it had (engagement model health);
     * how many it resolved.
     */
    resolveOffers(now: string): number {
      const before = new Date(Date.parse(now) - OFFER_OUTCOME_DAYS * 86_400_000).toISOString();
      const expired = db
        .select()
        .from(t.recommendationOffers)
        .where(and(isNotNull(t.recommendationOffers.pendingSince), lte(t.recommendationOffers.pendingSince, before)))
        .all();
      for (const row of expired) {
        if (row.courseId && row.pendingChance !== null && row.pendingSince) {
          const day = new Date(Date.parse(row.pendingSince) + OFFER_OUTCOME_DAYS * 86_400_000).toISOString().slice(0, 10);
          store.emit({ kind: 'offer_outcome', courseId: row.courseId, day, predicted: row.pendingChance, completed: false }, now);
        }
      }
      if (expired.length > 0) {
        db.update(t.recommendationOffers)
          .set({ pendingSince: null, pendingChance: null })
          .where(lte(t.recommendationOffers.pendingSince, before))
          .run();
      }
      return expired.length;
    },

    /**
     * The learner completed the lesson `recommendationId` offers at `at` (server time): a
     * pending offer of it resolves as completed (a delta with the chance it had); true then.
     */
    completeOffer(recommendationId: string, at: string): boolean {
      const row = db
        .select()
        .from(t.recommendationOffers)
        .where(eq(t.recommendationOffers.recommendationId, recommendationId))
        .get();
      if (!row?.pendingSince || row.pendingSince > at || row.pendingChance === null || !row.courseId) return false;
      // Past its days, the offer resolves as not completed (the alarm may not have run yet).
      const completed = Date.parse(at) - Date.parse(row.pendingSince) < OFFER_OUTCOME_DAYS * 86_400_000;
      const day = completed
        ? at.slice(0, 10)
        : new Date(Date.parse(row.pendingSince) + OFFER_OUTCOME_DAYS * 86_400_000).toISOString().slice(0, 10);
      store.emit({ kind: 'offer_outcome', courseId: row.courseId, day, predicted: row.pendingChance, completed }, at);
      db.update(t.recommendationOffers)
        .set({ pendingSince: null, pendingChance: null })
        .where(eq(t.recommendationOffers.recommendationId, recommendationId))
        .run();
      return true;
    },

    /** When the oldest pending lesson offer runs out (ms since the epoch), or null when none is pending. */
    nextOfferExpiry(): number | null {
      const row = db
        .select({ since: sql<string | null>`min(${t.recommendationOffers.pendingSince})` })
        .from(t.recommendationOffers)
        .get();
      return row?.since ? Date.parse(row.since) + OFFER_OUTCOME_DAYS * 86_400_000 : null;
    },

    /** The first reason an offered item was given, or null. */
    offerReason(recommendationId: string): string | null {
      return (
        db
          .select({ reason: t.recommendationOffers.reason })
          .from(t.recommendationOffers)
          .where(eq(t.recommendationOffers.recommendationId, recommendationId))
          .get()?.reason ?? null
      );
    },

    /**
     * The list `recommendationId` was last offered in, as a choice of it among the lessons
     * offered with it, when that list was offered at or after `since`, holds two or more
     * lessons and has given no choice yet; the list is then marked chosen, so it counts once.
     * A choice made before the offer (`at` earlier) is none.
     */
    takeChoice(
      recommendationId: string,
      since: string,
      at: string,
    ): { courseId: string; options: RankOption[]; chosen: number } | null {
      const offer = db
        .select()
        .from(t.recommendationOffers)
        .where(eq(t.recommendationOffers.recommendationId, recommendationId))
        .get();
      if (!offer?.option || offer.chosen || offer.offeredAt < since || offer.offeredAt > at || !offer.courseId) return null;
      const list = db
        .select({ id: t.recommendationOffers.recommendationId, option: t.recommendationOffers.option })
        .from(t.recommendationOffers)
        .where(and(eq(t.recommendationOffers.offeredAt, offer.offeredAt), isNotNull(t.recommendationOffers.option)))
        .orderBy(asc(t.recommendationOffers.recommendationId))
        .all();
      db.update(t.recommendationOffers).set({ chosen: 1 }).where(eq(t.recommendationOffers.offeredAt, offer.offeredAt)).run();
      const options = list.flatMap((row) => (row.option ? [row.option] : []));
      if (options.length < 2) return null;
      return { courseId: offer.courseId, options, chosen: list.findIndex((row) => row.id === recommendationId) };
    },

    offered(recommendationId: string): boolean {
      return (
        db
          .select({ id: t.recommendationOffers.recommendationId })
          .from(t.recommendationOffers)
          .where(eq(t.recommendationOffers.recommendationId, recommendationId))
          .get() !== undefined
      );
    },

    /**
     * Marks `action` on a recommendation as counted in the shared statistics, or with
     * `counted` false as taken back out of them; false when it already was so.
     */
    countFeedback(recommendationId: string, action: string, counted = true): boolean {
      const row = db
        .select({ counted: t.recommendationFeedback.counted })
        .from(t.recommendationFeedback)
        .where(eq(t.recommendationFeedback.recommendationId, recommendationId))
        .get();
      const actions = row?.counted.split(',').filter(Boolean) ?? [];
      if (!row || actions.includes(action) === counted) return false;
      const next = counted ? [...actions, action] : actions.filter((a) => a !== action);
      db.update(t.recommendationFeedback)
        .set({ counted: next.map((a) => `${a},`).join('') })
        .where(eq(t.recommendationFeedback.recommendationId, recommendationId))
        .run();
      return true;
    },

    /** The learner's latest action on a recommendation, or null. */
    latestFeedback(recommendationId: string): string | null {
      return (
        db
          .select({ action: t.recommendationFeedback.action })
          .from(t.recommendationFeedback)
          .where(eq(t.recommendationFeedback.recommendationId, recommendationId))
          .get()?.action ?? null
      );
    },

    /** When the server last received an answer of the learner's to a quiz item, or null. */
    lastAnswerReceivedAt(courseId: string, itemId: string): string | null {
      const row = db
        .select({ at: sql<string | null>`max(${t.events.receivedAt})` })
        .from(t.attempts)
        .innerJoin(t.events, eq(t.events.eventId, t.attempts.eventId))
        .where(and(eq(t.attempts.courseId, courseId), eq(t.attempts.itemId, itemId)))
        .get();
      return row?.at ?? null;
    },

    /** Keeps the latest feedback per recommendation (a late older one changes nothing). */
    /**
     * Stores the learner's rating of an answer unless a later one is stored; what it
     * replaced (null: the first), or 'newer' when the stored one is later and stays.
     */
    setAnswerFeedback(
      row: typeof t.answerFeedback.$inferInsert,
    ): { rating: 'up' | 'down'; reason: string | null } | null | 'newer' {
      const before = db.select().from(t.answerFeedback).where(eq(t.answerFeedback.answerKey, row.answerKey)).get();
      if (before && before.at > row.at) return 'newer';
      db.insert(t.answerFeedback)
        .values(row)
        .onConflictDoUpdate({
          target: t.answerFeedback.answerKey,
          set: { rating: sql`excluded.rating`, reason: sql`excluded.reason`, at: sql`excluded.at` },
        })
        .run();
      return before ? { rating: before.rating, reason: before.reason } : null;
    },

    setFeedback(row: typeof t.recommendationFeedback.$inferInsert): void {
      db.insert(t.recommendationFeedback)
        .values(row)
        .onConflictDoUpdate({
          target: t.recommendationFeedback.recommendationId,
          set: {
            action: sql`excluded.action`,
            rating: sql`coalesce(excluded.rating, ${t.recommendationFeedback.rating})`,
            at: sql`excluded.at`,
          },
          setWhere: sql`excluded.at >= ${t.recommendationFeedback.at}`,
        })
        .run();
    },

    dismissedSince(since: string): string[] {
      return q.dismissedSince.all({ since }).map((r) => r.id);
    },

    /** Takes one generation from `day`'s budget if any is left. */
    reserveGeneration(day: string, limit: number): boolean {
      if (limit <= 0) return false;
      const used = db.select().from(t.generationBudgets).where(eq(t.generationBudgets.day, day)).get()?.used ?? 0;
      if (used >= limit) return false;
      db.insert(t.generationBudgets)
        .values({ day, used: 1 })
        .onConflictDoUpdate({ target: t.generationBudgets.day, set: { used: sql`${t.generationBudgets.used} + 1` } })
        .run();
      return true;
    },

    releaseGeneration(day: string): void {
      db.update(t.generationBudgets)
        .set({ used: sql`${t.generationBudgets.used} - 1` })
        .where(and(eq(t.generationBudgets.day, day), gt(t.generationBudgets.used, 0)))
        .run();
    },
  };
  return store;
}
export type LearnerStore = ReturnType<typeof learnerStore>;
