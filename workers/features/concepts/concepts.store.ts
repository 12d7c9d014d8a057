import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client';
import * as t from '../../db/schema';
import type { KeyPhrase } from './concepts.keyphrases';
import type { ConceptKey } from '../mastery/mastery.domain';

export interface ConceptSummary {
  id: string;
  label: string;
  lessons: number;
  sources: number;
  /** Named by an author in some lesson's frontmatter (listed first), not only extracted. */
  authored: boolean;
}

export interface ConceptLink {
  id: string;
  title: string;
  /** The lesson's course (null for a knowledge source). */
  course: string | null;
  origin: 'author' | 'extracted';
  weight: number;
}

/** A concept next to another in the concept graph. */
export interface ConceptNeighbour {
  id: string;
  label: string;
  /**
   * Why: `lesson_prerequisite` (taught in a lesson the other's lesson needs), `lesson_order`
   * (comes before it in a lesson's list of concepts), or `co_occurrence` (shares lessons or sources).
   */
  via: 'lesson_prerequisite' | 'lesson_order' | 'co_occurrence';
  /** For co-occurrence: the lessons and sources both are in, weighted by how central each is; else 1. */
  strength: number;
}

export interface ConceptDetail {
  id: string;
  label: string;
  lessons: ConceptLink[];
  sources: ConceptLink[];
  /** Concepts to know first, concepts that build on this one, and related ones (at most 8). */
  neighbours: { prerequisites: ConceptNeighbour[]; dependents: ConceptNeighbour[]; related: ConceptNeighbour[] };
  /** The same concept in other courses (an author linked them); empty without a course. */
  linked: { course: string; courseTitle: string; id: string; label: string }[];
}

/**
 * Prerequisite edges between concepts an author gave lessons, as (from, to, via): a concept of a
 * lesson's prerequisite lesson comes before the lesson's concepts, and within a lesson's list of
 * concepts an earlier one comes before a later one.
 */
const prerequisiteEdges = (courseId: string | null) => sql`
  SELECT DISTINCT pc.concept_id AS before_id, lc.concept_id AS after_id, 'lesson_prerequisite' AS via
    FROM lesson_concepts lc
    JOIN lesson_prerequisites lp ON lp.lesson_slug = lc.lesson_slug
    JOIN lesson_concepts pc ON pc.lesson_slug = lp.prerequisite_slug
    WHERE pc.concept_id != lc.concept_id AND ${lessonOfCourse(sql`lc.lesson_slug`, courseId)}
  UNION
  SELECT DISTINCT o.concept_id, lc.concept_id, 'lesson_order'
    FROM lesson_concepts lc JOIN lesson_concepts o ON o.lesson_slug = lc.lesson_slug AND o.position < lc.position
    WHERE ${lessonOfCourse(sql`lc.lesson_slug`, courseId)}`;

/**
 * SQL for the label of concept `concept` in course `course` (both SQL expressions): as that
 * course's lessons write it (`course_concepts`), else the catalog's label; null for no concept.
 */
export function courseConceptLabel(concept: string, course: string): string {
  return `coalesce((SELECT cc.label FROM course_concepts cc WHERE cc.course_id = ${course} AND cc.concept_id = ${concept}),
    (SELECT k.label FROM concepts k WHERE k.id = ${concept}))`;
}

/**
 * SQL for the concepts authors linked with concept `concept` of course `course` (both SQL
 * expressions), declared from either side, in a course that has them: rows of
 * (course_id, concept_id, label). Graded answers move linked concepts together.
 */
export function linkedConcepts(course: string, concept: string): string {
  return `SELECT k.course_id, k.concept_id, cc.label FROM (
      SELECT cl.linked_course_id AS course_id, cl.linked_concept_id AS concept_id FROM concept_links cl
      WHERE cl.course_id = ${course} AND cl.concept_id = ${concept}
      UNION
      SELECT cl.course_id, cl.concept_id FROM concept_links cl
      WHERE cl.linked_course_id = ${course} AND cl.linked_concept_id = ${concept}) k
    JOIN course_concepts cc ON cc.course_id = k.course_id AND cc.concept_id = k.concept_id`;
}

