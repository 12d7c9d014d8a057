import { DEFAULT_BKT, type BktParams } from './mastery.bkt';
import {
  itemZeta,
  PRIOR_ABILITY,
  type Ability,
  type ReviewRating,
  type ConceptState,
  type ItemZeta,
  type StoredCard,
} from './mastery.domain';

/**
 * The concept an item assesses: its own, else its lesson's first concept, else the
 * lesson itself, so every answer counts toward something a learner can see.
 */
export const ITEM_CONCEPT = `coalesce(q.concept_id,
  (SELECT lc.concept_id FROM lesson_concepts lc WHERE lc.lesson_slug = q.lesson_slug ORDER BY lc.position LIMIT 1),
  q.lesson_slug)`;

export interface GradedItem {
  id: string;
  lessonSlug: string;
  conceptId: string;
  conceptTitle: string;
  answer: number;
  choices: number;
  explanation: string;
  zeta: ItemZeta;
}

/** Everything one graded answer or review changes, read in one D1 batch. */
export interface ModelSnapshot {
  version: number;
  ability: Ability;
  item: GradedItem;
  mastery: ConceptState | null;
  params: BktParams;
  card: StoredCard | null;
}

/** The new learner-model state an event leads to. */
export interface ModelChange {
  ability: Ability;
  /** The review rating the card was scheduled with. */
  rating: ReviewRating;
  card: StoredCard;
  /** Present when the event graded an answer. */
  graded?: { answer: number; correct: boolean; mastery: ConceptState };
}

/** A guarded write for the event store: it applies only if the event's dedupe row is this attempt's. */
export interface ModelWrite {
  learnerId: string;
  /** The learner-model version the change was computed from. */
  version: number;
  statements(guard: string, guardBinds: readonly string[]): D1PreparedStatement[];
}

interface CardRow {
  due: string;
  stability: number;
  difficulty: number;
  elapsed_days: number;
  scheduled_days: number;
  learning_steps: number;
  reps: number;
  lapses: number;
  state: number;
  last_review: string | null;
}

const CARD_COLUMNS =
  'c.due, c.stability, c.difficulty, c.elapsed_days, c.scheduled_days, c.learning_steps, c.reps, c.lapses, c.state, c.last_review';

const toStoredCard = (r: CardRow): StoredCard => ({
  due: r.due,
  stability: r.stability,
  difficulty: r.difficulty,
  elapsedDays: r.elapsed_days,
  scheduledDays: r.scheduled_days,
  learningSteps: r.learning_steps,
  reps: r.reps,
  lapses: r.lapses,
  state: r.state,
  lastReview: r.last_review,
});

const paramsOf = (r: Partial<BktParams> | undefined | null): BktParams =>
  r && typeof r.prior === 'number'
    ? { prior: r.prior, learn: r.learn ?? 0, guess: r.guess ?? 0, slip: r.slip ?? 0, forget: r.forget ?? 0 }
    : DEFAULT_BKT;

export interface QuizCandidate {
  id: string;
  question: string;
  choices: string[];
  concept: string | null;
  zeta: ItemZeta;
  answeredCorrectly: boolean;
  attempted: boolean;
}

export interface ConceptMasteryRow extends ConceptState {
  concept: string;
  title: string;
  params: BktParams;
  updatedAt: string | null;
  cards: StoredCard[];
}

export interface DueCard {
  itemId: string;
  lessonSlug: string;
  lessonTitle: string;
  question: string;
  choices: string[];
  concept: string;
  card: StoredCard;
}

export interface FitSequences {
  conceptId: string;
  learners: number;
  attempts: number;
  sequences: boolean[][];
}

