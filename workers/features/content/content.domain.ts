import type { FieldError } from '../../http/problem';
import { canonicalJson, sha256Hex } from '../../platform/sha256';
import type { Book, BookLesson, LessonInput, Manifest, PlanSummary } from './content.schemas';

/**
 * Finds one prerequisite cycle, as the list of slugs that close it
 * (`[a, b, a]`), or null. Prerequisites that name no lesson are ignored here.
 */
export function findPrerequisiteCycle(lessons: readonly { slug: string; prerequisites: readonly string[] }[]): string[] | null {
  const edges = new Map(lessons.map((l) => [l.slug, l.prerequisites]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (slug: string): string[] | null => {
    const s = state.get(slug);
    if (s === 'done') return null;
    if (s === 'visiting') return [...stack.slice(stack.indexOf(slug)), slug];
    state.set(slug, 'visiting');
    stack.push(slug);
    for (const next of edges.get(slug) ?? []) {
      if (!edges.has(next)) continue;
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(slug, 'done');
    return null;
  };
  for (const lesson of lessons) {
    const cycle = visit(lesson.slug);
    if (cycle) return cycle;
  }
  return null;
}

/**
 * Everything a manifest can get wrong beyond its shape: duplicates, dangling
 * references, cycles, quiz answers out of range, undeclared blobs. The server
 * checks again what the CLI already checked, because it cannot trust a client.
 */
export function checkManifest(manifest: Manifest): FieldError[] {
  const errors: FieldError[] = [];
  const add = (field: string, message: string) => errors.push({ field: `json/${field}`, message });

  const parts = new Set<string>();
  manifest.parts.forEach((p, i) => {
    if (parts.has(p.slug)) add(`parts/${i}/slug`, `duplicate part slug "${p.slug}"`);
    parts.add(p.slug);
  });
  const chapters = new Set<string>();
  manifest.chapters.forEach((c, i) => {
    const id = `${c.partSlug}/${c.slug}`;
    if (!parts.has(c.partSlug)) add(`chapters/${i}/partSlug`, `unknown part "${c.partSlug}"`);
    if (chapters.has(id)) add(`chapters/${i}/slug`, `duplicate chapter "${id}"`);
    chapters.add(id);
  });

  const slugs = new Set<string>();
  manifest.lessons.forEach((l, i) => {
    if (slugs.has(l.slug)) add(`lessons/${i}/slug`, `duplicate lesson slug "${l.slug}"`);
    slugs.add(l.slug);
    if (!chapters.has(`${l.partSlug}/${l.chapterSlug}`))
      add(`lessons/${i}/chapterSlug`, `unknown chapter "${l.partSlug}/${l.chapterSlug}"`);
  });

  const concepts = new Set(lessonConcepts(manifest.lessons));
  const linked = new Set<string>();
  manifest.course.conceptLinks?.forEach((link, i) => {
    if (!concepts.has(link.concept))
      add(`course/conceptLinks/${i}/concept`, `"${link.concept}" is not a concept of this course's lessons or quiz items`);
    if (link.course === manifest.course.slug)
      add(`course/conceptLinks/${i}/course`, 'a concept links to another course, not its own');
    const key = `${link.concept} ${link.course}`;
    if (linked.has(key)) add(`course/conceptLinks/${i}`, `"${link.concept}" is linked to course "${link.course}" twice`);
    linked.add(key);
  });

  const declared = new Set(manifest.blobs.map((b) => b.hash));
  const quizIds = new Map<string, string>();
  manifest.lessons.forEach((l, i) => {
    l.prerequisites.forEach((p, j) => {
      if (!slugs.has(p)) add(`lessons/${i}/prerequisites/${j}`, `unknown prerequisite "${p}"`);
      if (p === l.slug) add(`lessons/${i}/prerequisites/${j}`, 'a lesson cannot require itself');
      if (l.prerequisites.indexOf(p) !== j) add(`lessons/${i}/prerequisites/${j}`, `"${p}" is listed twice`);
    });
    l.concepts.forEach((c, j) => {
      if (l.concepts.indexOf(c) !== j) add(`lessons/${i}/concepts/${j}`, `"${c}" is listed twice`);
    });
    l.quiz.forEach((q, j) => {
      const id = quizItemId(l.slug, q.id, j);
      const owner = quizIds.get(id);
      if (owner) add(`lessons/${i}/quiz/${j}/id`, `quiz item id "${id}" is already used in lesson "${owner}"`);
      quizIds.set(id, l.slug);
    });
    l.quiz.forEach((q, j) => {
      if (q.answer >= q.choices.length)
        add(`lessons/${i}/quiz/${j}/answer`, `answer ${q.answer} is out of range for ${q.choices.length} choices`);
    });
    if (!declared.has(l.contentHash)) add(`lessons/${i}/contentHash`, 'content hash is not listed in blobs');
  });

  const cycle = findPrerequisiteCycle(manifest.lessons.filter((l) => !l.prerequisites.includes(l.slug)));
  if (cycle) {
    const i = manifest.lessons.findIndex((l) => l.slug === cycle[0]);
    add(`lessons/${i}/prerequisites`, `prerequisite cycle: ${cycle.join(' -> ')}`);
  }
  return errors;
}

/** The concepts lessons name, in their frontmatter or on a quiz item, each once. */
export function lessonConcepts(lessons: readonly LessonInput[]): string[] {
  return [...new Set(lessons.flatMap((l) => [...l.concepts, ...l.quiz.flatMap((q) => (q.concept ? [q.concept] : []))]))];
}

/** A quiz item's stable id: the author's, or `<lesson>-q<n>` by position. */
export function quizItemId(lessonSlug: string, explicit: string | undefined, index: number): string {
  return explicit ?? `${lessonSlug}-q${index + 1}`;
}

/** Hash of everything about a lesson except its body, so a metadata-only edit is detected. */
export function lessonMetaHash(lesson: LessonInput): Promise<string> {
  const { contentHash: _body, ...meta } = lesson;
  return sha256Hex(canonicalJson(meta));
}

/** Hash of the whole manifest except `prune`: an identical push is a no-op. */
export function manifestHash(manifest: Manifest): Promise<string> {
  // How a push is made (prune, the version it was planned against) is not what it holds.
  const { prune: _prune, baseVersion: _baseVersion, ...rest } = manifest;
  return sha256Hex(canonicalJson(rest));
}

export interface LessonFingerprint {
  slug: string;
  contentHash: string;
  metaHash: string;
}

/** What a push will do to each lesson, compared with what the server holds. */
export function planChanges(
  existing: readonly LessonFingerprint[],
  incoming: readonly LessonFingerprint[],
  prune: boolean,
): PlanSummary {
  const before = new Map(existing.map((l) => [l.slug, l]));
  const after = new Set(incoming.map((l) => l.slug));
  const summary: PlanSummary = { added: [], changed: [], unchanged: [], removed: [], kept: [] };
  for (const lesson of incoming) {
    const old = before.get(lesson.slug);
    if (!old) summary.added.push(lesson.slug);
    else if (old.contentHash !== lesson.contentHash || old.metaHash !== lesson.metaHash) summary.changed.push(lesson.slug);
    else summary.unchanged.push(lesson.slug);
  }
  for (const old of existing) {
    if (after.has(old.slug)) continue;
    (prune ? summary.removed : summary.kept).push(old.slug);
  }
  return summary;
}

export interface BookRows {
  course: { id: string; title: string; summary: string; version: number; language: string | null };
  parts: { id: string; slug: string; title: string; summary: string; position: number }[];
  chapters: { id: string; partId: string; slug: string; title: string; summary: string; position: number }[];
  lessons: (Omit<BookLesson, 'prerequisites' | 'concepts'> & { chapterId: string; position: number })[];
  prerequisites: { lessonSlug: string; prerequisiteSlug: string; position: number }[];
  concepts: { lessonSlug: string; conceptId: string; position: number }[];
}

const byPosition = <T extends { position: number }>(a: T, b: T) => a.position - b.position;

/** Assembles the ordered course hierarchy from flat rows. Empty chapters and parts are dropped. */
export function buildBook(rows: BookRows): Book {
  const grouped = <T, K>(items: T[], key: (t: T) => K) => {
    const map = new Map<K, T[]>();
    for (const item of items) map.set(key(item), [...(map.get(key(item)) ?? []), item]);
    return map;
  };
  const prereqs = grouped([...rows.prerequisites].sort(byPosition), (p) => p.lessonSlug);
  const concepts = grouped([...rows.concepts].sort(byPosition), (c) => c.lessonSlug);
  const lessonsByChapter = grouped([...rows.lessons].sort(byPosition), (l) => l.chapterId);
  const chaptersByPart = grouped([...rows.chapters].sort(byPosition), (c) => c.partId);

  const parts = [...rows.parts].sort(byPosition).map((part) => ({
    slug: part.slug,
    title: part.title,
    summary: part.summary,
    chapters: (chaptersByPart.get(part.id) ?? [])
      .map((chapter) => ({
        slug: chapter.slug,
        title: chapter.title,
        summary: chapter.summary,
        lessons: (lessonsByChapter.get(chapter.id) ?? []).map(({ chapterId: _c, position: _p, ...lesson }) => ({
          ...lesson,
          prerequisites: (prereqs.get(lesson.slug) ?? []).map((p) => p.prerequisiteSlug),
          concepts: (concepts.get(lesson.slug) ?? []).map((c) => c.conceptId),
        })),
      }))
      .filter((chapter) => chapter.lessons.length > 0),
  }));
  const nonEmpty = parts.filter((part) => part.chapters.length > 0);
  return {
    course: { slug: rows.course.id, title: rows.course.title, summary: rows.course.summary, language: rows.course.language },
    version: rows.course.version,
    lessonCount: rows.lessons.length,
    parts: nonEmpty,
  };
}

export interface LessonPlace {
  lesson: BookLesson;
  part: { slug: string; title: string };
  chapter: { slug: string; title: string };
  prev: { slug: string; title: string } | null;
  next: { slug: string; title: string } | null;
}

/** Where a lesson sits in reading order, with its neighbours across chapter and part boundaries. */
export function locateLesson(book: Book, slug: string): LessonPlace | null {
  const order = book.parts.flatMap((part) =>
    part.chapters.flatMap((chapter) => chapter.lessons.map((lesson) => ({ lesson, part, chapter }))),
  );
  const i = order.findIndex((entry) => entry.lesson.slug === slug);
  const here = order[i];
  if (!here) return null;
  const link = (entry: (typeof order)[number] | undefined) =>
    entry ? { slug: entry.lesson.slug, title: entry.lesson.title } : null;
  return {
    lesson: here.lesson,
    part: { slug: here.part.slug, title: here.part.title },
    chapter: { slug: here.chapter.slug, title: here.chapter.title },
    prev: link(order[i - 1]),
    next: link(order[i + 1]),
  };
}

/** A strong ETag for a JSON body. */
export async function etagOf(value: unknown): Promise<string> {
  return `"${(await sha256Hex(canonicalJson(value))).slice(0, 32)}"`;
}

/** True when an If-None-Match header names the given ETag (or `*`). */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === '*' || t === etag);
}