/** `linkedConcepts` as one JSON array of `[course, concept]` (a scalar subquery; parse it with `linkedKeys`). */
export function linkedConceptsJson(course: string, concept: string): string {
  return `(SELECT json_group_array(json_array(x.course_id, x.concept_id)) FROM (${linkedConcepts(course, concept)}) x)`;
}

/** The concepts `linkedConceptsJson` read. */
export function linkedKeys(json: string): ConceptKey[] {
  return (JSON.parse(json) as [string, string][]).map(([courseId, conceptId]) => ({ courseId, conceptId }));
}

/** A concept's label as `courseConceptLabel` gives it for a course id (null: the catalog's label, in `c.label`). */
function labelIn(courseId: string | null): SQL {
  return courseId === null
    ? sql`c.label`
    : sql`coalesce((SELECT cc.label FROM course_concepts cc WHERE cc.course_id = ${courseId} AND cc.concept_id = c.id), c.label)`;
}

/** True for a lesson slug of course `courseId`, or (null) of any course. */
function lessonOfCourse(lessonSlug: SQL, courseId: string | null): SQL {
  return courseId === null ? sql`1` : sql`${lessonSlug} IN (SELECT slug FROM lessons WHERE course_id = ${courseId})`;
}

/** Most related concepts a concept lists. */
const MAX_RELATED = 8;

type Item = { kind: 'lesson' | 'source'; id: string };

/** Port over concepts and the lessons and sources that teach them. */
export interface ConceptStore {
  /**
   * Replaces an item's extracted concepts with `phrases` in one batch. A phrase the
   * author already gave a lesson stays the author's (origin `author`).
   */
  replaceExtracted(item: Item, phrases: KeyPhrase[]): Promise<void>;
  /**
   * Renames the concepts the author gave a lesson, in the lesson's course (and in the catalog):
   * `labelOf` says how the lesson writes each (null keeps the name).
   */
  relabelAuthored(lessonSlug: string, labelOf: (conceptId: string) => string | null): Promise<void>;
  /** Every concept, or (`courseId`) those a lesson of that course teaches, counting only its lessons. */
  list(courseId?: string): Promise<ConceptSummary[]>;
  /** A concept with what teaches it, or (`courseId`) with that course's lessons only; null when it has none there. */
  get(id: string, courseId?: string): Promise<ConceptDetail | null>;
}

/** Rows per insert: D1 binds at most 100 parameters per statement. */
const ROWS_PER_INSERT = 15;

/**
 * Links come from two places: `lesson_concepts` (frontmatter, kept by the push) and
 * `item_concepts` (extracted at ingest). Reads union them; links of lessons or
 * sources that no longer exist are never returned. With a course, only its lessons' links
 * (knowledge sources belong to the whole catalog, so theirs stay).
 */
const links = (courseId: string | null) => sql`
  SELECT 'lesson' AS kind, lc.lesson_slug AS item_id, lc.concept_id, 'author' AS origin, 1.0 AS weight
    FROM lesson_concepts lc WHERE ${lessonOfCourse(sql`lc.lesson_slug`, courseId)}
  UNION ALL
  SELECT ic.item_kind, ic.item_id, ic.concept_id, ic.origin, ic.weight FROM item_concepts ic
    WHERE (ic.item_kind = 'lesson' AND ic.item_id IN (SELECT slug FROM lessons) AND ${lessonOfCourse(sql`ic.item_id`, courseId)}
        AND NOT EXISTS (SELECT 1 FROM lesson_concepts a WHERE a.lesson_slug = ic.item_id AND a.concept_id = ic.concept_id))
       OR (ic.item_kind = 'source' AND ic.item_id IN (SELECT id FROM sources))`;

