import { ITEM_CONCEPT } from '../mastery/mastery.store';
import type { Goal } from './path.domain';
import type { ConceptInfo, CourseLesson, Layer, LearnerSignals } from './recommend.domain';

const GOAL_QUERY = 'SELECT type, target_id, target_date FROM learner_goals WHERE learner_id = ?';
interface GoalRow {
  type: Goal['type'];
  target_id: string;
  target_date: string | null;
}
const goalOf = (row: GoalRow | undefined): Goal | null =>
  row ? { type: row.type, id: row.target_id, targetDate: row.target_date } : null;

/** How long a dismissed recommendation stays away. */
export const DISMISS_DAYS = 7;

/**
 * The course as last read, per isolate, with the stamp it was read at: every push that
 * changes the course changes its manifest hash, so a matching stamp means the same course.
 */
let courseMemo: { stamp: string; lessons: CourseLesson[] } | null = null;

export interface LearnerContext {
  /** Names the course's current content (see courseMemo). */
  courseStamp: string;
  signals: Omit<LearnerSignals, 'allowSkips'>;
  goal: Goal | null;
  sessionMinutes: number | null;
  onboardingGoals: string[];
  /** Active seconds per lesson (started or completed). */
  activeSeconds: Map<string, number>;
  /** Active seconds per day over the last 28 days. */
  days: { activeSeconds: number }[];
}

/**
 * One learner's signals in one D1 batch, and the course as the ranking sees it (one
 * more batch when this isolate has not read the current course yet); goals; the
 * co-completion table the cron job refreshes.
 */
