import { DurableObject } from 'cloudflare:workers';
import { DrizzleSqliteDODatabase, SQLiteDOSession } from 'drizzle-orm/durable-sqlite';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import { relationalConfig } from '../../db/client';
import { migrate } from 'drizzle-orm/durable-sqlite/migrator';
import migrations from '../../../migrations/learner/migrations';
import { LIMIT_PERIOD_SECONDS, makeDeps, parseConfig, type Config } from '../../deps';
import { AppError } from '../../http/problem';
import { createLogger, describeError, type Logger } from '../../platform/logger';
import { createJobQueue } from '../../platform/job-queue';
import { createWindowRateLimiter, type RateLimiter } from '../../platform/rate-limiter';
import { DeltaSchema, packDeltas, type AggregateMessage, type Delta } from '../aggregates/aggregates.schemas';
import type { EventMessage } from '../events/events.schemas';
import type { CourseGoal, Goal } from '../recommendations/path.domain';
import { signalWindow } from '../recommendations/recommend.domain';
import { applyLearnerEvent, setConceptMastery, type ApplyEffects, type ApplyOutcome, type EventSubject } from './learner.apply';
import { forgetLegacyLearner, importLegacyLearner, readLegacyLearner } from './learner.legacy';
import * as schema from './learner.schema';
import type { CoursePreferences } from './learners.schemas';
import {
  learnerStore,
  type Consent,
  type LearnerDb,
  type LearnerRecord,
  type LearnerStore,
  type MasteryRow,
  type OfferedItem,
  type PlacementSession,
  type PreferenceChange,
} from './learner.store';
import { localTime, planTimeZone } from '../practice/plan.domain';
import { composeDay, planView } from '../practice/plan.service';
import type { PlanJson } from '../practice/plan.schemas';
import { buildOwedSummaries, weekSoFar, type ConceptTitle } from '../practice/summary.build';
import type { WeeklySummary } from '../practice/summary.schemas';
import { preferencesHash } from './onboarding.domain';
import type { ConceptKey } from '../mastery/mastery.domain';

/** Outbox rows one alarm sends at most (then it sets itself again). */
const FLUSH_ROWS = 1000;
/** Days of event times read for the time of day the learner practises. */
const ACTIVITY_DAYS = 28;
/** Most stored weekly summaries a read returns (a year). */
const SUMMARIES_SHOWN = 53;
/** After a failed send, when the alarm tries again. */
const RETRY_MS = 30_000;

export type NoLearner = { result: 'no_learner' };

/** A learner's side of experiment evaluation (see `Learner.experimentState`). */
export interface ExperimentState {
  consent: boolean;
  consentModel: boolean;
  background: string | null;
  experience: string | null;
  assignments: { experimentId: string; bucketKey: string; variant: string }[];
}

/**
 * Everything of the learner's that ranking and path planning read at `now`: progress,
 * mastery, preferences, goal, due and rightly answered items, recommendations
 * dismissed in the last week, activity per day of the last 28.
 */
function signalRows(store: LearnerStore, now: string, preferences = store.profile()?.preferences ?? null) {
  const { dismissedSince, sinceDay } = signalWindow(new Date(now));
  const goal = store.goal();
  return {
    progress: store.allProgress(),
    mastery: store.allMastery(),
    preferences,
    goal,
    goalCourse: goal?.course ?? null,
    dueItems: store.dueCards(now).map((c) => c.itemId),
    correctItems: [...store.bestAnswers()].filter(([, right]) => right).map(([item]) => item),
    dismissed: store.dismissedSince(dismissedSince),
    days: store.days(sinceDay),
  };
}
export type SignalRows = ReturnType<typeof signalRows>;

/**
 * What composing plan tasks reads: preferences (the learner's own, and each course's own),
 * the last 90 plans, event times of the last 28 days, active days.
 */
function planning(store: LearnerStore, now: string, preferences = store.profile()?.preferences ?? null) {
  const since = new Date(Date.parse(now) - ACTIVITY_DAYS * 86_400_000).toISOString();
  return {
    preferences,
    coursePreferences: store.coursePreferences(),
    plans: store.planHistory(),
    activity: store.activityTimes(since),
    activeDays: store.activeDays(),
  };
}

/** What composing a day's plan reads of the learner (see `Learner.todaysPlan`). */
export type UnplannedDay = ReturnType<typeof planning> & {
  date: string;
  hour: number;
  timeZone: string;
  signals: SignalRows;
};