export function createD1ConceptStore(db: Db): ConceptStore {
  return {
    async replaceExtracted(item, phrases) {
      const concepts = [];
      const links = [];
      for (let i = 0; i < phrases.length; i += ROWS_PER_INSERT) {
        const rows = phrases.slice(i, i + ROWS_PER_INSERT);
        concepts.push(
          db
            .insert(t.concepts)
            .values(rows.map((p) => ({ id: p.id, label: p.label })))
            .onConflictDoNothing(),
        );
        links.push(
          db.insert(t.itemConcepts).values(
            rows.map((p) => ({
              itemKind: item.kind,
              itemId: item.id,
              conceptId: p.id,
              origin: 'extracted' as const,
              weight: p.weight,
            })),
          ),
        );
      }
      await db.batch([
        db.delete(t.itemConcepts).where(and(eq(t.itemConcepts.itemKind, item.kind), eq(t.itemConcepts.itemId, item.id))),
        ...concepts,
        ...links,
      ]);
    },

    async relabelAuthored(lessonSlug, labelOf) {
      const rows = await db
        .select({ id: t.lessonConcepts.conceptId })
        .from(t.lessonConcepts)
        .where(eq(t.lessonConcepts.lessonSlug, lessonSlug));
      const courseOfLesson = sql`(SELECT ${t.lessons.courseId} FROM ${t.lessons} WHERE ${t.lessons.slug} = ${lessonSlug})`;
      const updates = rows.flatMap(({ id }) => {
        const label = labelOf(id);
        if (label === null) return [];
        return [
          db.update(t.concepts).set({ label }).where(eq(t.concepts.id, id)),
          db
            .update(t.courseConcepts)
            .set({ label })
            .where(and(eq(t.courseConcepts.conceptId, id), eq(t.courseConcepts.courseId, courseOfLesson))),
        ];
      });
      const [first, ...rest] = updates;
      if (first) await db.batch([first, ...rest]);
    },

    async list(courseId) {
      const rows = await db.all<Omit<ConceptSummary, 'authored'> & { authored: number }>(sql`
        SELECT c.id, ${labelIn(courseId ?? null)} AS label,
          count(DISTINCT CASE WHEN l.kind = 'lesson' THEN l.item_id END) AS lessons,
          count(DISTINCT CASE WHEN l.kind = 'source' THEN l.item_id END) AS sources,
          max(l.origin = 'author') AS authored
        FROM concepts c JOIN (${links(courseId ?? null)}) l ON l.concept_id = c.id
        GROUP BY c.id ${courseId === undefined ? sql`` : sql`HAVING lessons > 0`}
        ORDER BY authored DESC, lessons + sources DESC, sum(l.weight) DESC, label COLLATE NOCASE`);
      return rows.map((r) => ({ ...r, authored: r.authored === 1 }));
    },

    async get(id, courseId) {
      const course = courseId ?? null;
      const concept = await db.get<{ id: string; label: string } | undefined>(
        sql`SELECT c.id, ${labelIn(course)} AS label FROM concepts c WHERE c.id = ${id}`,
      );
      if (!concept) return null;
      const rows = await db.all<ConceptLink & { kind: 'lesson' | 'source' }>(sql`
        SELECT l.kind, l.item_id AS id, coalesce(le.title, s.title, l.item_id) AS title, le.course_id AS course,
          l.origin, l.weight
        FROM (${links(course)}) l
          LEFT JOIN lessons le ON l.kind = 'lesson' AND le.slug = l.item_id
          LEFT JOIN sources s ON l.kind = 'source' AND s.id = l.item_id
        WHERE l.concept_id = ${id}
        ORDER BY l.origin = 'author' DESC, l.weight DESC, title`);
      const pick = (kind: 'lesson' | 'source') =>
        rows
          .filter((r) => r.kind === kind)
          .map(({ id: itemId, title, course: of, origin, weight }) => ({ id: itemId, title, course: of, origin, weight }));
      const lessons = pick('lesson');
      if (course !== null && lessons.length === 0) return null;
      // The same concept in other courses, as their authors linked it (a course's concept only).
      const linked =
        course === null
          ? []
          : await db.all<{ course: string; courseTitle: string; id: string; label: string }>(sql`
              WITH target (course_id, concept_id) AS (SELECT ${course}, ${id})
              SELECT x.course_id AS course, co.title AS courseTitle, x.concept_id AS id, x.label
              FROM (${sql.raw(linkedConcepts('(SELECT course_id FROM target)', '(SELECT concept_id FROM target)'))}) x
                JOIN courses co ON co.id = x.course_id
              ORDER BY co.title, x.label`);
      return { ...concept, lessons, sources: pick('source'), neighbours: await neighbours(db, id, course), linked };
    },
  };
}

