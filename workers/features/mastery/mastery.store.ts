import { courseConceptLabel, linkedConceptsJson, linkedKeys } from '../concepts/concepts.store';
import { DEFAULT_BKT, type BktParams } from './mastery.bkt';
import { itemZeta, type ConceptKey, type GradedItem, type ItemZeta } from './mastery.domain';
import type { CalibratedItem } from './mastery.irt';
import { DEFAULT_FSRS_WEIGHTS, type FsrsGrade, type FsrsReview } from './mastery.fsrs';
import type { PfaModel } from './mastery.pfa';

/**
 * The concept an item assesses: its own, else its lesson's first concept, else the
 * lesson itself, so every answer counts toward something a learner can see.
 */
export const ITEM_CONCEPT = `coalesce(q.concept_id,
  (SELECT lc.concept_id FROM lesson_concepts lc WHERE lc.lesson_slug = q.lesson_slug ORDER BY lc.position LIMIT 1),
  q.lesson_slug)`;

const paramsOf = (r: Partial<BktParams> | undefined | null): BktParams =>
  r && typeof r.prior === 'number'
    ? { prior: r.prior, learn: r.learn ?? 0, guess: r.guess ?? 0, slip: r.slip ?? 0, forget: r.forget ?? 0 }
    : DEFAULT_BKT;

const calibrationOf = (a: number | null, b: number | null) => (a === null || b === null ? null : { a, b });

/** Joins an item's calibration (`ic.a`, `ic.b`) when `npm run fit -- irt` calibrated it; `q` is the item, `l` its lesson. */
const CALIBRATED = 'LEFT JOIN item_calibrations ic ON ic.course_id = l.course_id AND ic.item_id = q.id AND ic.calibrated = 1';

/** A quiz item row as the quiz shows it, with its IRT parameters (the author's difficulty, else `fallback`, unless calibrated). */
function quizOf(
  r: { id: string; question: string; choices: string; difficulty: number | null; cal_a: number | null; cal_b: number | null },
  fallback: number,
) {
  const choices = JSON.parse(r.choices) as string[];
  return {
    id: r.id,
    question: r.question,
    choices,
    zeta: itemZeta(r.difficulty ?? fallback, choices.length, calibrationOf(r.cal_a, r.cal_b)),
  };
}

interface PfaRow {
  intercept: number;
  success: number;
  failure: number;
  total_success: number;
  total_failure: number;
  easiness: number | null;
  concept_success: number | null;
  concept_failure: number | null;
}

/** A course's PFA model as one concept's answers need it (a concept the fit never saw has no terms of its own). */
const pfaOf = (conceptId: string, r: PfaRow | undefined): PfaModel | null =>
  r
    ? {
        intercept: r.intercept,
        success: r.success,
        failure: r.failure,
        totalSuccess: r.total_success,
        totalFailure: r.total_failure,
        concepts:
          r.easiness === null
            ? {}
            : { [conceptId]: { easiness: r.easiness, success: r.concept_success ?? 0, failure: r.concept_failure ?? 0 } },
        items: {},
      }
    : null;

/** A concept a course assesses (see `assessedConcepts`). */
export interface AssessedConcept {
  courseId: string;
  concept: string;
  title: string;
  params: BktParams;
  /** Other courses' concepts an author linked with it (see `GradedItem.linked`). */
  linked: ConceptKey[];
}

export interface QuizItemInfo {
  id: string;
  question: string;
  choices: string[];
  concept: string | null;
  zeta: ItemZeta;
}

export interface PlacementQuizItem {
  id: string;
  question: string;
  choices: string[];
  answer: number;
  lessonSlug: string;
  conceptId: string;
  zeta: ItemZeta;
}

export interface ReviewItem {
  /** The course of the item's lesson. */
  courseId: string;
  lessonSlug: string;
  lessonTitle: string;
  question: string;
  choices: string[];
}

export interface KtAttemptRow {
  courseId: string;
  learnerId: string;
  conceptId: string;
  itemId: string;
  correct: boolean;
}

/** The answers of one concept of one course, a sequence per learner, as the BKT fit reads them. */
export interface FitSequences {
  courseId: string;
  conceptId: string;
  learners: number;
  attempts: number;
  sequences: boolean[][];
}

/** One review of the review log, as the FSRS fit reads it. */
export interface ReviewLogRow extends FsrsReview {
  courseId: string;
  learnerId: string;
  itemId: string;
}

