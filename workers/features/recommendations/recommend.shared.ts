import { courseConceptLabel } from '../concepts/concepts.store';
import { COURSE_OR_DEFAULT_SQL, COURSE_STAMP_SQL } from '../content/content.store';

/** The feedback counts (as `s`) of the recommendations a lesson `l` can be: its id is `<kind>:<lesson slug>`. */
export const LESSON_RECOMMENDATION_STATS = `JOIN recommendation_stats s
  ON s.recommendation_id IN ('lesson:' || l.slug, 'review:' || l.slug, 'quiz:' || l.slug)`;

/**
 * Feedback counts of the candidates only: the three recommendations each lesson of the
 * course (bound, see COURSE_OR_DEFAULT_SQL) can be, looked up by primary key, so rows
 * left for anything else are never read.
 */
export const CANDIDATE_STATS_SQL = `SELECT s.recommendation_id, s.accepted, s.dismissed FROM lessons l
  ${LESSON_RECOMMENDATION_STATS} WHERE l.course_id = ${COURSE_OR_DEFAULT_SQL}`;

/** What the ranking reads of what all learners share, for one learner in one course. */
export interface SharedReads {
  /** Names the catalog's current content (see COURSE_STAMP_SQL). */
  stamp: string;
  /** The course the ranking is of (null before any push). */
  courseId: string | null;
  /** Feedback counts per recommendation id (`<kind>:<lesson slug>`). */
  feedback: Map<string, { accepted: number; dismissed: number }>;
  /** How many learners started and completed each lesson. */
  lessonStats: { lessonSlug: string; started: number; completed: number }[];
  /** The best co-completion rate into each next lesson from the lessons the learner completed. */
  collaborative: Map<string, number>;
  /** Concept labels as the course names them. */
  labels: Map<string, string>;
}

type CourseStats = Pick<SharedReads, 'stamp' | 'courseId' | 'feedback' | 'lessonStats'>;

/**
 * What this isolate read lately, trusted for the `trustMs` the caller passes
 * (RANKING_STATS_TTL_MS): the course's stamp and statistics per course asked for, each
 * lesson's co-completion rows, and concept labels of the stamp they were read at. These
 * are counts every learner shares, which the aggregates queue already brings in a
 * second or more late; a push made through another isolate is seen this much later too
 * (a plan or list made just before a push has the same view).
 */
const courseStats = new Map<string, CourseStats & { readAt: number }>();
const pairs = new Map<string, { readAt: number; rows: { next: string; score: number }[] }>();
let labelMemo: { key: string; labels: Map<string, string | null> } = { key: '', labels: new Map() };
/** Most entries a memo keeps before it starts afresh. */
const MEMO_ENTRIES = 5_000;

/** Splits `values` into IN-lists D1 can bind (at most 100 parameters per statement). */
const chunks = <T>(values: readonly T[], size = 90): T[][] =>
  Array.from({ length: Math.ceil(values.length / size) }, (_, i) => values.slice(i * size, (i + 1) * size));
const marks = (values: readonly unknown[]) => values.map(() => '?').join(', ');

/**
 * The shared reads of one ranking (`course`: the course asked for, null for the default
 * one): at most one D1 batch, of what this isolate has not read within `trustMs`.
 */