/**
 * A concept's neighbours (within course `courseId`, when not null): prerequisite edges both ways (a pair linked by a lesson prerequisite
 * is not also listed for lesson order), and the concepts an author named somewhere (a key phrase
 * alone is not a concept worth a link) sharing most lessons and sources with it, weighted by how
 * central both are to each (edges of the first two kinds are left out).
 */
async function neighbours(db: Db, id: string, courseId: string | null): Promise<ConceptDetail['neighbours']> {
  const edges = await db.all<{ before_id: string; after_id: string; via: ConceptNeighbour['via']; label: string }>(sql`
    WITH edges AS (${prerequisiteEdges(courseId)})
    SELECT e.before_id, e.after_id, e.via, ${labelIn(courseId)} AS label FROM edges e
      JOIN concepts c ON c.id = CASE WHEN e.before_id = ${id} THEN e.after_id ELSE e.before_id END
    WHERE (e.before_id = ${id} OR e.after_id = ${id}) AND e.before_id != e.after_id
    ORDER BY e.via = 'lesson_prerequisite' DESC, label COLLATE NOCASE`);
  const pick = (side: 'before_id' | 'after_id') => {
    const seen = new Map<string, ConceptNeighbour>();
    for (const e of edges) {
      if (e[side] !== id) continue;
      const other = side === 'after_id' ? e.before_id : e.after_id;
      if (!seen.has(other)) seen.set(other, { id: other, label: e.label, via: e.via, strength: 1 });
    }
    return [...seen.values()];
  };
  const prerequisites = pick('after_id');
  const dependents = pick('before_id');
  const linked = new Set([id, ...prerequisites.map((n) => n.id), ...dependents.map((n) => n.id)]);
  const shared = await db.all<{ id: string; label: string; strength: number }>(sql`
    WITH links AS (${links(courseId)}),
    mine AS (SELECT kind, item_id, weight FROM links WHERE concept_id = ${id})
    SELECT o.concept_id AS id, ${labelIn(courseId)} AS label, sum(min(o.weight, m.weight)) AS strength
    FROM links o JOIN mine m ON m.kind = o.kind AND m.item_id = o.item_id JOIN concepts c ON c.id = o.concept_id
    WHERE o.concept_id != ${id}
      AND EXISTS (SELECT 1 FROM lesson_concepts a WHERE a.concept_id = o.concept_id AND ${lessonOfCourse(sql`a.lesson_slug`, courseId)})
    GROUP BY o.concept_id ORDER BY strength DESC, label COLLATE NOCASE LIMIT ${MAX_RELATED * 4}`);
  const related = shared
    .filter((r) => !linked.has(r.id))
    .slice(0, MAX_RELATED)
    .map((r) => ({ id: r.id, label: r.label, via: 'co_occurrence' as const, strength: Math.round(r.strength * 1000) / 1000 }));
  return { prerequisites, dependents, related };
}
