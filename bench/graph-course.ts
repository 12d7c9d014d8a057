import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A generated course of any size with the structure the recommender works on:
 * prerequisite chains, concepts shared between lessons and two quiz items per lesson.
 * The same course can be written as a folder for `content push` (up to the server's
 * manifest limit) or as SQL rows for the local D1 (any size).
 */

const COURSE_SLUG = 'graph-course';
const LESSONS_PER_CHAPTER = 20;
const CHAPTERS_PER_PART = 10;
const LAYERS = ['L1', 'L2', 'L3'] as const;

export interface GraphLesson {
  slug: string;
  title: string;
  part: number;
  chapter: number;
  /** Position in its chapter (0 first). */
  index: number;
  layer: (typeof LAYERS)[number];
  minutes: number;
  difficulty: number;
  prerequisites: string[];
  concepts: string[];
  quiz: { question: string; choices: string[]; answer: number; explanation: string; concept: string }[];
}

export const lessonSlug = (n: number) => `graph-lesson-${n + 1}`;
const conceptId = (n: number) => `graph-concept-${n + 1}`;
/** What `content push` stores as a concept's label. */
const conceptLabel = (id: string) => id.charAt(0).toUpperCase() + id.slice(1).replace(/-/g, ' ');

/**
 * `size` lessons, 20 to a chapter, 10 chapters to a part. Within a chapter each lesson
 * needs the one before (every fifth also the same lesson of the chapter before); the
 * first lesson of an odd chapter needs the last of the previous chapter, so about one
 * chapter in two is open from the start and the eligible frontier grows with the course.
 * Each lesson teaches its own concept and one it shares with a neighbour.
 */
export function graphCourse(size: number): GraphLesson[] {
  return Array.from({ length: size }, (_, n) => {
    const chapter = Math.floor(n / LESSONS_PER_CHAPTER);
    const index = n % LESSONS_PER_CHAPTER;
    const prerequisites: string[] = [];
    if (index > 0) prerequisites.push(lessonSlug(n - 1));
    if (index > 0 && index % 5 === 0 && chapter > 0) prerequisites.push(lessonSlug(n - LESSONS_PER_CHAPTER));
    if (index === 0 && chapter % 2 === 1) prerequisites.push(lessonSlug(n - 1));
    const own = conceptId(n);
    const shared = conceptId(Math.floor(n / 2));
    const concepts = own === shared ? [own] : [own, shared];
    return {
      slug: lessonSlug(n),
      title: `Graph lesson ${n + 1}`,
      part: Math.floor(chapter / CHAPTERS_PER_PART),
      chapter,
      index,
      layer: LAYERS[Math.min(2, Math.floor((index * 3) / LESSONS_PER_CHAPTER))] ?? 'L1',
      minutes: 10 + (n % 4) * 5,
      difficulty: 1 + (n % 5),
      prerequisites,
      concepts,
      quiz: concepts.map((concept, q) => ({
        question: `Question ${q + 1} of lesson ${n + 1}: which row does the query keep?`,
        choices: ['the first', 'the second', 'the third', 'none'],
        answer: (n + q) % 4,
        explanation: `Generated explanation ${q + 1} of lesson ${n + 1}.`,
        concept,
      })),
    };
  });
}

const partSlug = (p: number) => `graph-part-${p + 1}`;
const chapterSlug = (c: number) => `graph-chapter-${c + 1}`;
const pad = (n: number) => String(n + 1).padStart(3, '0');

/** The course as a folder `content push` reads (the server takes at most 2,000 lessons a push). */
export function writeGraphCourse(size: number): string {
  const root = mkdtempSync(join(tmpdir(), 'learnedge-graph-'));
  writeFileSync(join(root, 'index.md'), `---\ntitle: Graph course\nslug: ${COURSE_SLUG}\nsummary: Generated.\n---\n`);
  for (const lesson of graphCourse(size)) {
    const part = join(root, `${pad(lesson.part)}-${partSlug(lesson.part)}`);
    const chapter = join(part, `${pad(lesson.chapter)}-${chapterSlug(lesson.chapter)}`);
    if (lesson.index === 0) {
      if (lesson.chapter % CHAPTERS_PER_PART === 0) {
        mkdirSync(part);
        writeFileSync(join(part, 'index.md'), `---\ntitle: Graph part ${lesson.part + 1}\n---\n`);
      }
      mkdirSync(chapter);
      writeFileSync(join(chapter, 'index.md'), `---\ntitle: Graph chapter ${lesson.chapter + 1}\n---\n`);
    }
    const quiz = lesson.quiz
      .map(
        (q) =>
          `  - question: ${JSON.stringify(q.question)}\n    choices: ${JSON.stringify(q.choices)}\n` +
          `    answer: ${q.answer}\n    explanation: ${JSON.stringify(q.explanation)}\n    concept: ${q.concept}\n`,
      )
      .join('');
    writeFileSync(
      join(chapter, `${pad(lesson.index)}-${lesson.slug}.md`),
      `---\ntitle: ${lesson.title}\nslug: ${lesson.slug}\nlayer: ${lesson.layer}\n` +
        `prerequisites: [${lesson.prerequisites.join(', ')}]\nconcepts: [${lesson.concepts.join(', ')}]\n` +
        `minutes: ${lesson.minutes}\ndifficulty: ${lesson.difficulty}\nsummary: Generated lesson ${lesson.slug}.\nquiz:\n${quiz}---\n\n` +
        `Generated lesson body of ${lesson.slug}: one short paragraph, so ingest stays cheap.\n`,
    );
  }
  return root;
}