export async function sharedReads(
  d1: D1Database,
  input: { course: string | null; completedSlugs: string[]; conceptIds: string[]; trustMs: number },
): Promise<SharedReads> {
  const now = Date.now();
  const key = input.course ?? '';
  const known = courseStats.get(key);
  // Trusted for the caller's window (a caller trusting nothing reads everything).
  const fresh = (readAt: number) => now - readAt < input.trustMs;
  const stats = known && fresh(known.readAt) ? known : null;
  // A caller that trusts nothing keeps nothing either.
  const keeps = input.trustMs > 0;
  const labelsKey = (stamp: string) => `${key}\n${stamp}`;
  // What is kept is taken now: another request may replace a memo while this one waits on D1.
  const keptLabels = stats && labelMemo.key === labelsKey(stats.stamp) ? labelMemo.labels : new Map<string, string | null>();
  const keptPairs = new Map<string, { next: string; score: number }[]>();
  for (const slug of input.completedSlugs) {
    const kept = pairs.get(slug);
    if (kept && fresh(kept.readAt)) keptPairs.set(slug, kept.rows);
  }
  const slugs = [...new Set(input.completedSlugs)].filter((slug) => !keptPairs.has(slug));
  const concepts = [...new Set(input.conceptIds)].filter((id) => !keptLabels.has(id));
  const courseStatements = stats
    ? []
    : [
        d1.prepare(COURSE_STAMP_SQL).bind(input.course),
        d1.prepare(CANDIDATE_STATS_SQL).bind(input.course),
        d1
          .prepare(`SELECT lesson_slug, started, completed FROM lesson_stats WHERE course_id = ${COURSE_OR_DEFAULT_SQL}`)
          .bind(input.course),
      ];
  const pairStatements = chunks(slugs).map((part) =>
    // Co-completion from each lesson the learner completed, per next lesson.
    d1
      .prepare(
        `SELECT lesson_slug, next_slug, (learners + successes) * 0.5 / base AS score FROM lesson_pairs
         WHERE lesson_slug IN (${marks(part)})`,
      )
      .bind(...part),
  );
  const labelStatements = chunks(concepts).map((part) =>
    // As the course names them (the same slug in two courses is two concepts).
    d1
      .prepare(
        `SELECT c.id, ${courseConceptLabel('c.id', COURSE_OR_DEFAULT_SQL)} AS label FROM concepts c WHERE c.id IN (${marks(part)})`,
      )
      .bind(input.course, ...part),
  );
  const statements = [...courseStatements, ...pairStatements, ...labelStatements];
  const results = statements.length > 0 ? await d1.batch<Record<string, unknown>>(statements) : [];
  const rows = (from: number, count: number) => results.slice(from, from + count).flatMap((r) => r.results);

  let course: CourseStats | null = stats;
  if (!course) {
    const [stamp] = rows(0, 1);
    course = {
      stamp: (stamp?.stamp as string | null) ?? '',
      courseId: (stamp?.course_id as string | null) ?? null,
      feedback: new Map(
        rows(1, 1).map((r) => [
          r.recommendation_id as string,
          { accepted: r.accepted as number, dismissed: r.dismissed as number },
        ]),
      ),
      lessonStats: rows(2, 1).map((r) => ({
        lessonSlug: r.lesson_slug as string,
        started: r.started as number,
        completed: r.completed as number,
      })),
    };
    if (keeps) {
      if (courseStats.size >= MEMO_ENTRIES) courseStats.clear();
      courseStats.set(key, { ...course, readAt: now });
    }
  }

  const readPairs = new Map<string, { next: string; score: number }[]>(slugs.map((slug) => [slug, []]));
  for (const r of rows(courseStatements.length, pairStatements.length)) {
    // A pair whose base is 0 has no rate (NULL): it counts as none.
    readPairs.get(r.lesson_slug as string)?.push({ next: r.next_slug as string, score: Math.min(1, Number(r.score ?? 0)) });
  }
  if (keeps) {
    if (pairs.size + readPairs.size > MEMO_ENTRIES) pairs.clear();
    for (const [slug, found] of readPairs) pairs.set(slug, { readAt: now, rows: found });
  }
  const collaborative = new Map<string, number>();
  for (const found of [...keptPairs.values(), ...readPairs.values()]) {
    for (const { next, score } of found) collaborative.set(next, Math.max(collaborative.get(next) ?? 0, score));
  }

  const readLabels = new Map<string, string | null>(concepts.map((id) => [id, null]));
  for (const r of rows(courseStatements.length + pairStatements.length, labelStatements.length)) {
    readLabels.set(r.id as string, r.label as string);
  }
  if (keeps) {
    // Labels are of the course's content: kept while its stamp stands.
    const memoKey = labelsKey(course.stamp);
    const memo =
      labelMemo.key === memoKey && labelMemo.labels.size < MEMO_ENTRIES ? labelMemo.labels : new Map<string, string | null>();
    for (const [id, label] of readLabels) memo.set(id, label);
    labelMemo = { key: memoKey, labels: memo };
  }
  const labels = new Map<string, string>();
  for (const id of input.conceptIds) {
    const label = readLabels.has(id) ? readLabels.get(id) : keptLabels.get(id);
    if (label) labels.set(id, label);
  }
  return { ...course, collaborative, labels };
}
