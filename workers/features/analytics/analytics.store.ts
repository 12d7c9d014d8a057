import { courseConceptLabel } from '../concepts/concepts.store';
import { LESSON_RECOMMENDATION_STATS } from '../recommendations/recommend.shared';
import {
  analyseItem,
  driftOf,
  predictionFigures,
  retention,
  weekOf,
  type ItemAnalysis,
  type PredictionBin,
  type PredictionFigures,
} from './analytics.domain';

/** A learner counts as active on a day with time, a completion, an answer, a plan task, a rating or an accepted recommendation. */
const ACTIVE = `(active_seconds > 0 OR completions > 0 OR attempts > 0 OR plan_done > 0 OR plan_skipped > 0
  OR answers_up <> 0 OR answers_down <> 0 OR recs_accepted > 0)`;
/** Monday of a day's week, in SQLite. */
const MONDAY = (day: string) => `date(${day}, '-' || ((CAST(strftime('%w', ${day}) AS INTEGER) + 6) % 7) || ' days')`;
/** Weeks of cohorts the retention table shows. */
const RETENTION_WEEKS = 12;
const RECOMMENDATION_TOTALS =
  'coalesce(sum(s.accepted), 0) AS accepted, coalesce(sum(s.dismissed), 0) AS dismissed, coalesce(sum(s.completed), 0) AS completed';