export function createD1RecommendStore(d1: D1Database) {
  return {
    /** The course, from this isolate's copy when `stamp` (from `learner`) says it is current. */
    async course(stamp: string): Promise<CourseLesson[]> {
      if (courseMemo?.stamp === stamp) return courseMemo.lessons;
      const [lessons, prerequisites, concepts, quiz] = await d1.batch<Record<string, unknown>>([
        d1.prepare(
          `SELECT l.slug, l.title, p.slug AS part_slug, p.title AS part_title, l.layer, l.minutes
           FROM lessons l JOIN chapters c ON c.id = l.chapter_id JOIN parts p ON p.id = c.part_id
           ORDER BY p.position, c.position, l.position`,
        ),
        d1.prepare('SELECT lesson_slug, prerequisite_slug FROM lesson_prerequisites ORDER BY lesson_slug, position'),
        d1.prepare('SELECT lesson_slug, concept_id FROM lesson_concepts ORDER BY lesson_slug, position'),
        d1.prepare(
          `SELECT q.lesson_slug, count(*) AS n, group_concat(DISTINCT ${ITEM_CONCEPT}) AS assessed
           FROM quiz_items q GROUP BY q.lesson_slug`,
        ),
      ]);
      const group = (rows: Record<string, unknown>[] | undefined, value: string) => {
        const map = new Map<string, string[]>();
        for (const r of rows ?? []) {
          const slug = r.lesson_slug as string;
          map.set(slug, [...(map.get(slug) ?? []), r[value] as string]);
        }
        return map;
      };
      const prereqs = group(prerequisites?.results, 'prerequisite_slug');
      const taught = group(concepts?.results, 'concept_id');
      const items = new Map((quiz?.results ?? []).map((r) => [r.lesson_slug as string, r.n as number]));
      const assessed = new Map(
        (quiz?.results ?? []).map((r) => [
          r.lesson_slug as string,
          ((r.assessed as string | null) ?? '').split(',').filter(Boolean),
        ]),
      );
      const course = (lessons?.results ?? []).map((r, position) => {
        const slug = r.slug as string;
        return {
          slug,
          title: r.title as string,
          partSlug: r.part_slug as string,
          partTitle: r.part_title as string,
          layer: r.layer as Layer,
          position,
          prerequisites: prereqs.get(slug) ?? [],
          concepts: taught.get(slug) ?? [],
          assessed: assessed.get(slug) ?? [],
          minutes: r.minutes as number,
          quizItems: items.get(slug) ?? 0,
        };
      });
      courseMemo = { stamp, lessons: course };
      return course;
    },

    async learner(learnerId: string, now: Date): Promise<LearnerContext> {
      const nowIso = now.toISOString();
      const since = new Date(now.getTime() - DISMISS_DAYS * 86_400_000).toISOString();
      const sinceDay = new Date(now.getTime() - 28 * 86_400_000).toISOString().slice(0, 10);
      const results = await d1.batch<Record<string, unknown>>([
        d1
          .prepare('SELECT lesson_slug, started_at, completed_at, active_seconds FROM lesson_progress WHERE learner_id = ?')
          .bind(learnerId),
        // Only concepts the learner has answered on (the rest read as unknown), and the goal's concept.
        d1
          .prepare(
            `SELECT m.concept_id AS id, coalesce(k.label, m.concept_id) AS label, m.p_known, m.attempts
             FROM concept_mastery m LEFT JOIN concepts k ON k.id = m.concept_id WHERE m.learner_id = ?
             UNION ALL
             SELECT k.id, k.label, 0, 0 FROM learner_goals g JOIN concepts k ON k.id = g.target_id
             WHERE g.learner_id = ? AND g.type = 'concept'
               AND NOT EXISTS (SELECT 1 FROM concept_mastery x WHERE x.learner_id = g.learner_id AND x.concept_id = k.id)`,
          )
          .bind(learnerId, learnerId),
        d1.prepare('SELECT preferences FROM learners WHERE id = ?').bind(learnerId),
        d1.prepare(GOAL_QUERY).bind(learnerId),
        d1
          .prepare(
            `SELECT q.lesson_slug, count(*) AS n FROM review_cards c JOIN quiz_items q ON q.id = c.item_id
             WHERE c.learner_id = ? AND c.due <= ? GROUP BY q.lesson_slug`,
          )
          .bind(learnerId, nowIso),
        d1
          .prepare(
            `SELECT q.lesson_slug, count(DISTINCT a.item_id) AS n FROM quiz_attempts a JOIN quiz_items q ON q.id = a.item_id
             WHERE a.learner_id = ? AND a.correct = 1 GROUP BY q.lesson_slug`,
          )
          .bind(learnerId),
        // Co-completion from each lesson the learner completed: the best conditional rate per next lesson.
        d1
          .prepare(
            `SELECT lp.next_slug, max((lp.learners + lp.successes) * 0.5 / lp.base) AS score FROM lesson_pairs lp
             JOIN lesson_progress mine ON mine.learner_id = ? AND mine.lesson_slug = lp.lesson_slug AND mine.completed_at IS NOT NULL
             GROUP BY lp.next_slug`,
          )
          .bind(learnerId),
        d1.prepare('SELECT recommendation_id, accepted, dismissed FROM recommendation_stats'),
        d1
          .prepare(
            `SELECT recommendation_id FROM recommendation_feedback
             WHERE learner_id = ? AND action = 'dismissed' AND at >= ?`,
          )
          .bind(learnerId, since),
        d1.prepare('SELECT active_seconds FROM daily_activity WHERE learner_id = ? AND day >= ?').bind(learnerId, sinceDay),
        d1.prepare("SELECT group_concat(id || ':' || version || ':' || manifest_hash) AS stamp FROM courses"),
      ]);
      const rows = (i: number) => results[i]?.results ?? [];
      const completed = new Set<string>();
      const started = new Set<string>();
      const activeSeconds = new Map<string, number>();
      let last: { slug: string; at: string } | null = null;
      for (const r of rows(0)) {
        const slug = r.lesson_slug as string;
        const at = r.completed_at as string | null;
        if (at) completed.add(slug);
        if (at && (!last || at > last.at)) last = { slug, at };
        else if (r.started_at || (r.active_seconds as number) > 0) started.add(slug);
        activeSeconds.set(slug, r.active_seconds as number);
      }
      const concepts = new Map<string, ConceptInfo>(
        rows(1).map((r) => [
          r.id as string,
          { title: r.label as string, pKnown: (r.p_known as number | null) ?? 0, attempts: (r.attempts as number | null) ?? 0 },
        ]),
      );
      const preferences = JSON.parse((rows(2)[0]?.preferences as string | null) ?? 'null') as {
        goals?: string[];
        sessionMinutes?: number;
      } | null;
      const goal = goalOf(rows(3)[0] as GoalRow | undefined);
      const perLesson = (i: number) => new Map(rows(i).map((r) => [r.lesson_slug as string, r.n as number]));
      return {
        courseStamp: (rows(10)[0]?.stamp as string | null) ?? '',
        signals: {
          completed,
          lastCompleted: last?.slug ?? null,
          started,
          concepts,
          goalParts: new Set(preferences?.goals ?? []),
          goalLessons: new Set(),
          dueReviews: perLesson(4),
          quizCorrect: perLesson(5),
          collaborative: new Map(rows(6).map((r) => [r.next_slug as string, Math.min(1, r.score as number)])),
          feedback: new Map(
            rows(7).map((r) => [
              r.recommendation_id as string,
              { accepted: r.accepted as number, dismissed: r.dismissed as number },
            ]),
          ),
          dismissed: new Set(rows(8).map((r) => r.recommendation_id as string)),
        },
        goal,
        sessionMinutes: preferences?.sessionMinutes ?? null,
        onboardingGoals: preferences?.goals ?? [],
        activeSeconds,
        days: rows(9).map((r) => ({ activeSeconds: r.active_seconds as number })),
      };
    },

    async goal(learnerId: string): Promise<Goal | null> {
      return goalOf((await d1.prepare(GOAL_QUERY).bind(learnerId).first<GoalRow>()) ?? undefined);
    },

    async setGoal(learnerId: string, goal: Goal, now: string): Promise<void> {
      await d1
        .prepare(
          `INSERT INTO learner_goals (learner_id, type, target_id, target_date, set_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (learner_id) DO UPDATE SET type = excluded.type, target_id = excluded.target_id,
             target_date = excluded.target_date, set_at = excluded.set_at`,
        )
        .bind(learnerId, goal.type, goal.id, goal.targetDate, now)
        .run();
    },

    /** Whether a goal names something in the course. */
    async goalExists(goal: Pick<Goal, 'type' | 'id'>): Promise<boolean> {
      const sql = {
        lesson: 'SELECT 1 AS x FROM lessons WHERE slug = ?',
        part: 'SELECT 1 AS x FROM parts WHERE slug = ?',
        concept: 'SELECT 1 AS x FROM lesson_concepts WHERE concept_id = ? LIMIT 1',
      }[goal.type];
      return (await d1.prepare(sql).bind(goal.id).first()) !== null;
    },

    /** Recomputes co-completion from every learner's completed lessons (the cron job). */
    async refreshPairs(): Promise<number> {
      const [, , counted] = await d1.batch([
        d1.prepare('DELETE FROM lesson_pairs'),
        d1.prepare(
          `INSERT INTO lesson_pairs (lesson_slug, next_slug, base, learners, successes)
           SELECT a.lesson_slug, b.lesson_slug,
             (SELECT count(*) FROM lesson_progress x WHERE x.lesson_slug = a.lesson_slug AND x.completed_at IS NOT NULL),
             count(*),
             sum(EXISTS (SELECT 1 FROM quiz_attempts qa JOIN quiz_items q ON q.id = qa.item_id
                         WHERE qa.learner_id = b.learner_id AND q.lesson_slug = b.lesson_slug AND qa.correct = 1))
           FROM lesson_progress a JOIN lesson_progress b
             ON b.learner_id = a.learner_id AND b.completed_at > a.completed_at
           WHERE a.completed_at IS NOT NULL
           GROUP BY a.lesson_slug, b.lesson_slug`,
        ),
        d1.prepare('SELECT count(*) AS n FROM lesson_pairs'),
      ]);
      return (counted?.results[0] as { n: number } | undefined)?.n ?? 0;
    },
  };
}
export type RecommendStore = ReturnType<typeof createD1RecommendStore>;
