import { ofLearner } from '../../http/learner-auth';
import type { LearnerObject } from '../learners/learner.client';
import { ITEM_CONCEPT } from '../mastery/mastery.store';
import type { CourseGoal, Goal } from './path.domain';
import type { ConceptInfo, CourseLesson, Layer, LearnerSignals, RankWeights } from './recommend.domain';
import type { OfferedItem } from '../learners/learner.store';
import { unpackOption, type RankChoice, type RankerFit } from './ranker.fit';
import type { SignalRows } from '../learners/learner.object';
import { lessonCompletionChances } from './engagement.domain';
import { DEFAULT_COURSE_SQL } from '../content/content.store';
import { sharedReads } from './recommend.shared';

/** Each course as last read, per isolate, with the stamp it was read at (see COURSE_STAMP_SQL). */
const courseMemo = new Map<string, { stamp: string; lessons: CourseLesson[]; itemLessons: Map<string, string> }>();

/** One refit of a course's ranker weights, as stored. */
export interface StoredRankerWeights {
  courseId: string;
  version: number;
  fittedAt: string;
  weights: RankWeights;
  fit: RankerFit;
}

export interface LearnerContext {
  /** Names the catalog's current content (see courseMemo). */
  courseStamp: string;
  /** The course the ranking is of (see `rankedCourse`; null before any push). */
  courseId: string | null;
  signals: Omit<LearnerSignals, 'allowSkips'>;
  goal: Goal | null;
  sessionMinutes: number | null;
  onboardingGoals: string[];
  /** Active seconds per lesson (started or completed). */
  activeSeconds: Map<string, number>;
  /** Active seconds per day over the last 28 days. */
  days: { activeSeconds: number }[];
}

/** A row of a lesson child table (by its lesson_slug) belongs to the course bound to its `?`. */
const IN_COURSE = 'lesson_slug IN (SELECT slug FROM lessons WHERE course_id = ?)';

/**
 * The course the learner model ranks over when no course is asked for: the one the learner
 * last worked in (their newest lesson activity), else their goal's, else none (the default
 * course). A learner who moves on to a second course gets that course's next steps.
 */
export function rankedCourse(mine: Pick<SignalRows, 'progress' | 'goalCourse'>): string | null {
  let latest: { at: string; courseId: string } | null = null;
  for (const p of mine.progress) {
    const at = p.lastActivityAt ?? p.completedAt ?? p.startedAt;
    if (at && (!latest || at > latest.at)) latest = { at, courseId: p.courseId };
  }
  return latest?.courseId ?? mine.goalCourse;
}

/**
 * One learner's signals (one call to their object, then at most one D1 batch of what all
 * learners share, see `sharedReads`), and the course as the ranking sees it (one more
 * batch when this isolate has not read the current course yet); goals; the co-completion
 * table the cron job refreshes.
 */