const shift = (day: string, days: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

export interface Overview {
  today: string;
  activeLearners: { day: number; week: number; month: number };
  daily: { day: string; learners: number }[];
  funnel: { step: 'onboarded' | 'first_lesson' | 'first_completion' | 'returned'; learners: number; share: number }[];
  retention: { cohort: string; learners: number; weeks: number[] }[];
}

export interface LessonFigures {
  courseId: string;
  lessonSlug: string;
  title: string;
  started: number;
  completed: number;
  completionRate: number;
  /** Started and not (yet) completed, as a share of those who started. */
  dropOff: number;
  activeMinutes: number;
  minutesPerStarter: number;
}

export interface ModelHealth {
  from: string;
  to: string;
  models: {
    model: 'bkt' | 'fsrs' | 'engagement' | 'lesson_engagement';
    /** What is predicted: a right answer (BKT) or a recalled review (FSRS). */
    predicts: string;
    overall: PredictionFigures;
    weekly: ({ week: string } & PredictionFigures)[];
    calibration: { bin: number; predictions: number; meanPredicted: number; observed: number }[];
    drift: string | null;
  }[];
  /** BKT's figures and the learners' outcomes by onboarding segment, so unequal treatment shows. */
  segments: ({ segment: string } & PredictionFigures)[];
  recommendations: {
    accepted: number;
    dismissed: number;
    completed: number;
    /** Accepted over accepted and dismissed. */
    acceptance: number | null;
    /** Completed over accepted. */
    hitRate: number | null;
    weeklyAccepted: { week: string; accepted: number }[];
  };
  /** Per concept, learners who answered on it at each level now (the mastery distribution). */
  mastery: { courseId: string; conceptId: string; title: string; learning: number; practising: number; mastered: number }[];
}

export interface Engagement {
  from: string;
  to: string;
  /** Daily-plan tasks done and skipped per category (each task's first outcome). */
  plans: { category: string; done: number; skipped: number; completion: number }[];
  /** Thumbs on answers per engine, with the reasons given (all time). */
  answers: {
    engine: string;
    up: number;
    down: number;
    helpfulness: number | null;
    reasons: { reason: string; up: number; down: number }[];
  }[];
  /** Items of freshly ranked lists by their first reason: offered, accepted, dismissed. */
  recommendations: { reason: string; impressions: number; accepted: number; dismissed: number; acceptance: number | null }[];
  /** Normalized queries that found nothing, most frequent first. */
  searchMisses: { query: string; searches: number; lastDay: string }[];
  /** Model requests answered offline because a daily budget was spent. */
  budgetHits: { feature: string; reason: 'learner_spent' | 'platform_spent'; hits: number }[];
}

/** Analytics reads: every one from the rollups the events consumer keeps, never from raw events. */
export interface AnalyticsStore {
  /** A stored read (JSON) and when it was computed; null when there is none. */
  snapshot(key: string): Promise<{ computedAt: string; body: string } | null>;
  saveSnapshot(key: string, body: unknown, computedAt: string): Promise<void>;
  /** Engagement; with `course`, that course's plans, answers and recommendations (search misses and budget hits are the catalog's). */
  engagement(today: string, days: number, course?: string): Promise<Engagement>;
  /** The overview of every course, or of `course` (its learners' activity in it). */
  overview(today: string, days: number, course?: string): Promise<Overview>;
  lessons(course?: string): Promise<LessonFigures[]>;
  items(course?: string): Promise<ItemAnalysis[]>;
  /**
   * The learner model's health; with `course`, predictions, recommendation totals, weekly
   * acceptances and mastery of that course.
   */
  modelHealth(today: string, days: number, course?: string): Promise<ModelHealth>;
}

const PREDICTS = {
  bkt: 'a right answer (P(right) before it)',
  fsrs: 'a recalled review (retrievability before it)',
  engagement: "a completed plan task (the planner's completion chance, against the task's first outcome: completed or skipped)",
  lesson_engagement:
    "an offered lesson completed within a week (the recommender's completion chance at the lesson's first offer, against whether the learner completed it in the week after)",
} as const;

/**
 * The learners' daily rollup, of one course when the `?` it opens with is bound to a course id
 * (null: every course); the course comes first among a statement's parameters.
 */
const ACTIVITY = '(SELECT * FROM learner_activity_daily WHERE course_id = coalesce(?, course_id))';

export function createD1AnalyticsStore(d1: D1Database): AnalyticsStore {
  return {
    async snapshot(key) {
      const row = await d1
        .prepare('SELECT computed_at, body FROM analytics_snapshots WHERE key = ?')
        .bind(key)
        .first<{ computed_at: string; body: string }>();
      return row ? { computedAt: row.computed_at, body: row.body } : null;
    },

    async saveSnapshot(key, body, computedAt) {
      await d1
        .prepare(
          `INSERT INTO analytics_snapshots (key, computed_at, body) VALUES (?, ?, ?)
           ON CONFLICT (key) DO UPDATE SET computed_at = excluded.computed_at, body = excluded.body
           WHERE excluded.computed_at >= analytics_snapshots.computed_at`,
        )
        .bind(key, computedAt, JSON.stringify(body))
        .run();
    },

    async overview(today, days, course) {
      const since = shift(today, -(days - 1));
      const cohortsSince = shift(weekOf(today), -7 * (RETENTION_WEEKS - 1));
      const only = course ?? null;
      const count = (from: string) =>
        d1
          .prepare(`SELECT count(DISTINCT learner_id) AS n FROM ${ACTIVITY} WHERE day BETWEEN ? AND ? AND ${ACTIVE}`)
          .bind(only, from, today);
      const [dayRow, weekRow, monthRow, daily, funnel, cohorts, weeks] = await d1.batch<Record<string, unknown>>([
        count(today),
        count(shift(today, -6)),
        count(shift(today, -29)),
        d1
          .prepare(
            `SELECT day, count(DISTINCT learner_id) AS learners FROM ${ACTIVITY}
             WHERE day BETWEEN ? AND ? AND ${ACTIVE} GROUP BY day ORDER BY day`,
          )
          .bind(only, since, today),
        d1
          .prepare(
            `WITH per AS (
               SELECT learner_id, max(onboarded) AS onboarded, max(active_seconds > 0 OR completions > 0 OR attempts > 0) AS started,
                 max(completions > 0) AS completed, count(DISTINCT CASE WHEN ${ACTIVE} THEN day END) AS days
               FROM ${ACTIVITY} GROUP BY learner_id)
             SELECT coalesce(sum(onboarded > 0), 0) AS onboarded, coalesce(sum(started), 0) AS started,
               coalesce(sum(completed), 0) AS completed, coalesce(sum(days >= 2), 0) AS returned FROM per`,
          )
          .bind(only),
        d1
          .prepare(
            `WITH first AS (SELECT learner_id, min(day) AS day FROM ${ACTIVITY} WHERE ${ACTIVE} GROUP BY learner_id)
             SELECT ${MONDAY('day')} AS cohort, count(*) AS learners FROM first WHERE day >= ? GROUP BY cohort`,
          )
          .bind(only, cohortsSince),
        d1
          .prepare(
            `WITH first AS (SELECT learner_id, min(day) AS day FROM ${ACTIVITY} WHERE ${ACTIVE} GROUP BY learner_id),
               active AS (SELECT DISTINCT learner_id, ${MONDAY('day')} AS week FROM ${ACTIVITY} WHERE day >= ? AND ${ACTIVE})
             SELECT ${MONDAY('first.day')} AS cohort, active.week AS week, count(*) AS learners
             FROM first JOIN active ON active.learner_id = first.learner_id
             WHERE first.day >= ? GROUP BY cohort, week`,
          )
          .bind(only, only, cohortsSince, cohortsSince),
      ]);
      const n = (r: D1Result<Record<string, unknown>> | undefined) => Number(r?.results[0]?.n ?? 0);
      const f = (funnel?.results[0] ?? {}) as Record<string, number>;
      const steps = [
        ['onboarded', f.onboarded ?? 0],
        ['first_lesson', f.started ?? 0],
        ['first_completion', f.completed ?? 0],
        ['returned', f.returned ?? 0],
      ] as const;
      const top = Math.max(1, ...steps.map(([, v]) => v));
      return {
        today,
        activeLearners: { day: n(dayRow), week: n(weekRow), month: n(monthRow) },
        daily: (daily?.results ?? []).map((r) => ({ day: String(r.day), learners: Number(r.learners) })),
        funnel: steps.map(([step, learners]) => ({ step, learners, share: learners / top })),
        retention: retention(
          (weeks?.results ?? []).map((r) => ({ cohort: String(r.cohort), week: String(r.week), learners: Number(r.learners) })),
          new Map((cohorts?.results ?? []).map((r) => [String(r.cohort), Number(r.learners)])),
          weekOf(today),
        ),
      };
    },

    async lessons(course) {
      const { results } = await d1
        .prepare(
          `SELECT s.course_id, s.lesson_slug, coalesce(l.title, s.lesson_slug) AS title, s.started, s.completed,
             coalesce((SELECT sum(active_seconds) FROM lesson_activity_daily d WHERE d.course_id = s.course_id AND d.lesson_slug = s.lesson_slug), 0) AS seconds
           FROM lesson_stats s LEFT JOIN lessons l ON l.slug = s.lesson_slug
           WHERE s.course_id = coalesce(?, s.course_id)
           ORDER BY coalesce(l.position, 1e9), s.lesson_slug`,
        )
        .bind(course ?? null)
        .all<{ course_id: string; lesson_slug: string; title: string; started: number; completed: number; seconds: number }>();
      return results.map((r) => {
        // A completion without an open counted (data from before the rollup) still counts as a start.
        const started = Math.max(r.started, r.completed);
        return {
          courseId: r.course_id,
          lessonSlug: r.lesson_slug,
          title: r.title,
          started,
          completed: r.completed,
          completionRate: started > 0 ? r.completed / started : 0,
          dropOff: started > 0 ? (started - r.completed) / started : 0,
          activeMinutes: r.seconds / 60,
          minutesPerStarter: started > 0 ? r.seconds / 60 / started : 0,
        };
      });
    },

    async modelHealth(today, days, course) {
      const from = shift(today, -(days - 1));
      const only = course ?? null;
      const [bins, recs, weekly, levels] = await d1.batch<Record<string, unknown>>([
        d1
          .prepare(
            `SELECT day, model, segment, bin, n, positives, sum_predicted, sum_log_loss FROM prediction_bins
             WHERE day BETWEEN ? AND ? AND course_id = coalesce(?, course_id)`,
          )
          .bind(from, today, only),
        // A recommendation is of its lesson's course; a removed lesson's count for no course.
        only === null
          ? d1.prepare(`SELECT ${RECOMMENDATION_TOTALS} FROM recommendation_stats s`)
          : d1
              .prepare(`SELECT ${RECOMMENDATION_TOTALS} FROM lessons l ${LESSON_RECOMMENDATION_STATS} WHERE l.course_id = ?`)
              .bind(only),
        d1
          .prepare(
            `SELECT ${MONDAY('day')} AS week, sum(recs_accepted) AS accepted FROM learner_activity_daily
             WHERE day BETWEEN ? AND ? AND course_id = coalesce(?, course_id) GROUP BY week ORDER BY week`,
          )
          .bind(from, today, only),
        d1
          .prepare(
            `SELECT m.course_id, m.concept_id, coalesce(${courseConceptLabel('m.concept_id', 'm.course_id')}, m.concept_id) AS title,
               m.level, m.learners
             FROM concept_mastery_levels m
             WHERE m.learners > 0 AND m.course_id = coalesce(?, m.course_id) ORDER BY m.course_id, title`,
          )
          .bind(only),
      ]);
      const mastery = new Map<string, ModelHealth['mastery'][number]>();
      for (const r of levels?.results ?? []) {
        const key = `${String(r.course_id)}\u0000${String(r.concept_id)}`;
        const row = mastery.get(key) ?? {
          courseId: String(r.course_id),
          conceptId: String(r.concept_id),
          title: String(r.title),
          learning: 0,
          practising: 0,
          mastered: 0,
        };
        const level = String(r.level);
        if (level === 'learning' || level === 'practising' || level === 'mastered') row[level] = Number(r.learners);
        mastery.set(key, row);
      }
      const rows = (bins?.results ?? []).map((r) => ({
        day: String(r.day),
        model: String(r.model) as 'bkt' | 'fsrs' | 'engagement' | 'lesson_engagement',
        segment: String(r.segment),
        bin: Number(r.bin),
        n: Number(r.n),
        positives: Number(r.positives),
        sumPredicted: Number(r.sum_predicted),
        sumLogLoss: Number(r.sum_log_loss),
      }));
      /** Bins of the matching rows merged by bin. */
      const merged = (keep: (r: (typeof rows)[number]) => boolean): PredictionBin[] => {
        const byBin = new Map<number, PredictionBin>();
        for (const r of rows.filter(keep)) {
          const b = byBin.get(r.bin) ?? { bin: r.bin, n: 0, positives: 0, sumPredicted: 0, sumLogLoss: 0 };
          byBin.set(r.bin, {
            bin: r.bin,
            n: b.n + r.n,
            positives: b.positives + r.positives,
            sumPredicted: b.sumPredicted + r.sumPredicted,
            sumLogLoss: b.sumLogLoss + r.sumLogLoss,
          });
        }
        return [...byBin.values()];
      };
      const weekStart = shift(today, -6);
      const models = (['bkt', 'fsrs', 'engagement', 'lesson_engagement'] as const).map((model) => {
        const mine = (r: (typeof rows)[number]) => r.model === model && r.segment === '';
        const weeks = [...new Set(rows.filter(mine).map((r) => weekOf(r.day)))].sort();
        return {
          model,
          predicts: PREDICTS[model],
          overall: predictionFigures(merged(mine)),
          weekly: weeks.map((week) => ({ week, ...predictionFigures(merged((r) => mine(r) && weekOf(r.day) === week)) })),
          calibration: merged(mine)
            .sort((a, b) => a.bin - b.bin)
            .map((b) => ({ bin: b.bin, predictions: b.n, meanPredicted: b.sumPredicted / b.n, observed: b.positives / b.n })),
          drift: driftOf(
            predictionFigures(merged((r) => mine(r) && r.day >= weekStart)),
            predictionFigures(merged((r) => mine(r) && r.day < weekStart && r.day >= shift(today, -27))),
          ),
        };
      });
      const segments = [...new Set(rows.filter((r) => r.model === 'bkt' && r.segment !== '').map((r) => r.segment))].sort();
      const totals = (recs?.results[0] ?? {}) as { accepted?: number; dismissed?: number; completed?: number };
      const accepted = Number(totals.accepted ?? 0);
      const dismissed = Number(totals.dismissed ?? 0);
      const completed = Number(totals.completed ?? 0);
      return {
        from,
        to: today,
        models,
        segments: segments.map((segment) => ({
          segment,
          ...predictionFigures(merged((r) => r.model === 'bkt' && r.segment === segment)),
        })),
        recommendations: {
          accepted,
          dismissed,
          completed,
          acceptance: accepted + dismissed > 0 ? accepted / (accepted + dismissed) : null,
          hitRate: accepted > 0 ? completed / accepted : null,
          weeklyAccepted: (weekly?.results ?? []).map((r) => ({ week: String(r.week), accepted: Number(r.accepted) })),
        },
        mastery: [...mastery.values()],
      };
    },

    async engagement(today, days, course) {
      const from = shift(today, -(days - 1));
      const only = course ?? null;
      const [plans, answers, reasons, misses, hits] = await d1.batch<Record<string, unknown>>([
        d1
          .prepare(
            `SELECT category, sum(done) AS done, sum(skipped) AS skipped FROM plan_category_daily
             WHERE day BETWEEN ? AND ? AND course_id = coalesce(?, course_id) GROUP BY category ORDER BY category`,
          )
          .bind(from, today, only),
        d1
          .prepare(
            `SELECT engine, reason, sum(up) AS up, sum(down) AS down FROM answer_feedback_stats
             WHERE course_id = coalesce(?, course_id) GROUP BY engine, reason`,
          )
          .bind(only),
        d1
          .prepare(
            `SELECT reason, sum(impressions) AS impressions, sum(accepted) AS accepted, sum(dismissed) AS dismissed
             FROM recommendation_reason_daily WHERE day BETWEEN ? AND ? AND course_id = coalesce(?, course_id)
             GROUP BY reason ORDER BY impressions DESC, reason`,
          )
          .bind(from, today, only),
        d1
          .prepare(
            `SELECT query, sum(searches) AS searches, max(day) AS last_day FROM search_misses
             WHERE day BETWEEN ? AND ? AND course_id = coalesce(?, course_id)
             GROUP BY query ORDER BY searches DESC, query LIMIT 50`,
          )
          .bind(from, today, only),
        d1
          .prepare(
            `SELECT feature, reason, sum(hits) AS hits FROM budget_hits_daily
             WHERE day BETWEEN ? AND ? AND course_id = coalesce(?, course_id)
             GROUP BY feature, reason ORDER BY feature, reason`,
          )
          .bind(from, today, only),
      ]);
      const byEngine = new Map<string, Engagement['answers'][number]>();
      for (const r of answers?.results ?? []) {
        const engine = String(r.engine);
        const e = byEngine.get(engine) ?? { engine, up: 0, down: 0, helpfulness: null, reasons: [] };
        const up = Number(r.up);
        const down = Number(r.down);
        e.up += up;
        e.down += down;
        const reason = typeof r.reason === 'string' ? r.reason : '';
        if (reason) e.reasons.push({ reason, up, down });
        byEngine.set(engine, e);
      }
      return {
        from,
        to: today,
        plans: (plans?.results ?? []).map((r) => {
          const done = Number(r.done);
          const skipped = Number(r.skipped);
          return { category: String(r.category), done, skipped, completion: done + skipped > 0 ? done / (done + skipped) : 0 };
        }),
        answers: [...byEngine.values()].map((e) => ({ ...e, helpfulness: e.up + e.down > 0 ? e.up / (e.up + e.down) : null })),
        recommendations: (reasons?.results ?? []).map((r) => {
          const impressions = Number(r.impressions);
          const accepted = Number(r.accepted);
          return {
            reason: String(r.reason),
            impressions,
            accepted,
            dismissed: Math.max(0, Number(r.dismissed)),
            acceptance: impressions > 0 ? accepted / impressions : null,
          };
        }),
        searchMisses: (misses?.results ?? []).map((r) => ({
          query: String(r.query),
          searches: Number(r.searches),
          lastDay: String(r.last_day),
        })),
        budgetHits: (hits?.results ?? []).map((r) => ({
          feature: String(r.feature),
          reason: r.reason === 'learner_spent' ? ('learner_spent' as const) : ('platform_spent' as const),
          hits: Number(r.hits),
        })),
      };
    },

    async items(course) {
      const [stats, picks] = await d1.batch<Record<string, unknown>>([
        d1
          .prepare(
            `SELECT s.item_id, q.lesson_slug, q.question, q.choices, q.answer AS key, s.answers, s.correct, s.sum_ability,
               s.sum_ability_squares, s.sum_correct_ability
             FROM item_stats s JOIN quiz_items q ON q.id = s.item_id WHERE s.course_id = coalesce(?, s.course_id)
             ORDER BY q.lesson_slug, q.position`,
          )
          .bind(course ?? null),
        d1.prepare('SELECT item_id, answer, picks FROM item_choice_stats'),
      ]);
      const byItem = new Map<string, Map<number, number>>();
      for (const r of picks?.results ?? []) {
        const m = byItem.get(String(r.item_id)) ?? new Map<number, number>();
        m.set(Number(r.answer), Number(r.picks));
        byItem.set(String(r.item_id), m);
      }
      return (stats?.results ?? []).map((r) =>
        analyseItem({
          itemId: String(r.item_id),
          lessonSlug: String(r.lesson_slug),
          question: String(r.question),
          choices: JSON.parse(String(r.choices)) as string[],
          key: Number(r.key),
          answers: Number(r.answers),
          correct: Number(r.correct),
          sumAbility: Number(r.sum_ability),
          sumAbilitySquares: Number(r.sum_ability_squares),
          sumCorrectAbility: Number(r.sum_correct_ability),
          picks: byItem.get(String(r.item_id)) ?? new Map<number, number>(),
        }),
      );
    },
  };
}