const text = (value: string) => `'${value.replace(/'/g, "''")}'`;

/** Multi-row INSERTs of at most `rows` rows each, so a 10,000-lesson load stays a few hundred statements. */
function inserts(table: string, columns: string[], values: string[][], rows = 200): string {
  const out: string[] = [];
  for (let i = 0; i < values.length; i += rows) {
    const chunk = values.slice(i, i + rows).map((v) => `(${v.join(', ')})`);
    out.push(`INSERT INTO ${table} (${columns.join(', ')}) VALUES\n${chunk.join(',\n')};`);
  }
  return out.join('\n');
}

/**
 * The course as the rows `content push` would commit (ids, labels and columns as its
 * store writes them), replacing whatever course and shared learner aggregates the state holds.
 * Lesson bodies, blobs and search chunks are left out: the ranking reads none of them.
 */
export function graphCourseSql(size: number, now = new Date().toISOString()): string {
  const lessons = graphCourse(size);
  const parts = [...new Set(lessons.map((l) => l.part))];
  const chapters = [...new Set(lessons.map((l) => l.chapter))];
  const partId = (p: number) => `${COURSE_SLUG}/${partSlug(p)}`;
  const chapterId = (c: number) => `${partId(Math.floor(c / CHAPTERS_PER_PART))}/${chapterSlug(c)}`;
  const concepts = [...new Set(lessons.flatMap((l) => l.concepts))];
  // Learners' own state is in their objects: each size gets new learners. The shared rows go.
  const clear = [
    'lesson_completions',
    'attempt_log',
    'lesson_pairs',
    'quiz_items',
    'lesson_concepts',
    'lesson_prerequisites',
    'concepts',
    'lessons',
    'chapters',
    'parts',
    'courses',
  ].map((t) => `DELETE FROM ${t};`);
  return [
    ...clear,
    inserts(
      'courses',
      ['id', 'title', 'summary', 'version', 'manifest_hash', 'updated_at'],
      // A manifest hash per size, as a push would give it: the Worker's course memo is keyed by it.
      [[text(COURSE_SLUG), text('Graph course'), text(''), '1', text(`graph-${size}`), text(now)]],
    ),
    inserts(
      'parts',
      ['id', 'course_id', 'slug', 'title', 'summary', 'position'],
      parts.map((p) => [text(partId(p)), text(COURSE_SLUG), text(partSlug(p)), text(`Graph part ${p + 1}`), text(''), String(p)]),
    ),
    inserts(
      'chapters',
      ['id', 'course_id', 'part_id', 'slug', 'title', 'summary', 'position'],
      chapters.map((c) => [
        text(chapterId(c)),
        text(COURSE_SLUG),
        text(partId(Math.floor(c / CHAPTERS_PER_PART))),
        text(chapterSlug(c)),
        text(`Graph chapter ${c + 1}`),
        text(''),
        String(c % CHAPTERS_PER_PART),
      ]),
    ),
    inserts(
      'lessons',
      [
        'slug',
        'course_id',
        'chapter_id',
        'position',
        'title',
        'layer',
        'difficulty',
        'minutes',
        'summary',
        'source_path',
        'content_hash',
        'meta_hash',
        'ingest_status',
        'updated_at',
      ],
      lessons.map((l) => [
        text(l.slug),
        text(COURSE_SLUG),
        text(chapterId(l.chapter)),
        String(l.index),
        text(l.title),
        text(l.layer),
        String(l.difficulty),
        String(l.minutes),
        text(`Generated lesson ${l.slug}.`),
        text(`${l.slug}.md`),
        text(`hash-${l.slug}`),
        text(`meta-${l.slug}`),
        text('ingested'),
        text(now),
      ]),
    ),
    inserts(
      'concepts',
      ['id', 'label'],
      concepts.map((c) => [text(c), text(conceptLabel(c))]),
    ),
    inserts(
      'lesson_prerequisites',
      ['lesson_slug', 'prerequisite_slug', 'position'],
      lessons.flatMap((l) => l.prerequisites.map((p, i) => [text(l.slug), text(p), String(i)])),
    ),
    inserts(
      'lesson_concepts',
      ['lesson_slug', 'concept_id', 'position'],
      lessons.flatMap((l) => l.concepts.map((c, i) => [text(l.slug), text(c), String(i)])),
    ),
    inserts(
      'quiz_items',
      ['id', 'lesson_slug', 'position', 'question', 'choices', 'answer', 'explanation', 'concept_id'],
      lessons.flatMap((l) =>
        l.quiz.map((q, i) => [
          text(`${l.slug}-q${i + 1}`),
          text(l.slug),
          String(i),
          text(q.question),
          text(JSON.stringify(q.choices)),
          String(q.answer),
          text(q.explanation),
          text(q.concept),
        ]),
      ),
    ),
  ].join('\n');
}