/** What today's plan reads before the plan, at a database change count (see `Learner.planRead`). */
interface PlanRead {
  changes: number;
  profileId: string | null;
  epoch: number | null;
  preferences: NonNullable<LearnerRecord['preferences']> | null;
  latestPlan: () => ReturnType<LearnerStore['latestPlan']>;
  /** Plans by date, as `refreshedPlan` gave them. */
  plans: Map<string, ReturnType<LearnerStore['refreshedPlan']>>;
}

/**
 * Plans as the API's JSON body, by the stored row they were made from: a revisit of a day
 * whose plan is kept (see `Learner.dayPlan`) shows the same row, validated and written
 * once. A string crosses the RPC boundary in one piece, where the plan's object tree would
 * be copied field by field, then written again by the Worker.
 */
const views = new WeakMap<object, PlanJson>();
function viewOf(row: Parameters<typeof planView>[0]): PlanJson {
  let view = views.get(row);
  if (!view) views.set(row, (view = JSON.stringify(planView(row)) as PlanJson));
  return view;
}

/** When the newest migration was written: drizzle records each one applied with it (`created_at`). */
const NEWEST_MIGRATION = Math.max(...migrations.journal.entries.map((e) => e.when));

/**
 * Whether an object's database has every migration, by drizzle's own test (the last one
 * applied is not older than any): one query when an object wakes, where drizzle's
 * `migrate` opens a transaction, creates its table if missing and reads it. A new object
 * has no migrations table: not current.
 */
function schemaCurrent(storage: DurableObjectStorage): boolean {
  try {
    const { at } = storage.sql.exec<{ at: number | null }>('SELECT max(created_at) AS at FROM __drizzle_migrations').one();
    return at !== null && Number(at) >= NEWEST_MIGRATION;
  } catch {
    return false;
  }
}

/** Built once per isolate, not per object (see `relationalConfig`). */
const RELATIONAL = relationalConfig(schema);
const DIALECT = new SQLiteSyncDialect();

/**
 * One learner's state: a SQLite-backed Durable Object per learner id, reached by typed
 * RPC. The runtime runs one call at a time per object, and each write is one
 * synchronous transaction, so a learner's events apply one after another, each exactly
 * once (the dedupe record commits with the change). Deltas for the shared aggregates
 * in D1 go through an outbox in the same transaction; the alarm sends them to the
 * AGGREGATES queue, packed, and sums heartbeats so they cost no D1 write.
 *
 * Every method takes the learner id the caller's token carries: the object keeps the
 * id it was created with and, called with any other, answers as if there were no such
 * learner.
 */