export function createRecommendStore(
  d1: D1Database,
  learnerObject: (learnerId: string) => LearnerObject,
  /** How long this isolate trusts the course-wide statistics it read (RANKING_STATS_TTL_MS, see `sharedReads`). */
  statsTrustMs = 0,
) {
  const store = {
    /** A course (`LearnerContext.courseId`), from this isolate's copy when `stamp` (from `learner`) says it is current. */
    async course(stamp: string, courseId: string | null): Promise<CourseLesson[]> {
      return (await store.courseWithItems(stamp, courseId)).lessons;
    },

    /** A course and the lesson of each of its quiz items. */
    async courseWithItems(
      stamp: string,
      courseId: string | null,
    ): Promise<{ lessons: CourseLesson[]; itemLessons: Map<string, string> }> {
      const memo = courseMemo.get(courseId ?? '');
      if (memo?.stamp === stamp) return memo;
      const [lessons, prerequisites, concepts, quiz, itemRows] = await d1.batch<Record<string, unknown>>([
        d1
          .prepare(
            `SELECT l.slug, l.title, p.slug AS part_slug, p.title AS part_title, l.layer, l.minutes
             FROM lessons l JOIN chapters c ON c.id = l.chapter_id JOIN parts p ON p.id = c.part_id
             WHERE l.course_id = ?
             ORDER BY p.position, c.position, l.position`,
          )
          .bind(courseId),
        d1
          .prepare(
            `SELECT lesson_slug, prerequisite_slug FROM lesson_prerequisites WHERE ${IN_COURSE} ORDER BY lesson_slug, position`,
          )
          .bind(courseId),
        d1
          .prepare(`SELECT lesson_slug, concept_id FROM lesson_concepts WHERE ${IN_COURSE} ORDER BY lesson_slug, position`)
          .bind(courseId),
        d1
          .prepare(
            `SELECT q.lesson_slug, count(*) AS n, group_concat(DISTINCT ${ITEM_CONCEPT}) AS assessed
             FROM quiz_items q WHERE q.${IN_COURSE} GROUP BY q.lesson_slug`,
          )
          .bind(courseId),
        d1.prepare(`SELECT id, lesson_slug FROM quiz_items WHERE ${IN_COURSE}`).bind(courseId),
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
      const itemLessons = new Map((itemRows?.results ?? []).map((r) => [r.id as string, r.lesson_slug as string]));
      const read = { stamp, lessons: course, itemLessons };
      courseMemo.set(courseId ?? '', read);
      return read;
    },

    /** The learner's context in `course` (default: `rankedCourse`, or their goal's course first with `goalFirst`), at `now`. */
    async learner(learnerId: string, now: Date, course?: string, options?: { goalFirst: boolean }): Promise<LearnerContext> {
      const mine = ofLearner(await learnerObject(learnerId).signals(learnerId, now.toISOString()));
      return store.context(mine, now, course ?? (options?.goalFirst ? (mine.goalCourse ?? undefined) : undefined));
    },

    /**
     * The learner's context in `course` (default: `rankedCourse`; a course the catalog no
     * longer holds reads as the default course) from what their object gave
     * (`Learner.signals`): one D1 batch of what all learners share, none when this isolate
     * read it all lately (see `sharedReads`), plus the course when this isolate has not read it.
     */
    async context(mine: SignalRows, now: Date, course?: string): Promise<LearnerContext> {
      const wanted = course ?? rankedCourse(mine);
      const completedSlugs = mine.progress.filter((p) => p.completedAt).map((p) => p.lessonSlug);
      // Labels of the concepts the learner has answered on, and of a concept goal.
      const conceptIds = [...mine.mastery.map((m) => m.conceptId), ...(mine.goal?.type === 'concept' ? [mine.goal.id] : [])];
      const shared = await sharedReads(d1, { course: wanted, completedSlugs, conceptIds, trustMs: statsTrustMs });
      const { stamp: courseStamp, courseId, labels } = shared;
      const { itemLessons, lessons } = await store.courseWithItems(courseStamp, courseId);
      // Mastery, goal and onboarding goals of this course only (a concept id or part slug may recur in another).
      const mastery = mine.mastery.filter((m) => m.courseId === courseId);
      const goal = mine.goalCourse === null || mine.goalCourse === courseId ? mine.goal : null;
      const parts = new Set(lessons.map((l) => l.partSlug));
      const onboardingGoals = (mine.preferences?.goals ?? []).filter((g) => parts.has(g));
      const perLesson = (itemIds: readonly string[]) => {
        const counts = new Map<string, number>();
        for (const id of itemIds) {
          const slug = itemLessons.get(id);
          if (slug) counts.set(slug, (counts.get(slug) ?? 0) + 1);
        }
        return counts;
      };

      const completed = new Set<string>();
      const started = new Set<string>();
      const activeSeconds = new Map<string, number>();
      let last: { slug: string; at: string } | null = null;
      for (const p of mine.progress) {
        if (p.courseId !== courseId) continue;
        const at = p.completedAt;
        if (at) completed.add(p.lessonSlug);
        if (at && (!last || at > last.at)) last = { slug: p.lessonSlug, at };
        else if (p.startedAt || p.activeSeconds > 0) started.add(p.lessonSlug);
        activeSeconds.set(p.lessonSlug, p.activeSeconds);
      }
      const concepts = new Map<string, ConceptInfo>(
        mastery.map((m) => [
          m.conceptId,
          { title: labels.get(m.conceptId) ?? m.conceptId, pKnown: m.pKnown, attempts: m.attempts },
        ]),
      );
      if (goal?.type === 'concept' && !concepts.has(goal.id) && labels.has(goal.id)) {
        concepts.set(goal.id, { title: labels.get(goal.id) ?? goal.id, pKnown: 0, attempts: 0 });
      }
      return {
        courseStamp,
        courseId,
        signals: {
          completed,
          lastCompleted: last?.slug ?? null,
          started,
          concepts,
          goalParts: new Set(onboardingGoals),
          goalLessons: new Set(),
          dueReviews: perLesson(mine.dueItems),
          quizCorrect: perLesson(mine.correctItems),
          collaborative: shared.collaborative,
          feedback: shared.feedback,
          dismissed: new Set(mine.dismissed),
          completion: lessonCompletionChances(
            lessons.map((l) => l.slug),
            shared.lessonStats,
            mine.progress,
            now,
          ),
        },
        goal,
        sessionMinutes: mine.preferences?.sessionMinutes ?? null,
        onboardingGoals,
        activeSeconds,
        days: mine.days.map((d) => ({ activeSeconds: d.activeSeconds })),
      };
    },

    async goal(learnerId: string): Promise<CourseGoal | null> {
      return learnerObject(learnerId).goal(learnerId);
    },

    /** Records what a freshly ranked list offers the learner (lessons with their signal values): their feedback is taken on these only. */
    async offer(learnerId: string, offered: OfferedItem[], courseId: string | null, now: Date): Promise<void> {
      if (!(await learnerObject(learnerId).offer(learnerId, offered, courseId, now.toISOString()))) ofLearner(null);
    },

    /** Courses with choices logged on or after `since`. */
    async choiceCourses(since: string): Promise<string[]> {
      const { results } = await d1
        .prepare('SELECT DISTINCT course_id FROM ranker_choices WHERE day >= ? ORDER BY course_id')
        .bind(since)
        .all<{ course_id: string }>();
      return results.map((r) => r.course_id);
    },

    /** The newest `limit` choices of a course logged on or after `since`. */
    async choices(courseId: string, since: string, limit: number): Promise<RankChoice[]> {
      const { results } = await d1
        .prepare('SELECT chosen, options FROM ranker_choices WHERE course_id = ? AND day >= ? ORDER BY id DESC LIMIT ?')
        .bind(courseId, since, limit)
        .all<{ chosen: number; options: string }>();
      return results.map((r) => ({ chosen: r.chosen, options: (JSON.parse(r.options) as number[][]).map(unpackOption) }));
    },

    /** Forgets choices logged before `before` (the window refits read). */
    async pruneChoices(before: string): Promise<number> {
      return (await d1.prepare('DELETE FROM ranker_choices WHERE day < ?').bind(before).run()).meta.changes;
    },

    /** Courses whose weights were refitted at least once. */
    async weightCourses(): Promise<string[]> {
      const { results } = await d1
        .prepare('SELECT DISTINCT course_id FROM ranker_weights ORDER BY course_id')
        .all<{ course_id: string }>();
      return results.map((r) => r.course_id);
    },

    /** A course's refits, newest first (at most `limit`). */
    async weightHistory(courseId: string, limit: number): Promise<StoredRankerWeights[]> {
      const { results } = await d1
        .prepare('SELECT version, fitted_at, weights, fit FROM ranker_weights WHERE course_id = ? ORDER BY version DESC LIMIT ?')
        .bind(courseId, limit)
        .all<{ version: number; fitted_at: string; weights: string; fit: string }>();
      return results.map((r) => ({
        courseId,
        version: r.version,
        fittedAt: r.fitted_at,
        weights: JSON.parse(r.weights) as RankWeights,
        fit: JSON.parse(r.fit) as RankerFit,
      }));
    },

    /** Stores a refit as the course's next version (a concurrent refit of the same version stores nothing); whether it was stored. */
    async saveWeights(row: StoredRankerWeights): Promise<boolean> {
      const result = await d1
        .prepare(
          'INSERT INTO ranker_weights (course_id, version, fitted_at, weights, fit) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
        )
        .bind(row.courseId, row.version, row.fittedAt, JSON.stringify(row.weights), JSON.stringify(row.fit))
        .run();
      return result.meta.changes > 0;
    },

    /** Stores the goal; false when the learner does not exist. */
    async setGoal(learnerId: string, goal: Goal, courseId: string | null, now: string): Promise<boolean> {
      return learnerObject(learnerId).setGoal(learnerId, goal, courseId, now);
    },

    /** The courses a goal is in (a part slug or a concept may be in several), the default course first. */
    async goalCourses(goal: Pick<Goal, 'type' | 'id'>): Promise<{ courseId: string; isDefault: boolean }[]> {
      const sql = {
        lesson: 'SELECT course_id FROM lessons WHERE slug = ?',
        part: 'SELECT course_id FROM parts WHERE slug = ?',
        concept: 'SELECT l.course_id FROM lesson_concepts lc JOIN lessons l ON l.slug = lc.lesson_slug WHERE lc.concept_id = ?',
      }[goal.type];
      const { results } = await d1
        .prepare(
          `SELECT DISTINCT course_id, course_id = ${DEFAULT_COURSE_SQL} AS is_default FROM (${sql})
           ORDER BY is_default DESC, course_id`,
        )
        .bind(goal.id)
        .all<{ course_id: string; is_default: number }>();
      return results.map((r) => ({ courseId: r.course_id, isDefault: r.is_default === 1 }));
    },

    /** Recomputes co-completion from every learner's completions and answers in the shared log (the cron job). */
    async refreshPairs(): Promise<number> {
      const [, , counted] = await d1.batch([
        d1.prepare('DELETE FROM lesson_pairs'),
        d1.prepare(
          `INSERT INTO lesson_pairs (lesson_slug, next_slug, base, learners, successes)
           SELECT a.lesson_slug, b.lesson_slug,
             (SELECT count(*) FROM lesson_completions x WHERE x.lesson_slug = a.lesson_slug),
             count(*),
             sum(EXISTS (SELECT 1 FROM attempt_log qa
                         WHERE qa.learner_id = b.learner_id AND qa.lesson_slug = b.lesson_slug AND qa.correct = 1))
           FROM lesson_completions a JOIN lesson_completions b
             ON b.learner_id = a.learner_id AND b.completed_at > a.completed_at
           GROUP BY a.lesson_slug, b.lesson_slug`,
        ),
        d1.prepare('SELECT count(*) AS n FROM lesson_pairs'),
      ]);
      return (counted?.results[0] as { n: number } | undefined)?.n ?? 0;
    },
  };
  return store;
}
export type RecommendStore = ReturnType<typeof createRecommendStore>;