/** D1 reads and guarded writes of the learner model (raw statements: the writes join the event store's batch). */
export function createD1MasteryStore(d1: D1Database) {
  return {
    /** The state one answer to `itemId` changes, or null when there is no such item. */
    async snapshot(learnerId: string, itemId: string): Promise<ModelSnapshot | null> {
      const [model, item, mastery, params, card] = await d1.batch<Record<string, unknown>>([
        d1.prepare('SELECT version, theta, theta_se FROM learner_model WHERE learner_id = ?').bind(learnerId),
        d1
          .prepare(
            `SELECT q.id, q.lesson_slug, q.answer, json_array_length(q.choices) AS choices, q.explanation,
               ${ITEM_CONCEPT} AS concept_id, coalesce(q.difficulty, l.difficulty) AS difficulty,
               coalesce((SELECT k.label FROM concepts k WHERE k.id = ${ITEM_CONCEPT}), l.title) AS concept_title
             FROM quiz_items q JOIN lessons l ON l.slug = q.lesson_slug WHERE q.id = ?`,
          )
          .bind(itemId),
        d1
          .prepare(
            `SELECT m.p_known, m.attempts, m.correct FROM quiz_items q
             JOIN concept_mastery m ON m.learner_id = ? AND m.concept_id = ${ITEM_CONCEPT} WHERE q.id = ?`,
          )
          .bind(learnerId, itemId),
        d1
          .prepare(
            `SELECT b.prior, b.learn, b.guess, b.slip, b.forget FROM quiz_items q
             JOIN bkt_params b ON b.concept_id = ${ITEM_CONCEPT} WHERE q.id = ?`,
          )
          .bind(itemId),
        d1.prepare(`SELECT ${CARD_COLUMNS} FROM review_cards c WHERE c.learner_id = ? AND c.item_id = ?`).bind(learnerId, itemId),
      ]);
      const i = item?.results[0] as
        | {
            id: string;
            lesson_slug: string;
            answer: number;
            choices: number;
            explanation: string;
            concept_id: string;
            difficulty: number;
            concept_title: string;
          }
        | undefined;
      if (!i) return null;
      const m = model?.results[0] as { version: number; theta: number; theta_se: number } | undefined;
      const known = mastery?.results[0] as { p_known: number; attempts: number; correct: number } | undefined;
      const c = card?.results[0] as CardRow | undefined;
      return {
        version: m?.version ?? 0,
        ability: m ? { theta: m.theta, se: m.theta_se } : PRIOR_ABILITY,
        item: {
          id: i.id,
          lessonSlug: i.lesson_slug,
          conceptId: i.concept_id,
          conceptTitle: i.concept_title,
          answer: i.answer,
          choices: i.choices,
          explanation: i.explanation,
          zeta: itemZeta(i.difficulty, i.choices),
        },
        mastery: known ? { pKnown: known.p_known, attempts: known.attempts, correct: known.correct } : null,
        params: paramsOf(params?.results[0]),
        card: c ? toStoredCard(c) : null,
      };
    },

    /** The guarded statements that store a change computed from `snapshot`. */
    write(learnerId: string, eventId: string, occurredAt: string, snapshot: ModelSnapshot, change: ModelChange): ModelWrite {
      return {
        learnerId,
        version: snapshot.version,
        statements: (guard, guardBinds) => {
          const { item } = snapshot;
          const { card } = change;
          const statements = [
            d1
              .prepare(
                `INSERT INTO learner_model (learner_id, version, theta, theta_se, updated_at)
                 SELECT ?, 1, ?, ?, ? WHERE ${guard}
                 ON CONFLICT (learner_id) DO UPDATE SET version = version + 1, theta = excluded.theta,
                   theta_se = excluded.theta_se, updated_at = excluded.updated_at`,
              )
              .bind(learnerId, change.ability.theta, change.ability.se, occurredAt, ...guardBinds),
            d1
              .prepare(
                `INSERT INTO review_cards (learner_id, item_id, concept_id, due, stability, difficulty, elapsed_days,
                   scheduled_days, learning_steps, reps, lapses, state, last_review)
                 SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE ${guard}
                 ON CONFLICT (learner_id, item_id) DO UPDATE SET concept_id = excluded.concept_id, due = excluded.due,
                   stability = excluded.stability, difficulty = excluded.difficulty, elapsed_days = excluded.elapsed_days,
                   scheduled_days = excluded.scheduled_days, learning_steps = excluded.learning_steps, reps = excluded.reps,
                   lapses = excluded.lapses, state = excluded.state, last_review = excluded.last_review`,
              )
              .bind(
                learnerId,
                item.id,
                item.conceptId,
                card.due,
                card.stability,
                card.difficulty,
                card.elapsedDays,
                card.scheduledDays,
                card.learningSteps,
                card.reps,
                card.lapses,
                card.state,
                card.lastReview,
                ...guardBinds,
              ),
          ];
          if (change.graded) {
            const { answer, correct, mastery } = change.graded;
            statements.push(
              d1
                .prepare(
                  `INSERT INTO quiz_attempts (event_id, learner_id, item_id, concept_id, answer, correct, occurred_at)
                   SELECT ?, ?, ?, ?, ?, ?, ? WHERE ${guard}`,
                )
                .bind(eventId, learnerId, item.id, item.conceptId, answer, correct ? 1 : 0, occurredAt, ...guardBinds),
              d1
                .prepare(
                  `INSERT INTO concept_mastery (learner_id, concept_id, p_known, attempts, correct, updated_at)
                   SELECT ?, ?, ?, ?, ?, ? WHERE ${guard}
                   ON CONFLICT (learner_id, concept_id) DO UPDATE SET p_known = excluded.p_known,
                     attempts = excluded.attempts, correct = excluded.correct, updated_at = excluded.updated_at`,
                )
                .bind(learnerId, item.conceptId, mastery.pKnown, mastery.attempts, mastery.correct, occurredAt, ...guardBinds),
            );
          }
          return statements;
        },
      };
    },

    /** Whether and how an event's answer was graded (for a repeated eventId). */
    async gradedAnswer(learnerId: string, eventId: string): Promise<{ answer: number; correct: boolean } | null> {
      const row = await d1
        .prepare('SELECT answer, correct FROM quiz_attempts WHERE event_id = ? AND learner_id = ?')
        .bind(eventId, learnerId)
        .first<{ answer: number; correct: number }>();
      return row ? { answer: row.answer, correct: row.correct === 1 } : null;
    },

    /** A lesson's items with what the learner has answered, and the learner's ability; null for an unknown lesson. */
    async quizCandidates(learnerId: string, lessonSlug: string): Promise<{ ability: Ability; items: QuizCandidate[] } | null> {
      const [lesson, model, items] = await d1.batch<Record<string, unknown>>([
        d1.prepare('SELECT difficulty FROM lessons WHERE slug = ?').bind(lessonSlug),
        d1.prepare('SELECT theta, theta_se FROM learner_model WHERE learner_id = ?').bind(learnerId),
        d1
          .prepare(
            `SELECT q.id, q.question, q.choices, q.concept_id, q.difficulty,
               (SELECT max(a.correct) FROM quiz_attempts a WHERE a.learner_id = ? AND a.item_id = q.id) AS best
             FROM quiz_items q WHERE q.lesson_slug = ? ORDER BY q.position`,
          )
          .bind(learnerId, lessonSlug),
      ]);
      const l = lesson?.results[0] as { difficulty: number } | undefined;
      if (!l) return null;
      const m = model?.results[0] as { theta: number; theta_se: number } | undefined;
      const rows = (items?.results ?? []) as {
        id: string;
        question: string;
        choices: string;
        concept_id: string | null;
        difficulty: number | null;
        best: number | null;
      }[];
      return {
        ability: m ? { theta: m.theta, se: m.theta_se } : PRIOR_ABILITY,
        items: rows.map((r) => {
          const choices = JSON.parse(r.choices) as string[];
          return {
            id: r.id,
            question: r.question,
            choices,
            concept: r.concept_id,
            zeta: itemZeta(r.difficulty ?? l.difficulty, choices.length),
            answeredCorrectly: r.best === 1,
            attempted: r.best !== null,
          };
        }),
      };
    },

    /**
     * Every concept the course assesses (through quiz items), with the learner's mastery,
     * the concept's BKT parameters and the learner's review cards of it. One D1 batch.
     */
    async concepts(learnerId: string): Promise<ConceptMasteryRow[]> {
      const [concepts, cards] = await d1.batch<Record<string, unknown>>([
        d1
          .prepare(
            `WITH assessed AS (
               SELECT DISTINCT ${ITEM_CONCEPT} AS concept_id, min(l.title) AS lesson_title
               FROM quiz_items q JOIN lessons l ON l.slug = q.lesson_slug GROUP BY 1
             )
             SELECT s.concept_id, coalesce(k.label, s.lesson_title) AS title, m.p_known, m.attempts, m.correct,
               m.updated_at, b.prior, b.learn, b.guess, b.slip, b.forget
             FROM assessed s LEFT JOIN concepts k ON k.id = s.concept_id
             LEFT JOIN concept_mastery m ON m.learner_id = ? AND m.concept_id = s.concept_id
             LEFT JOIN bkt_params b ON b.concept_id = s.concept_id
             ORDER BY title`,
          )
          .bind(learnerId),
        d1.prepare(`SELECT c.concept_id, ${CARD_COLUMNS} FROM review_cards c WHERE c.learner_id = ?`).bind(learnerId),
      ]);
      const byConcept = new Map<string, StoredCard[]>();
      for (const row of (cards?.results ?? []) as unknown as (CardRow & { concept_id: string })[]) {
        byConcept.set(row.concept_id, [...(byConcept.get(row.concept_id) ?? []), toStoredCard(row)]);
      }
      return (concepts?.results ?? []).map((r) => {
        const params = paramsOf(r);
        const concept = r.concept_id as string;
        return {
          concept,
          title: r.title as string,
          pKnown: (r.p_known as number | null) ?? params.prior,
          attempts: (r.attempts as number | null) ?? 0,
          correct: (r.correct as number | null) ?? 0,
          updatedAt: (r.updated_at as string | null) ?? null,
          params,
          cards: byConcept.get(concept) ?? [],
        };
      });
    },

    /** The learner's cards due by `now` (soonest first, at most `limit`), and how many are due later. */
    async due(
      learnerId: string,
      now: string,
      limit: number,
    ): Promise<{ due: DueCard[]; upcoming: number; nextDue: string | null }> {
      const [due, later] = await d1.batch<Record<string, unknown>>([
        d1
          .prepare(
            `SELECT c.item_id, c.concept_id, ${CARD_COLUMNS}, q.lesson_slug, l.title AS lesson_title, q.question, q.choices
             FROM review_cards c JOIN quiz_items q ON q.id = c.item_id JOIN lessons l ON l.slug = q.lesson_slug
             WHERE c.learner_id = ? AND c.due <= ? ORDER BY c.due, c.item_id LIMIT ?`,
          )
          .bind(learnerId, now, limit),
        d1
          .prepare(
            `SELECT count(*) AS n, min(c.due) AS next FROM review_cards c JOIN quiz_items q ON q.id = c.item_id
             WHERE c.learner_id = ? AND c.due > ?`,
          )
          .bind(learnerId, now),
      ]);
      const rest = later?.results[0] as { n: number; next: string | null } | undefined;
      return {
        due: ((due?.results ?? []) as (CardRow & Record<string, unknown>)[]).map((r) => ({
          itemId: r.item_id as string,
          lessonSlug: r.lesson_slug as string,
          lessonTitle: r.lesson_title as string,
          question: r.question as string,
          choices: JSON.parse(r.choices as string) as string[],
          concept: r.concept_id as string,
          card: toStoredCard(r),
        })),
        upcoming: rest?.n ?? 0,
        nextDue: rest?.next ?? null,
      };
    },

    /** Whether the learner has a review card for the item. */
    async hasCard(learnerId: string, itemId: string): Promise<boolean> {
      const row = await d1
        .prepare('SELECT 1 AS x FROM review_cards WHERE learner_id = ? AND item_id = ?')
        .bind(learnerId, itemId)
        .first();
      return row !== null;
    },

    /** Every learner's graded answers per concept, oldest first, for the BKT fit. */
    async fitSequences(): Promise<FitSequences[]> {
      const { results } = await d1
        .prepare(
          'SELECT concept_id, learner_id, correct FROM quiz_attempts ORDER BY concept_id, learner_id, occurred_at, event_id',
        )
        .all<{ concept_id: string; learner_id: string; correct: number }>();
      const concepts = new Map<string, Map<string, boolean[]>>();
      for (const r of results) {
        const learners = concepts.get(r.concept_id) ?? new Map<string, boolean[]>();
        concepts.set(r.concept_id, learners);
        learners.set(r.learner_id, [...(learners.get(r.learner_id) ?? []), r.correct === 1]);
      }
      return [...concepts].map(([conceptId, learners]) => {
        const sequences = [...learners.values()];
        return { conceptId, learners: sequences.length, attempts: sequences.reduce((n, s) => n + s.length, 0), sequences };
      });
    },

    /** Stores fitted parameters, replacing earlier fits of the same concepts. */
    async saveParams(fits: { conceptId: string; params: BktParams; attempts: number; learners: number }[], now: string) {
      if (fits.length === 0) return;
      await d1.batch(
        fits.map((f) =>
          d1
            .prepare(
              `INSERT INTO bkt_params (concept_id, prior, learn, guess, slip, forget, attempts, learners, fitted_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (concept_id) DO UPDATE SET prior = excluded.prior, learn = excluded.learn, guess = excluded.guess,
                 slip = excluded.slip, forget = excluded.forget, attempts = excluded.attempts,
                 learners = excluded.learners, fitted_at = excluded.fitted_at`,
            )
            .bind(
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