export class Learner extends DurableObject<Env> {
  private readonly db: LearnerDb;
  private readonly store: LearnerStore;
  /** When the set alarm fires, as far as this instance knows. */
  private alarmAt: number | null = null;
  /** See `planRead`. */
  private keptPlanRead: PlanRead | null = null;
  private readonly config: Config;
  private readonly logger: Logger;
  /** The learner's limit on the routes that ask this object first (see `todaysPlan`): exact, and no round trip. */
  private readonly requests: RateLimiter;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.config = parseConfig(env);
    this.logger = createLogger(this.config.LOG_LEVEL, { object: 'Learner' });
    this.requests = createWindowRateLimiter(this.config.LEARNER_OBJECT_LIMIT, LIMIT_PERIOD_SECONDS);
    this.db = new DrizzleSqliteDODatabase('sync', DIALECT, new SQLiteDOSession(ctx.storage, DIALECT, RELATIONAL, {}), RELATIONAL);
    this.store = learnerStore(this.db, ctx.storage);
    void ctx.blockConcurrencyWhile(async () => {
      if (!schemaCurrent(ctx.storage)) await migrate(this.db, migrations);
      this.alarmAt = await ctx.storage.getAlarm();
    });
  }

  /** Creates the learner (a repeat changes nothing). */
  create(learnerId: string, createdAt: string): void {
    if (this.store.profileId() === null) this.store.createProfile(learnerId, createdAt);
  }

  /**
   * Whether a token of token epoch `epoch` is current: 'signed_out' when that epoch was
   * left (a refresh or "sign out everywhere"), null when the learner does not exist.
   */
  async session(learnerId: string, epoch: number): Promise<'current' | 'signed_out' | null> {
    if (!(await this.open(learnerId))) return null;
    return this.store.tokens()?.epoch === epoch ? 'current' : 'signed_out';
  }

  /**
   * Moves the learner's tokens to a new epoch and returns it, for the one new token:
   * every older token stops working. `refresh` lets a token of the epoch just left
   * refresh again for `graceMs` (another tab refreshing at the same moment) and get the
   * current epoch; `sign_out` gives no grace. 'signed_out' when `epoch` may not renew.
   */
  async renewTokens(
    learnerId: string,
    epoch: number,
    mode: 'refresh' | 'sign_out',
    nowMs: number,
    graceMs: number,
  ): Promise<number | 'signed_out' | null> {
    if (!(await this.open(learnerId))) return null;
    const tokens = this.store.tokens();
    if (!tokens) return null;
    if (mode === 'refresh' && epoch === tokens.epoch - 1 && nowMs < tokens.graceUntil) return tokens.epoch;
    if (epoch !== tokens.epoch) return 'signed_out';
    this.store.setTokens(tokens.epoch + 1, mode === 'refresh' ? nowMs + graceMs : 0);
    return tokens.epoch + 1;
  }

  async profile(learnerId: string): Promise<LearnerRecord | null> {
    return (await this.open(learnerId)) ? this.store.profile() : null;
  }

  /** The profile and every concept's mastery, as personalizing a lesson reads them; null when not `learnerId`'s. */
  async personalizing(learnerId: string): Promise<{
    profile: LearnerRecord | null;
    mastery: MasteryRow[];
    coursePreferences: Record<string, CoursePreferences>;
  } | null> {
    if (!(await this.open(learnerId))) return null;
    return { profile: this.store.profile(), mastery: this.store.allMastery(), coursePreferences: this.store.coursePreferences() };
  }

  /** The learner's own preferences per course (see `coursePreferences` in the store); null when not `learnerId`'s. */
  async coursePreferences(learnerId: string): Promise<Record<string, CoursePreferences> | null> {
    return (await this.open(learnerId)) ? this.store.coursePreferences() : null;
  }

  /** Keeps (or, with null, drops) a course's own preferences; false when not `learnerId`'s. */
  async setCoursePreferences(learnerId: string, courseId: string, preferences: CoursePreferences | null, at: string) {
    if (!(await this.open(learnerId))) return false;
    this.store.setCoursePreferences(courseId, preferences, at);
    return true;
  }

  /** Saves the learner's own preferences; the courses' own ones after it (they see the new ones under theirs), or null when not `learnerId`'s. */
  async savePreferences(
    learnerId: string,
    change: PreferenceChange,
    at: string,
  ): Promise<Record<string, CoursePreferences> | null> {
    if (!(await this.open(learnerId))) return null;
    const emitted = this.ctx.storage.transactionSync(() => this.store.savePreferences(change, at));
    if (emitted) await this.flushWithin(this.config.LEARNER_DELTA_DELAY_MS);
    return this.store.coursePreferences();
  }

  /** What waits to be told to the learner, cleared as it is read (told once); null when not `learnerId`'s. */
  async takeNotices(learnerId: string): Promise<string[] | null> {
    if (!(await this.open(learnerId))) return null;
    return this.ctx.storage.transactionSync(() => this.store.takeNotices());
  }

  /** Records the learner's consent choices; null when the object is not `learnerId`'s. */
  async setConsent(learnerId: string, consent: { model: boolean; analytics: boolean }, at: string): Promise<Consent | null> {
    if (!(await this.open(learnerId))) return null;
    this.ctx.storage.transactionSync(() => this.store.setConsent(consent, at));
    return this.store.consent();
  }

  /**
   * What evaluating an experiment for the learner needs: whether they take part in
   * experiments (analytics consent), their attributes for targeting, and their sticky
   * buckets. Null when the object is not `learnerId`'s.
   */
  async experimentState(learnerId: string): Promise<ExperimentState | null> {
    if (!(await this.open(learnerId))) return null;
    const profile = this.store.profile();
    const preferences = profile?.preferences ?? null;
    return {
      consent: profile?.consent.analytics ?? false,
      consentModel: profile?.consent.model ?? false,
      background: preferences?.background ?? null,
      experience: preferences?.experience ?? null,
      assignments: this.store.assignments(),
    };
  }

  /** Keeps the learner's variant of an experiment and queues their first exposure (see the store). */
  async recordExposure(
    learnerId: string,
    exposure: { experimentId: string; bucketKey: string; variant: string; at: string },
  ): Promise<boolean> {
    if (!(await this.open(learnerId))) return false;
    const changed = this.ctx.storage.transactionSync(() => this.store.recordExposure(exposure));
    if (changed) await this.flushWithin(this.config.LEARNER_DELTA_DELAY_MS);
    return changed;
  }

  /** Every canonical preferences hash the learner has held (for the erase of shared cache entries). */
  async preferenceHashes(learnerId: string): Promise<string[] | null> {
    if (!(await this.open(learnerId))) return null;
    const hashes = await Promise.all(this.store.preferenceHistory().map((preferences) => preferencesHash(preferences)));
    const current = this.store.profile()?.preferencesHash;
    return [...new Set([...hashes, ...(current ? [current] : [])])];
  }

  /** Applies one event exactly once; `subject` is what the course says the event is about. */
  async apply(learnerId: string, message: EventMessage, subject: EventSubject): Promise<ApplyOutcome | NoLearner> {
    if (message.learnerId !== learnerId || !(await this.open(learnerId))) return { result: 'no_learner' };
    const effects: ApplyEffects = { emitted: false, pendingActivity: false };
    const outcome = this.ctx.storage.transactionSync(() => applyLearnerEvent(this.store, message, subject, effects));
    if (effects.emitted) await this.flushWithin(this.config.LEARNER_DELTA_DELAY_MS);
    else if (effects.pendingActivity) await this.flushWithin(this.config.LEARNER_ACTIVITY_FLUSH_MS);
    // Without an alarm, nothing would come back to delete this event when its retention ends.
    else if (this.alarmAt === null && outcome.result === 'applied') await this.retain(Date.now());
    return outcome;
  }

  /** Reads answer null when the object is not `learnerId`'s (no such learner). */
  async lessonProgress(learnerId: string, slug: string) {
    if (!(await this.open(learnerId))) return null;
    return this.store.lessonProgress(slug);
  }

  /** Progress per lesson and activity per day since `sinceDay`. */
  async progress(learnerId: string, sinceDay: string) {
    if (!(await this.open(learnerId))) return null;
    return { lessons: this.store.allProgress(), days: this.store.days(sinceDay), courses: this.store.progressByCourse() };
  }

  /** The ability estimate and, per answered item, whether any answer was right. */
  async quizState(learnerId: string) {
    if (!(await this.open(learnerId))) return null;
    return {
      ability: this.store.ability(),
      best: [...this.store.bestAnswers()].map(([itemId, correct]) => ({ itemId, correct })),
      lastItemId: this.store.lastAnsweredItem(),
    };
  }

  /** Mastery per answered concept and every review card. */
  async model(learnerId: string) {
    if (!(await this.open(learnerId))) return null;
    return { mastery: this.store.allMastery(), cards: this.store.allCards() };
  }

  /** Cards due by `now` (soonest first), and the items and times of those due later. */
  async reviews(learnerId: string, now: string) {
    if (!(await this.open(learnerId))) return null;
    return { due: this.store.dueCards(now), later: this.store.laterCards(now) };
  }

  async hasCard(learnerId: string, itemId: string): Promise<boolean> {
    return (await this.open(learnerId)) && this.store.hasCard(itemId);
  }

  /**
   * The learner's plan for their local today (see `planInputs` for the day and the
   * token check), as the API shows it, in one call: the stored one when the day has one,
   * else composed here (`composeDay`, which reads the course from D1 and KV) and stored,
   * the first saved winning. `dynamic` is DYNAMIC_PLANS as the calling Worker has it.
   * `io` is what composing cost (the Worker's request reports it), `problem` a refusal
   * to compose (an error's class does not survive the call). Null when the object is
   * not `learnerId`'s (also when the learner was erased meanwhile). Every call counts
   * against the learner's limit, which this object keeps for the route (the Worker asks
   * the binding only for the address's): 'rate_limited' when it is spent.
   */
  async todaysPlan(
    learnerId: string,
    now: string,
    fallbackZone: string | null,
    epoch: number | null,
    { requestId, dynamic }: { requestId: string; dynamic: boolean },
  ) {
    if (!(await this.requests.allow(learnerId))) return 'rate_limited' as const;
    const day = await this.planInputs(learnerId, now, fallbackZone, epoch);
    if (day === null || day === 'signed_out') return day;
    if (day.plan) return { plan: viewOf(day.plan), io: null };
    const deps = makeDeps(this.env, this.config, this.logger.child({ requestId }));
    let composed: Awaited<ReturnType<typeof composeDay>>;
    try {
      composed = await composeDay(deps, { learnerId, now: new Date(now), dynamic }, day);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      return { problem: { code: error.code, detail: error.message }, io: deps.meter };
    }
    if (!(await this.open(learnerId))) return null;
    const { summaryDue } = composed;
    const plan = viewOf(this.store.savePlan(composed.plan, summaryDue));
    // The schedule is needed by the week's end: it goes with the next flush, heartbeats' pace at the latest.
    if (summaryDue) await this.flushWithin(this.config.LEARNER_ACTIVITY_FLUSH_MS);
    return { plan, io: deps.meter };
  }

  /**
   * The learner's local date and hour at `now` (in their stored time zone, else
   * `fallbackZone`, else UTC) and that day's plan if it has one, else what composing it
   * needs: preferences, the last 90 plans, event times of the last 28 days, active days
   * and what ranking reads (`signals`). Null when the object is not `learnerId`'s;
   * 'signed_out' when `epoch` (the caller's token's, when the Worker has not confirmed
   * it lately) is not the current one. Called by `todaysPlan`, not over RPC.
   */
  private async planInputs(learnerId: string, now: string, fallbackZone: string | null, epoch: number | null) {
    // The kept read knows the learner's id: `open` (one more query) only when it is not theirs.
    let kept = this.planRead();
    if (kept.profileId !== learnerId) {
      if (!(await this.open(learnerId))) return null;
      kept = this.planRead();
    }
    if (epoch !== null && kept.epoch !== epoch) return 'signed_out' as const;
    const { preferences } = kept;
    const at = new Date(now);
    const timeZone = planTimeZone(preferences?.timeZone, kept.latestPlan, fallbackZone, at);
    const { date, hour } = localTime(at, timeZone);
    const plan = this.dayPlan(kept, date);
    if (plan) return { date, hour, timeZone, plan };
    // The preferences read above serve both: the profile row is read and validated once.
    return {
      date,
      hour,
      timeZone,
      plan: null,
      ...planning(this.store, now, preferences),
      signals: signalRows(this.store, now, preferences),
    };
  }

  /**
   * How many rows this object's database has written since it opened (SQLite's
   * `total_changes()`): a read kept at one count still holds while the count stands.
   */
  private changeCount(): number {
    return this.ctx.storage.sql.exec<{ n: number }>('SELECT total_changes() AS n').one().n;
  }

  /**
   * What a visit to today's plan reads before the plan (the learner's id, token epoch,
   * preferences, the latest plan's zone), kept while the database is unchanged: a
   * learner reopening the page costs one small query (the count), not seven with their
   * JSON and validation.
   */
  private planRead(): PlanRead {
    const changes = this.changeCount();
    if (this.keptPlanRead?.changes === changes) return this.keptPlanRead;
    let latest: ReturnType<LearnerStore['latestPlan']> | undefined;
    const profile = this.store.profileWithEpoch();
    this.keptPlanRead = {
      changes,
      profileId: profile?.record.learnerId ?? null,
      epoch: profile?.epoch ?? null,
      preferences: profile?.record.preferences ?? null,
      latestPlan: () => (latest === undefined ? (latest = this.store.latestPlan()) : latest),
      plans: new Map(),
    };
    return this.keptPlanRead;
  }

  /** The plan of `date` with its self-completing tasks ticked (see the store), kept in `kept` unless ticking wrote. */
  private dayPlan(kept: PlanRead, date: string) {
    const known = kept.plans.get(date);
    if (known !== undefined) return known;
    const plan = this.store.refreshedPlan(date);
    if (this.changeCount() === kept.changes) kept.plans.set(date, plan);
    else this.keptPlanRead = null;
    return plan;
  }

  /** A day's plan (its tasks that completed themselves ticked) and what composing a task for it needs; null when not `learnerId`'s. */
  async swapInputs(learnerId: string, date: string, now: string) {
    if (!(await this.open(learnerId))) return null;
    return { plan: this.store.refreshedPlan(date), ...planning(this.store, now), signals: signalRows(this.store, now) };
  }

  /** What the practice profile reads (see `planning`); null when not `learnerId`'s. */
  async practiceInputs(learnerId: string, now: string) {
    if (!(await this.open(learnerId))) return null;
    return planning(this.store, now);
  }

  /** Swaps an open task of a day's plan (see the store); the day's plan after, or 'gone'. */
  async swapPlanItem(learnerId: string, date: string, itemId: string, replacement: schema.StoredPlanItem, at: string) {
    if (!(await this.open(learnerId))) return null;
    const result = this.store.swapPlanItem(date, itemId, replacement, at);
    return result === 'gone' ? result : this.store.plan(date);
  }

  /** Builds the weekly summaries the learner is owed (see `buildOwedSummaries`); null when not `learnerId`'s. */
  async buildSummaries(learnerId: string, now: string, concepts: ConceptTitle[]) {
    if (!(await this.open(learnerId))) return null;
    return buildOwedSummaries(this.store, now, concepts);
  }

  /** Puts a model's phrasing of a week's insights in its summary once; null when not `learnerId`'s. */
  async phraseSummary(learnerId: string, week: string, insights: WeeklySummary['insights'], model: string) {
    if (!(await this.open(learnerId))) return null;
    return this.store.phraseSummary(week, insights, model);
  }

  /** Stored weekly summaries, newest first; null when not `learnerId`'s. */
  async storedSummaries(learnerId: string) {
    if (!(await this.open(learnerId))) return null;
    return this.store.summaries(SUMMARIES_SHOWN).map((r) => r.summary);
  }

  /** The summary of the current local week so far; null when not `learnerId`'s. */
  async currentSummary(learnerId: string, now: string, concepts: ConceptTitle[]) {
    if (!(await this.open(learnerId))) return null;
    return weekSoFar(this.store, now, concepts);
  }

  /** Starts a conversation; null when not `learnerId`'s. */
  async createConversation(learnerId: string, conversation: typeof schema.conversations.$inferInsert) {
    if (!(await this.open(learnerId))) return null;
    this.store.createConversation(conversation);
    return this.store.conversation(conversation.id);
  }

  /** The learner's conversations, most recent first; null when not `learnerId`'s. */
  async conversations(learnerId: string, limit: number) {
    if (!(await this.open(learnerId))) return null;
    return this.store.conversations(limit);
  }

  /** One conversation with its messages ('none' when the learner has no such one); null when not `learnerId`'s. */
  async conversation(learnerId: string, id: string) {
    if (!(await this.open(learnerId))) return null;
    return this.store.conversation(id) ?? ('none' as const);
  }

  /** Appends a question and its answer (see the store); the conversation after, 'full' or 'none'; null when not `learnerId`'s. */
  async appendTurn(
    learnerId: string,
    id: string,
    turn: Omit<typeof schema.conversationMessages.$inferInsert, 'conversationId' | 'position'>[],
    at: string,
    maxMessages: number,
  ) {
    if (!(await this.open(learnerId))) return null;
    const conversation = this.store.conversation(id);
    if (!conversation) return 'none' as const;
    const added = this.ctx.storage.transactionSync(() => this.store.appendTurn(id, turn, at, maxMessages));
    return added ? this.store.conversation(id) : ('full' as const);
  }

  /** Everything of the learner's that ranking and path planning read at `now`, in one call. */
  async signals(learnerId: string, now: string) {
    if (!(await this.open(learnerId))) return null;
    return signalRows(this.store, now);
  }

  /** A placement session in a course: the one named, else the newest (null when none, or no such learner). */
  /** The newest placement of a course, or the one `id` names (in `courseId`, or in any course when null). */
  async placement(learnerId: string, courseId: string | null, id?: string): Promise<{ session: PlacementSession | null } | null> {
    return (await this.open(learnerId)) ? { session: this.store.placement(courseId, id) } : null;
  }

  /** Starts `session`, unless a session of the course is active and `restart` is false: then that one goes on. */
  async startPlacement(learnerId: string, session: PlacementSession, restart: boolean): Promise<PlacementSession | null> {
    if (!(await this.open(learnerId))) return null;
    return this.ctx.storage.transactionSync(() => {
      const current = this.store.placement(session.courseId);
      if (current?.status === 'active' && !restart) return current;
      this.store.savePlacement(session);
      return session;
    });
  }

  /**
   * Saves a placement session after an answer, only if it still stands where the answer found it
   * (active, `expected.answered` answers, asking `expected.itemId`): else another answer got there
   * first ('conflict'). A finishing answer (`placed`) also sets the concepts' mastery (never lower
   * than the learner's) and the ability the test measured, in the same transaction.
   */
  async answerPlacement(
    learnerId: string,
    expected: { answered: number; itemId: string },
    next: PlacementSession,
    placed: { conceptId: string; pKnown: number; linked?: ConceptKey[] }[] | null,
    at: string,
  ): Promise<'saved' | 'conflict' | null> {
    if (!(await this.open(learnerId))) return null;
    let emitted = false;
    const outcome = this.ctx.storage.transactionSync(() => {
      const store = this.store;
      const current = store.placement(next.courseId, next.id);
      if (
        !current ||
        current.status !== 'active' ||
        current.answers.length !== expected.answered ||
        current.currentItemId !== expected.itemId
      ) {
        return 'conflict' as const;
      }
      store.savePlacement(next);
      if (!placed) return 'saved' as const;
      // A concept an author linked to other courses' is placed in those too.
      for (const { conceptId, pKnown, linked = [] } of placed) {
        for (const concept of [{ courseId: next.courseId, conceptId }, ...linked]) {
          const before = store.mastery(concept.courseId, concept.conceptId);
          if (before && before.pKnown >= pKnown) continue;
          const state = { pKnown, attempts: before?.attempts ?? 0, correct: before?.correct ?? 0 };
          if (setConceptMastery(store, concept, state, at)) emitted = true;
        }
      }
      store.setAbility({ theta: next.theta, se: next.thetaSe }, at);
      return 'saved' as const;
    });
    if (emitted) await this.flushWithin(this.config.LEARNER_DELTA_DELAY_MS);
    return outcome;
  }

  /** Records a freshly ranked list's recommendations as offered (feedback is taken on these only). */
  async offer(learnerId: string, offered: OfferedItem[], courseId: string | null, at: string): Promise<boolean> {
    if (!(await this.open(learnerId))) return false;
    const emitted = this.ctx.storage.transactionSync(() => this.store.offer(offered, courseId, at));
    if (emitted) await this.flushWithin(this.config.LEARNER_DELTA_DELAY_MS);
    await this.resolveOffersWhenDue();
    return true;
  }

  async goal(learnerId: string): Promise<CourseGoal | null> {
    return (await this.open(learnerId)) ? this.store.goal() : null;
  }

  async setGoal(learnerId: string, goal: Goal, courseId: string | null, at: string): Promise<boolean> {
    if (!(await this.open(learnerId))) return false;
    this.store.setGoal(goal, courseId, at);
    return true;
  }

  async reserveGeneration(learnerId: string, day: string, limit: number): Promise<boolean> {
    if (!(await this.open(learnerId))) return false;
    return this.ctx.storage.transactionSync(() => this.store.reserveGeneration(day, limit));
  }

  async releaseGeneration(learnerId: string, day: string): Promise<void> {
    if (await this.open(learnerId)) this.store.releaseGeneration(day);
  }

  /** Moves the learner's rows from D1 if they are still there: 'moved', 'here' (already moved or new) or 'absent'. */
  async move(learnerId: string): Promise<'moved' | 'here' | 'absent'> {
    const had = this.store.profileId() !== null;
    if (!(await this.open(learnerId))) return 'absent';
    if (!had) return 'moved';
    // A crash between an import and D1's delete leaves rows there: delete them again (a no-op when none).
    await forgetLegacyLearner(this.env.DB, learnerId);
    return 'here';
  }

  /**
   * Every table of this object that holds the learner's data (a new table is exported
   * without naming it here), not the runtime's and tools' own (`sqlite_`, `_cf_`, and `__`
   * such as drizzle's migrations or miniflare's object name); null when not `learnerId`'s.
   */
  async exportTables(learnerId: string): Promise<string[] | null> {
    if (!(await this.open(learnerId))) return null;
    return this.ctx.storage.sql
      .exec<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND name NOT LIKE '\\_\\_%' ESCAPE '\\' ORDER BY name",
      )
      .toArray()
      .map((r) => r.name);
  }

  /**
   * One page of a table's rows in storage order, after row `after` (0: from the start), so an
   * export streams page by page; `next` is the cursor for the following page, null at the end.
   */
  async exportPage(
    learnerId: string,
    table: string,
    after: number,
    limit: number,
  ): Promise<{ rows: Record<string, SqlStorageValue>[]; next: number | null } | null> {
    const tables = await this.exportTables(learnerId);
    if (!tables?.includes(table)) return null;
    const rows = this.ctx.storage.sql
      .exec<Record<string, SqlStorageValue>>(
        `SELECT rowid AS "__row", * FROM "${table}" WHERE rowid > ? ORDER BY rowid LIMIT ?`,
        after,
        limit,
      )
      .toArray();
    const last = rows.at(-1)?.__row;
    return {
      rows: rows.map(({ __row: _row, ...row }) => row),
      next: rows.length === limit && typeof last === 'number' ? last : null,
    };
  }

  /**
   * Erases everything this object holds (and its alarm, so no delta leaves after), then
   * recreates its empty tables. False when the object is not `learnerId`'s.
   */
  async erase(learnerId: string): Promise<boolean> {
    if (!(await this.open(learnerId))) return false;
    await this.ctx.blockConcurrencyWhile(async () => {
      await this.ctx.storage.deleteAlarm();
      await this.ctx.storage.deleteAll();
      this.alarmAt = null;
      this.keptPlanRead = null;
      await migrate(this.db, migrations);
    });
    return true;
  }

  /** What waits to be sent to the shared aggregates and what was sent; null when the object is not `learnerId`'s. */
  async delivery(learnerId: string) {
    return (await this.open(learnerId)) ? this.store.delivery() : null;
  }

  /** Sends what waits: pending heartbeat seconds become deltas, and the outbox goes to the queue. */
  async flush(): Promise<number> {
    const now = new Date().toISOString();
    this.ctx.storage.transactionSync(() => this.store.drainPendingActivity(now));
    const rows = this.store.outbox(FLUSH_ROWS);
    const learnerId = this.store.profileId();
    const last = rows.at(-1);
    if (!learnerId || !last) return 0;
    const deltas: Delta[] = rows.map((r) => DeltaSchema.parse({ ...r.delta, seq: r.seq }));
    const messages = packDeltas(learnerId, deltas);
    await createJobQueue<AggregateMessage>(this.env.AGGREGATES).sendAll(messages);
    // Sent rows go only after the queue took them; a crash before this resends them, and
    // the consumer's receipts make the repeat a no-op.
    this.ctx.storage.transactionSync(() => this.store.sent(last.seq, messages.length, deltas.length, now));
    if (rows.length === FLUSH_ROWS) await this.flushWithin(0);
    return messages.length;
  }

  override async alarm(): Promise<void> {
    this.alarmAt = null;
    // Lesson offers whose week ran out resolve as not completed before the deltas go.
    this.ctx.storage.transactionSync(() => this.store.resolveOffers(new Date().toISOString()));
    try {
      await this.flush();
    } catch (error) {
      // The deltas stay in the outbox; the next alarm sends them.
      this.logger.log('warn', 'learner.flush_failed', describeError(error));
      await this.flushWithin(RETRY_MS);
    }
    await this.retain(Date.now());
    await this.resolveOffersWhenDue();
  }

  /** Makes sure the alarm comes back when the oldest pending lesson offer runs out (a learner who leaves still resolves theirs). */
  private async resolveOffersWhenDue(): Promise<void> {
    const expiry = this.store.nextOfferExpiry();
    if (expiry !== null) await this.flushWithin(Math.max(0, expiry - Date.now()));
  }

  /**
   * Deletes the learner's raw events older than the retention window (EVENT_RETENTION_DAYS;
   * what they changed stays) and makes sure the alarm comes back when the oldest one left
   * expires. Dedupe needs none of them: events are accepted only within days of receipt.
   */
  private async retain(now: number): Promise<void> {
    const windowMs = this.config.EVENT_RETENTION_DAYS * 86_400_000;
    const oldest = this.ctx.storage.transactionSync(() => this.store.pruneEvents(new Date(now - windowMs).toISOString()));
    if (oldest !== null) await this.flushWithin(Math.max(0, Date.parse(oldest) + windowMs - now));
  }

  /** Makes sure the alarm fires within `ms`. */
  private async flushWithin(ms: number): Promise<void> {
    const at = Date.now() + ms;
    if (this.alarmAt !== null && this.alarmAt <= at) return;
    await this.ctx.storage.setAlarm(at);
    this.alarmAt = at;
  }

  /**
   * Whether this object is `learnerId`'s (any other id finds no learner here). An object without a profile looks for the
   * learner's rows in D1 (from before learner objects) and moves them here, holding
   * other calls until it is done so the move happens once.
   */
  private async open(learnerId: string): Promise<boolean> {
    const existing = this.store.profileId();
    // The Worker derives the object from the id, so a mismatch is a bug: it finds no learner.
    if (existing !== null) return existing === learnerId;
    return this.ctx.blockConcurrencyWhile(async () => {
      const created = this.store.profileId();
      if (created !== null) return created === learnerId;
      const legacy = await readLegacyLearner(this.env.DB, learnerId);
      if (!legacy) return false;
      const movedAt = new Date().toISOString();
      this.ctx.storage.transactionSync(() => importLegacyLearner(this.db, learnerId, legacy, movedAt));
      await forgetLegacyLearner(this.env.DB, learnerId);
      return true;
    });
  }
}