/** Stored FSRS weights, or null (the defaults) when there are none or they are not 21 finite numbers. */
function fsrsWeightsOf(stored: unknown): number[] | null {
  if (typeof stored !== 'string') return null;
  const weights: unknown = JSON.parse(stored);
  return Array.isArray(weights) && weights.length === DEFAULT_FSRS_WEIGHTS.length && weights.every(Number.isFinite)
    ? (weights as number[])
    : null;
}

/** The course side of the learner model in D1: items, BKT parameters, and the shared attempt log for fitting. */
export function createD1MasteryStore(d1: D1Database) {
  return {
    /**
     * A quiz item as grading needs it, with its concept's BKT parameters, the course's PFA
     * model when it chose one, and the FSRS weights `learnerId`'s reviews schedule with (theirs,
     * else the course's, else null: the defaults); null when there is no such item.
     */
    async gradedItem(
      itemId: string,
      learnerId: string,
    ): Promise<{ item: GradedItem; params: BktParams; pfa: PfaModel | null; fsrs: number[] | null } | null> {
      const [item, params, pfa, fsrs] = await d1.batch<Record<string, unknown>>([
        d1
          .prepare(
            `SELECT q.id, l.course_id, q.lesson_slug, q.answer, json_array_length(q.choices) AS choices, q.explanation,
               ${ITEM_CONCEPT} AS concept_id, coalesce(q.difficulty, l.difficulty) AS difficulty, ic.a AS cal_a, ic.b AS cal_b,
               coalesce(${courseConceptLabel(ITEM_CONCEPT, 'l.course_id')}, l.title) AS concept_title,
               ${linkedConceptsJson('l.course_id', ITEM_CONCEPT)} AS linked
             FROM quiz_items q JOIN lessons l ON l.slug = q.lesson_slug
             ${CALIBRATED}
             WHERE q.id = ?`,
          )
          .bind(itemId),
        d1
          .prepare(
            `SELECT b.prior, b.learn, b.guess, b.slip, b.forget FROM quiz_items q JOIN lessons l ON l.slug = q.lesson_slug
             JOIN bkt_params b ON b.course_id = l.course_id AND b.concept_id = ${ITEM_CONCEPT} WHERE q.id = ?`,
          )
          .bind(itemId),
        // The course's PFA weights and this concept's terms, when the course's last fit chose PFA.
        d1
          .prepare(
            `SELECT m.intercept, m.success, m.failure, m.total_success, m.total_failure,
               c.easiness, c.success AS concept_success, c.failure AS concept_failure
             FROM quiz_items q JOIN lessons l ON l.slug = q.lesson_slug
             JOIN kt_models m ON m.course_id = l.course_id AND m.chosen = 'pfa'
             LEFT JOIN kt_concepts c ON c.course_id = m.course_id AND c.concept_id = ${ITEM_CONCEPT}
             WHERE q.id = ?`,
          )
          .bind(itemId),
        d1
          .prepare(
            `SELECT f.weights FROM quiz_items q JOIN lessons l ON l.slug = q.lesson_slug
             JOIN fsrs_params f ON f.course_id = l.course_id AND f.learner_id IN ('', ?)
             WHERE q.id = ? ORDER BY f.learner_id DESC LIMIT 1`,
          )
          .bind(learnerId, itemId),
      ]);
      const i = item?.results[0] as
        | {
            id: string;
            course_id: string;
            lesson_slug: string;
            answer: number;
            choices: number;
            explanation: string;
            concept_id: string;
            difficulty: number;
            concept_title: string;
            cal_a: number | null;
            cal_b: number | null;
            linked: string;
          }
        | undefined;
      if (!i) return null;
      const linked = linkedKeys(i.linked);
      return {
        item: {
          id: i.id,
          courseId: i.course_id,
          lessonSlug: i.lesson_slug,
          conceptId: i.concept_id,
          conceptTitle: i.concept_title,
          answer: i.answer,
          choices: i.choices,
          explanation: i.explanation,
          zeta: itemZeta(i.difficulty, i.choices, calibrationOf(i.cal_a, i.cal_b)),
          ...(linked.length > 0 ? { linked } : {}),
        },
        params: paramsOf(params?.results[0]),
        pfa: pfaOf(i.concept_id, pfa?.results[0] as PfaRow | undefined),
        fsrs: fsrsWeightsOf(fsrs?.results[0]?.weights),
      };
    },

    /** Every quiz item of a course, with its key, concept and IRT parameters: what a placement test asks from. */
    async placementItems(courseId: string): Promise<PlacementQuizItem[]> {
      const { results } = await d1
        .prepare(
          `SELECT q.id, q.question, q.choices, q.answer, q.lesson_slug, ${ITEM_CONCEPT} AS concept_id,
             coalesce(q.difficulty, l.difficulty) AS difficulty, ic.a AS cal_a, ic.b AS cal_b
           FROM quiz_items q JOIN lessons l ON l.slug = q.lesson_slug
           ${CALIBRATED}
           WHERE l.course_id = ? ORDER BY l.position, q.position`,
        )
        .bind(courseId)
        .all<{
          id: string;
          question: string;
          choices: string;
          answer: number;
          lesson_slug: string;
          concept_id: string;
          difficulty: number;
          cal_a: number | null;
          cal_b: number | null;
        }>();
      return results.map((r) => ({
        ...quizOf(r, r.difficulty),
        answer: r.answer,
        lessonSlug: r.lesson_slug,
        conceptId: r.concept_id,
      }));
    },

    /** A lesson's quiz items (in order) with their IRT parameters; null for an unknown lesson. */
    async lessonItems(lessonSlug: string): Promise<QuizItemInfo[] | null> {
      const [lesson, items] = await d1.batch<Record<string, unknown>>([
        d1.prepare('SELECT difficulty FROM lessons WHERE slug = ?').bind(lessonSlug),
        d1
          .prepare(
            `SELECT q.id, q.question, q.choices, q.concept_id, q.difficulty, ic.a AS cal_a, ic.b AS cal_b
             FROM quiz_items q JOIN lessons l ON l.slug = q.lesson_slug
             ${CALIBRATED}
             WHERE q.lesson_slug = ? ORDER BY q.position`,
          )
          .bind(lessonSlug),
      ]);
      const l = lesson?.results[0] as { difficulty: number } | undefined;
      if (!l) return null;
      const rows = (items?.results ?? []) as {
        id: string;
        question: string;
        choices: string;
        concept_id: string | null;
        difficulty: number | null;
        cal_a: number | null;
        cal_b: number | null;
      }[];
      return rows.map((r) => ({ ...quizOf(r, l.difficulty), concept: r.concept_id }));
    },

    /**
     * Every concept a course assesses (through quiz items), with its course, title and BKT
     * parameters: `courseId`'s, else every course's (a concept slug two courses assess is
     * one row per course).
     */
    async assessedConcepts(courseId?: string): Promise<AssessedConcept[]> {
      const { results } = await d1
        .prepare(
          `WITH assessed AS (
             SELECT l.course_id, ${ITEM_CONCEPT} AS concept_id, min(l.title) AS lesson_title
             FROM quiz_items q JOIN lessons l ON l.slug = q.lesson_slug
             WHERE ?1 IS NULL OR l.course_id = ?1 GROUP BY 1, 2
           )
           SELECT s.course_id, s.concept_id, coalesce(${courseConceptLabel('s.concept_id', 's.course_id')}, s.lesson_title) AS title,
             b.prior, b.learn, b.guess, b.slip, b.forget, ${linkedConceptsJson('s.course_id', 's.concept_id')} AS linked
           FROM assessed s LEFT JOIN bkt_params b ON b.course_id = s.course_id AND b.concept_id = s.concept_id
           ORDER BY title, s.course_id`,
        )
        .bind(courseId ?? null)
        .all<Record<string, unknown>>();
      return results.map((r) => ({
        courseId: r.course_id as string,
        concept: r.concept_id as string,
        title: r.title as string,
        params: paramsOf(r),
        linked: linkedKeys(r.linked as string),
      }));
    },

    /** The items of `ids` that still exist, with their lesson and question, by id. */
    async reviewItems(ids: readonly string[]): Promise<Map<string, ReviewItem>> {
      const found = new Map<string, ReviewItem>();
      // D1 binds at most 100 parameters per statement.
      const statements = [];
      for (let i = 0; i < ids.length; i += 90) {
        const part = ids.slice(i, i + 90);
        statements.push(
          d1
            .prepare(
              `SELECT q.id, l.course_id, q.lesson_slug, l.title AS lesson_title, q.question, q.choices
               FROM quiz_items q JOIN lessons l ON l.slug = q.lesson_slug WHERE q.id IN (${part.map(() => '?').join(', ')})`,
            )
            .bind(...part),
        );
      }
      if (statements.length === 0) return found;
      for (const result of await d1.batch<Record<string, unknown>>(statements)) {
        for (const r of result.results) {
          found.set(r.id as string, {
            courseId: r.course_id as string,
            lessonSlug: r.lesson_slug as string,
            lessonTitle: r.lesson_title as string,
            question: r.question as string,
            choices: JSON.parse(r.choices as string) as string[],
          });
        }
      }
      return found;
    },

    /** Every learner's graded answers per concept, oldest first, for the BKT fit. */
    async fitSequences(): Promise<FitSequences[]> {
      const { results } = await d1
        .prepare(
          `SELECT course_id, concept_id, learner_id, correct FROM attempt_log
           ORDER BY course_id, concept_id, learner_id, occurred_at, event_id`,
        )
        .all<{ course_id: string; concept_id: string; learner_id: string; correct: number }>();
      const concepts = new Map<string, { courseId: string; conceptId: string; learners: Map<string, boolean[]> }>();
      for (const r of results) {
        const key = JSON.stringify([r.course_id, r.concept_id]);
        const concept = concepts.get(key) ?? {
          courseId: r.course_id,
          conceptId: r.concept_id,
          learners: new Map<string, boolean[]>(),
        };
        concepts.set(key, concept);
        concept.learners.set(r.learner_id, [...(concept.learners.get(r.learner_id) ?? []), r.correct === 1]);
      }
      return [...concepts.values()].map(({ courseId, conceptId, learners }) => {
        const sequences = [...learners.values()];
        return {
          courseId,
          conceptId,
          learners: sequences.length,
          attempts: sequences.reduce((n, s) => n + s.length, 0),
          sequences,
        };
      });
    },

    /** The newest `limit` graded answers, oldest first per course and learner: what `npm run fit -- kt` fits. */
    async ktAttempts(limit: number): Promise<KtAttemptRow[]> {
      const { results } = await d1
        .prepare(
          `SELECT course_id, learner_id, concept_id, item_id, correct FROM (
             SELECT * FROM attempt_log ORDER BY occurred_at DESC LIMIT ?
           ) ORDER BY course_id, learner_id, occurred_at, event_id`,
        )
        .bind(limit)
        .all<{ course_id: string; learner_id: string; concept_id: string; item_id: string; correct: number }>();
      return results.map((r) => ({
        courseId: r.course_id,
        learnerId: r.learner_id,
        conceptId: r.concept_id,
        itemId: r.item_id,
        correct: r.correct === 1,
      }));
    },

    /** Every quiz item of every course with what calibration starts from: the author's difficulty and the choices. */
    async itemPriors(): Promise<{ courseId: string; itemId: string; difficulty: number; choices: number }[]> {
      const { results } = await d1
        .prepare(
          `SELECT l.course_id, q.id, coalesce(q.difficulty, l.difficulty) AS difficulty, json_array_length(q.choices) AS choices
           FROM quiz_items q JOIN lessons l ON l.slug = q.lesson_slug`,
        )
        .all<{ course_id: string; id: string; difficulty: number; choices: number }>();
      return results.map((r) => ({ courseId: r.course_id, itemId: r.id, difficulty: r.difficulty, choices: r.choices }));
    },

    /** Replaces a course's item calibrations. */
    async saveCalibrations(courseId: string, items: CalibratedItem[], now: string) {
      await d1.batch([
        d1.prepare('DELETE FROM item_calibrations WHERE course_id = ?').bind(courseId),
        ...items.map((i) =>
          d1
            .prepare(
              `INSERT INTO item_calibrations (course_id, item_id, calibrated, a, b, prior_b, answers, p_correct, point_biserial, flags, fitted_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            )
            .bind(
              courseId,
              i.item,
              i.flags.includes('too_few_answers') ? 0 : 1,
              i.a,
              i.b,
              i.priorB,
              i.answers,
              i.pCorrect,
              i.pointBiserial,
              JSON.stringify(i.flags),
              now,
            ),
        ),
      ]);
    },

    /** Stores a course's knowledge-tracing fit: which model its mastery uses, PFA's weights, and the report. */
    async saveKtModel(fit: {
      courseId: string;
      chosen: 'bkt' | 'pfa';
      model: PfaModel;
      report: unknown;
      attempts: number;
      learners: number;
      now: string;
    }) {
      const { courseId, chosen, model, report, attempts, learners, now } = fit;
      await d1.batch([
        d1.prepare('DELETE FROM kt_concepts WHERE course_id = ?').bind(courseId),
        d1
          .prepare(
            `INSERT INTO kt_models (course_id, chosen, intercept, success, failure, total_success, total_failure, report, attempts, learners, fitted_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (course_id) DO UPDATE SET chosen = excluded.chosen, intercept = excluded.intercept,
               success = excluded.success, failure = excluded.failure, total_success = excluded.total_success,
               total_failure = excluded.total_failure, report = excluded.report, attempts = excluded.attempts,
               learners = excluded.learners, fitted_at = excluded.fitted_at`,
          )
          .bind(
            courseId,
            chosen,
            model.intercept,
            model.success,
            model.failure,
            model.totalSuccess,
            model.totalFailure,
            JSON.stringify(report),
            attempts,
            learners,
            now,
          ),
        ...Object.entries(model.concepts).map(([conceptId, c]) =>
          d1
            .prepare('INSERT INTO kt_concepts (course_id, concept_id, easiness, success, failure) VALUES (?, ?, ?, ?, ?)')
            .bind(courseId, conceptId, c.easiness, c.success, c.failure),
        ),
      ]);
    },

    /**
     * The newest `limit` reviews of the review log, per course, learner and item, oldest first:
     * what `npm run fit -- fsrs` fits, with the course's stored weights (null: the defaults).
     */
    async reviewLog(limit: number): Promise<ReviewLogRow[]> {
      const { results } = await d1
        .prepare(
          `SELECT course_id, learner_id, item_id, grade, reviewed_at FROM (
             SELECT * FROM review_log ORDER BY reviewed_at DESC LIMIT ?
           ) ORDER BY course_id, learner_id, item_id, reviewed_at, event_id`,
        )
        .bind(limit)
        .all<{ course_id: string; learner_id: string; item_id: string; grade: number; reviewed_at: string }>();
      return results.map((r) => ({
        courseId: r.course_id,
        learnerId: r.learner_id,
        itemId: r.item_id,
        grade: Math.min(4, Math.max(1, r.grade)) as FsrsGrade,
        at: Date.parse(r.reviewed_at),
      }));
    },

    /** The course's stored FSRS weights (an earlier fit that won), or null. */
    async courseFsrsWeights(courseId: string): Promise<number[] | null> {
      const row = await d1
        .prepare("SELECT weights FROM fsrs_params WHERE course_id = ? AND learner_id = ''")
        .bind(courseId)
        .first<{ weights: string }>();
      return fsrsWeightsOf(row?.weights);
    },

    /** Stores FSRS weights fitted for courses (`learnerId` '') and learners, replacing earlier fits of the same. */
    async saveFsrsWeights(
      fits: { courseId: string; learnerId: string; weights: number[]; reviews: number; report: unknown }[],
      now: string,
    ) {
      if (fits.length === 0) return;
      await d1.batch(
        fits.map((f) =>
          d1
            .prepare(
              `INSERT INTO fsrs_params (course_id, learner_id, weights, reviews, report, fitted_at) VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (course_id, learner_id) DO UPDATE SET weights = excluded.weights, reviews = excluded.reviews,
                 report = excluded.report, fitted_at = excluded.fitted_at`,
            )
            .bind(f.courseId, f.learnerId, JSON.stringify(f.weights), f.reviews, JSON.stringify(f.report), now),
        ),
      );
    },

    /** Stores fitted parameters, replacing earlier fits of the same concepts of the same courses. */
    async saveParams(
      fits: { courseId: string; conceptId: string; params: BktParams; attempts: number; learners: number }[],
      now: string,
    ) {
      if (fits.length === 0) return;
      await d1.batch(
        fits.map((f) =>
          d1
            .prepare(
              `INSERT INTO bkt_params (course_id, concept_id, prior, learn, guess, slip, forget, attempts, learners, fitted_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (course_id, concept_id) DO UPDATE SET prior = excluded.prior, learn = excluded.learn, guess = excluded.guess,
                 slip = excluded.slip, forget = excluded.forget, attempts = excluded.attempts,
                 learners = excluded.learners, fitted_at = excluded.fitted_at`,
            )
            .bind(
              f.courseId,
              f.conceptId,
              f.params.prior,
              f.params.learn,
              f.params.guess,
              f.params.slip,
              f.params.forget,
              f.attempts,
              f.learners,
              now,
            ),
        ),
      );
    },
  };
}
export type MasteryStore = ReturnType<typeof createD1MasteryStore>;
