import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import * as t from '../../db/schema';
import type { KeyPhrase } from './concepts.keyphrases';

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
  origin: 'author' | 'extracted';
  weight: number;
}

export interface ConceptDetail {
  id: string;
  label: string;
  lessons: ConceptLink[];
  sources: ConceptLink[];
}

type Item = { kind: 'lesson' | 'source'; id: string };

/** Port over concepts and the lessons and sources that teach them. */
export interface ConceptStore {
  /**
   * Replaces an item's extracted concepts with `phrases` in one batch. A phrase the
   * author already gave a lesson stays the author's (origin `author`).
   */
  replaceExtracted(item: Item, phrases: KeyPhrase[]): Promise<void>;
  /** Renames the concepts the author gave a lesson: `labelOf` says how the lesson writes each (null keeps the name). */
  relabelAuthored(lessonSlug: string, labelOf: (conceptId: string) => string | null): Promise<void>;
  list(): Promise<ConceptSummary[]>;
  get(id: string): Promise<ConceptDetail | null>;
}

/** Rows per insert: D1 binds at most 100 parameters per statement. */
const ROWS_PER_INSERT = 15;

/**
 * Links come from two places: `lesson_concepts` (frontmatter, kept by the push) and
 * `item_concepts` (extracted at ingest). Reads union them; links of lessons or
 * sources that no longer exist are never returned.
 */
const LINKS = sql`
  SELECT 'lesson' AS kind, lc.lesson_slug AS item_id, lc.concept_id, 'author' AS origin, 1.0 AS weight
    FROM lesson_concepts lc
  UNION ALL
  SELECT ic.item_kind, ic.item_id, ic.concept_id, ic.origin, ic.weight FROM item_concepts ic
    WHERE (ic.item_kind = 'lesson' AND ic.item_id IN (SELECT slug FROM lessons)
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
      const updates = rows.flatMap(({ id }) => {
        const label = labelOf(id);
        return label === null ? [] : [db.update(t.concepts).set({ label }).where(eq(t.concepts.id, id))];
      });
      const [first, ...rest] = updates;
      if (first) await db.batch([first, ...rest]);
    },

    async list() {
      const rows = await db.all<Omit<ConceptSummary, 'authored'> & { authored: number }>(sql`
        SELECT c.id, c.label,
          count(DISTINCT CASE WHEN l.kind = 'lesson' THEN l.item_id END) AS lessons,
          count(DISTINCT CASE WHEN l.kind = 'source' THEN l.item_id END) AS sources,
          max(l.origin = 'author') AS authored
        FROM concepts c JOIN (${LINKS}) l ON l.concept_id = c.id
        GROUP BY c.id ORDER BY authored DESC, lessons + sources DESC, sum(l.weight) DESC, c.label COLLATE NOCASE`);
      return rows.map((r) => ({ ...r, authored: r.authored === 1 }));
    },

    async get(id) {
      const concept = await db.query.concepts.findFirst({ where: eq(t.concepts.id, id) });
      if (!concept) return null;
      const rows = await db.all<ConceptLink & { kind: 'lesson' | 'source' }>(sql`
        SELECT l.kind, l.item_id AS id, coalesce(le.title, s.title, l.item_id) AS title, l.origin, l.weight
        FROM (${LINKS}) l
          LEFT JOIN lessons le ON l.kind = 'lesson' AND le.slug = l.item_id
          LEFT JOIN sources s ON l.kind = 'source' AND s.id = l.item_id
        WHERE l.concept_id = ${id}
        ORDER BY l.origin = 'author' DESC, l.weight DESC, title`);
      const pick = (kind: 'lesson' | 'source') =>
        rows
          .filter((r) => r.kind === kind)
          .map(({ id: itemId, title, origin, weight }) => ({ id: itemId, title, origin, weight }));
      return { ...concept, lessons: pick('lesson'), sources: pick('source') };
    },
  };
}
