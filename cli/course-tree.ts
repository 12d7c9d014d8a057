import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { checkManifest } from '../workers/features/content/content.domain';
import { fieldErrors } from '../workers/http/validation';
import { ManifestSchema, type Manifest } from '../workers/features/content/content.schemas';
import { sha256Hex } from '../workers/platform/sha256';
import {
  compareOrder,
  detectLayout,
  hasContent,
  isIndex,
  lessonFiles,
  lessonFilesDeep,
  readCourseMeta,
  readYaml,
  sortedSections,
  subdirs,
  type Section,
} from './course-layout';
import type { TreeProblem } from './frontmatter';
import { assignSlugs, checkPrerequisites } from './lesson-graph';
import { isInside, rewriteLinks, type LinkedFile } from './lesson-links';
import { readLessonMeta, type LessonMeta } from './lesson-meta';
import { orderPrefix } from './markdown-source';
import { docId, resolveVariant, sidebarOrder, variantSlug, type Variant, type VariantOptions } from './doc-variants';

export type { TreeProblem } from './frontmatter';

export type Layout = 'native' | 'docusaurus' | 'starlight' | 'carpentries';

export interface LoadedCourse {
  layout: Layout;
  manifest: Omit<Manifest, 'prune'>;
  /** Bytes to upload, by SHA-256. */
  blobs: Map<string, { bytes: Uint8Array<ArrayBuffer>; contentType: Manifest['blobs'][number]['contentType']; file: string }>;
  problems: TreeProblem[];
  warnings: TreeProblem[];
  /** Pages of a doc tool's tree left out as not lessons (a 404, a splash landing page, no text), each with why. */
  skipped: TreeProblem[];
  /**
   * The locale and version read (null: the default, the current), those the tree offers,
   * and the lessons a locale has not translated (read in the default language).
   */
  variant: Pick<Variant, 'locale' | 'version' | 'locales' | 'versions'> & { untranslated: string[] };
}

interface Candidate {
  file: string;
  partSlug: string;
  chapterSlug: string;
  /** Sort key inside the chapter: explicit order, else name prefix, else name. */
  order: number | null;
  name: string;
  /** Slug a folder index lesson takes by default. */
  defaultSlug?: string;
  forcedOrder?: number;
}

const NO_VARIANT: LoadedCourse['variant'] = { locale: null, version: null, locales: [], versions: [], untranslated: [] };

/**
 * Reads a course folder (ours, Docusaurus, Starlight or Carpentries) into a push
 * manifest: for a doc tool's tree, the copy `options` names (locale, version; the
 * default and current ones unless told), its pages that are not lessons skipped.
 */
export async function loadCourseTree(
  rootArg: string,
  options: VariantOptions & {
    /** Start every lesson slug (and prerequisite, quiz id) with the course slug, so it cannot clash with another course's. */
    prefixSlugs?: boolean;
  } = {},
): Promise<LoadedCourse> {
  const root = resolve(rootArg);
  const problems: TreeProblem[] = [];
  const warnings: TreeProblem[] = [];
  const skipped: TreeProblem[] = [];
  const rel = (file: string) => relative(process.cwd(), file) || file;
  const sourcePath = (file: string) => relative(root, file).split(sep).join('/');
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    return {
      layout: 'native',
      manifest: emptyManifest(),
      blobs: new Map(),
      problems: [{ file: rootArg, line: 1, message: 'not a folder' }],
      warnings,
      skipped,
      variant: NO_VARIANT,
    };
  }

  const detected = detectLayout(root);
  const { layout } = detected;
  const variant = resolveVariant(root, layout, detected.docsRoot, options, problems, rel);
  const { docsRoot } = variant;
  const indexLines: Parameters<typeof readCourseMeta>[5] = {};
  const read = readCourseMeta(root, docsRoot, layout, problems, rel, indexLines);
  const course = {
    ...read,
    slug: variantSlug(read.slug, variant),
    title: variant.version ? `${read.title} ${variant.version}` : read.title,
    ...((variant.language ?? read.language) ? { language: variant.language ?? read.language } : {}),
  };
  const parts: (Section & { chapters: Section[] })[] = [];
  const candidates: Candidate[] = [];
  const partFor = (section: Section) => {
    let part = parts.find((p) => p.slug === section.slug);
    if (!part) parts.push((part = { ...section, chapters: [] }));
    return part;
  };
  const chapterFor = (part: Section & { chapters: Section[] }, section: Section) => {
    if (!part.chapters.some((c) => c.slug === section.slug)) part.chapters.push(section);
  };

  if (layout === 'carpentries') {
    // Workbench lists its episodes in config.yaml; the Jekyll style orders _episodes/ by file name.
    // (A broken config.yaml was already reported while reading the course title.)
    const config = readYaml(join(root, 'config.yaml'), [], rel) as { episodes?: unknown } | null;
    const listed = Array.isArray(config?.episodes) ? config.episodes.filter((e): e is string => typeof e === 'string') : null;
    const episodes =
      listed ??
      lessonFiles(docsRoot)
        .map((f) => basename(f))
        .sort((a, b) => compareOrder({ order: orderPrefix(a), name: a }, { order: orderPrefix(b), name: b }));
    const section: Section = { slug: 'episodes', title: 'Episodes', summary: '', order: 0, name: 'episodes' };
    chapterFor(partFor(section), section);
    episodes.forEach((episode, i) => {
      const file = resolve(docsRoot, episode);
      if (!isInside(docsRoot, file))
        problems.push({
          file: rel(join(root, 'config.yaml')),
          line: 1,
          message: `episode "${episode}" is outside the episodes folder`,
        });
      else if (!existsSync(file))
        problems.push({ file: rel(join(root, 'config.yaml')), line: 1, message: `episode "${episode}" not found in episodes/` });
      else candidates.push({ file, partSlug: 'episodes', chapterSlug: 'episodes', order: null, name: episode, forcedOrder: i });
    });
  } else {
    const rootLessons = lessonFiles(docsRoot).filter((f) => !isIndex(f) || hasContent(f));
    if (rootLessons.length > 0) {
      const overview: Section = { slug: 'overview', title: 'Overview', summary: '', order: -1, name: 'overview' };
      chapterFor(partFor(overview), overview);
      for (const file of rootLessons)
        candidates.push(lessonCandidate(file, 'overview', 'overview', isIndex(file) ? 'overview' : undefined));
    }
    // Other locales' folders sit beside the parts of a Starlight site's default locale.
    const partDirs = subdirs(docsRoot).filter((dir) => !variant.excluded.has(basename(dir)));
    for (const partDir of sortedSections(partDirs, problems, rel)) {
      const part = partFor(partDir.section);
      const direct = lessonFiles(partDir.dir).filter((f) => !isIndex(f) || hasContent(f));
      if (direct.length > 0) {
        chapterFor(part, { ...partDir.section, order: -1 });
        for (const file of direct)
          candidates.push(lessonCandidate(file, part.slug, part.slug, isIndex(file) ? part.slug : undefined));
      }
      for (const chapterDir of sortedSections(subdirs(partDir.dir), problems, rel)) {
        chapterFor(part, chapterDir.section);
        const nested = lessonFilesDeep(chapterDir.dir).filter(
          (f) => !(isIndex(f) && dirname(f) === chapterDir.dir) || hasContent(f),
        );
        for (const file of nested) {
          candidates.push(
            lessonCandidate(
              file,
              part.slug,
              chapterDir.section.slug,
              isIndex(file) && dirname(file) === chapterDir.dir ? chapterDir.section.slug : undefined,
            ),
          );
        }
      }
    }
  }

  const metas: LessonMeta[] = [];
  const unreadSlugs = new Set<string>();
  const untranslated: string[] = [];
  // Docusaurus: where each doc comes in the sidebar file, by its id or the id its frontmatter gives.
  const sidebar = layout === 'docusaurus' ? sidebarOrder(root, variant.version) : null;
  const sidebarRank = new Map<LessonMeta, number>();
  for (const candidate of candidates) {
    // A locale's translation of the page where it has one.
    const file = variant.localized(candidate.file);
    const lesson = readLessonMeta(file, rel(file), layout, problems);
    if (lesson.meta === null) {
      if (lesson.skipped) skipped.push({ file: rel(file), line: 1, message: lesson.skipped });
      else for (const slug of [...lesson.slugs, candidate.defaultSlug]) if (slug) unreadSlugs.add(slug);
      continue;
    }
    const { meta } = lesson;
    if (variant.locale && file === candidate.file) untranslated.push(sourcePath(file));
    const placed: LessonMeta = {
      ...meta,
      partSlug: candidate.partSlug,
      chapterSlug: candidate.chapterSlug,
      order: candidate.forcedOrder ?? meta.order ?? candidate.order,
      defaultSlug: candidate.defaultSlug ?? meta.defaultSlug,
    };
    metas.push(placed);
    if (sidebar) {
      const id = docId(relative(docsRoot, candidate.file));
      const named = id.includes('/') ? `${id.slice(0, id.lastIndexOf('/'))}/${meta.slug}` : meta.slug;
      const rank = sidebar.get(id) ?? sidebar.get(named);
      if (rank !== undefined) sidebarRank.set(placed, rank);
    }
  }
  if (sidebarRank.size > 0) orderBySidebar(parts, metas, sidebarRank);
  assignSlugs(metas, problems);
  checkPrerequisites(metas, unreadSlugs, problems);
  // Lesson slugs are unique across the catalog. With --prefix-slugs every slug starts with the
  // course's; a locale's or version's lessons end like its course slug, so they stand beside the
  // default copy's. Prerequisites and quiz ids follow, and links are rewritten to the new slugs below.
  const rename = options.prefixSlugs
    ? (slug: string) => `${course.slug}-${slug}`
    : variant.locale || variant.version
      ? (slug: string) => variantSlug(slug, variant)
      : null;
  if (rename) {
    for (const meta of metas) {
      meta.slug = rename(meta.slug);
      meta.prerequisites = meta.prerequisites.map(rename);
      meta.quiz = meta.quiz.map((q) => (q.id ? { ...q, id: rename(q.id) } : q));
    }
  }

  // Reading order inside each chapter, then link rewriting (needs every slug).
  const slugByFile = new Map(metas.map((m) => [resolve(m.file), m.slug]));
  const blobs: LoadedCourse['blobs'] = new Map();
  const lessons: Manifest['lessons'] = [];
  const byChapter = new Map<string, LessonMeta[]>();
  for (const meta of metas)
    byChapter.set(`${meta.partSlug}/${meta.chapterSlug}`, [
      ...(byChapter.get(`${meta.partSlug}/${meta.chapterSlug}`) ?? []),
      meta,
    ]);
  for (const group of byChapter.values()) {
    const unranked = Number.POSITIVE_INFINITY;
    group.sort(
      (a, b) =>
        (sidebarRank.get(a) ?? unranked) - (sidebarRank.get(b) ?? unranked) ||
        compareOrder({ order: a.order, name: basename(a.file) }, { order: b.order, name: basename(b.file) }),
    );
    for (const [position, meta] of group.entries()) {
      const linked: LinkedFile[] = [];
      const body = rewriteLinks(meta.body, {
        fromFile: meta.file,
        root,
        slugByFile,
        onFile: (file) => linked.push(file),
        onWarning: (line, message) => warnings.push({ file: meta.relFile, line: meta.bodyLine + line - 1, message }),
      });
      const bytes = new TextEncoder().encode(body);
      const contentHash = await sha256Hex(bytes);
      blobs.set(contentHash, { bytes, contentType: 'text/markdown', file: meta.relFile });
      for (const file of linked) blobs.set(file.hash, { bytes: file.bytes, contentType: file.contentType, file: rel(file.path) });
      lessons.push({
        slug: meta.slug,
        title: meta.title,
        partSlug: meta.partSlug,
        chapterSlug: meta.chapterSlug,
        position,
        layer: meta.layer,
        prerequisites: meta.prerequisites,
        concepts: meta.concepts,
        minutes: meta.minutes,
        difficulty: meta.difficulty,
        summary: meta.summary,
        objectives: meta.objectives,
        quiz: meta.quiz,
        sourcePath: sourcePath(meta.file),
        contentHash,
      });
    }
  }

  const usedChapters = new Set(lessons.map((l) => `${l.partSlug}/${l.chapterSlug}`));
  const usedParts = parts.filter((p) => p.chapters.some((c) => usedChapters.has(`${p.slug}/${c.slug}`)));
  const manifest: LoadedCourse['manifest'] = {
    course,
    parts: usedParts.map((p, position) => ({ slug: p.slug, title: p.title, summary: p.summary, position })),
    chapters: usedParts.flatMap((p) =>
      p.chapters
        .filter((c) => usedChapters.has(`${p.slug}/${c.slug}`))
        .sort(compareOrder)
        .map((c, position) => ({ slug: c.slug, partSlug: p.slug, title: c.title, summary: c.summary, position })),
    ),
    lessons: orderLessons(lessons, usedParts),
    blobs: [...blobs.entries()].map(([hash, b]) => ({ hash, size: b.bytes.byteLength, contentType: b.contentType })),
  };
  if (lessons.length === 0 && problems.length === 0)
    problems.push({ file: rel(docsRoot), line: 1, message: 'no lessons found (expected .md files)' });
  // The server's own checks, run here first so every problem comes back as file:line,
  // and run even after other problems so a lesson's problems all show at once (with no lessons,
  // they would only add that the course is empty).
  if (lessons.length > 0)
    problems.push(...serverChecks(manifest, new Map(metas.map((m) => [sourcePath(m.file), m])), rel(docsRoot), indexLines));
  // A folder's index file is read both for the folder's title and as a lesson: say its problems once.
  const once = problems.filter(
    (p, i) => problems.findIndex((o) => o.file === p.file && o.line === p.line && o.message === p.message) === i,
  );
  const { locale, version, locales, versions } = variant;
  return {
    layout,
    manifest,
    blobs,
    problems: once,
    warnings,
    skipped,
    variant: { locale, version, locales, versions, untranslated },
  };

  function lessonCandidate(file: string, partSlug: string, chapterSlug: string, defaultSlug: string | undefined): Candidate {
    const name = basename(file);
    return {
      file,
      partSlug,
      chapterSlug,
      name,
      order: orderPrefix(name),
      ...(defaultSlug ? { defaultSlug, forcedOrder: -1 } : {}),
    };
  }
}

/** The server's checks, as file:line problems; `metaByPath` finds a lesson's meta by its `sourcePath`. */
function serverChecks(
  manifest: LoadedCourse['manifest'],
  metaByPath: Map<string, LessonMeta>,
  fallback: string,
  indexLines: Parameters<typeof readCourseMeta>[5] = {},
): TreeProblem[] {
  const full = { ...manifest, prune: false };
  const parsed = ManifestSchema.safeParse(full);
  // Slugs and the prerequisite graph are checked by lesson-graph, which knows the lessons left
  // out of the manifest; the server's copies of those checks would repeat them or call a lesson
  // that only failed to read unknown. A lesson whose slug is taken is left out of the rest, or its
  // quiz ids (made from the slug) would collide as well.
  const graphChecked = /^[^/]+\/lessons\/\d+\/(slug|prerequisites)(\/|$)/;
  const unique = { ...full, lessons: full.lessons.filter((l, i, all) => all.findIndex((o) => o.slug === l.slug) === i) };
  return [
    ...(parsed.success ? [] : fieldErrors(parsed.error.issues, 'body')).map(locate(full.lessons)),
    ...checkManifest(unique)
      .filter((error) => !graphChecked.test(error.field))
      .map(locate(unique.lessons)),
  ];

  function locate(lessons: Manifest['lessons']) {
    return (error: { field: string; message: string }): TreeProblem => {
      const [, collection, index, key, ...rest] = error.field.split('/');
      // A concept link is written in the course index, at its concept's line.
      const link = /^[^/]+\/course\/conceptLinks\/(\d+)/.exec(error.field);
      if (link && indexLines.conceptLink) {
        return { ...indexLines.conceptLink(Number(link[1])), message: `${error.field.replace(/^\w+\//, '')}: ${error.message}` };
      }
      const lesson = collection === 'lessons' ? lessons[Number(index)] : undefined;
      const meta = lesson && metaByPath.get(lesson.sourcePath);
      if (!meta || !key) return { file: fallback, line: 1, message: `${error.field.replace(/^body\//, '')}: ${error.message}` };
      const path = rest.map((part) => (/^\d+$/.test(part) ? Number(part) : part));
      return {
        file: meta.relFile,
        line: meta.lineOf(key, ...path),
        message: `${meta.sourceOf(key, ...path).join('.')}: ${error.message}`,
      };
    };
  }
}

function emptyManifest(): LoadedCourse['manifest'] {
  return { course: { slug: 'course', title: 'Course', summary: '' }, parts: [], chapters: [], lessons: [], blobs: [] };
}

function orderLessons(lessons: Manifest['lessons'], parts: (Section & { chapters: Section[] })[]): Manifest['lessons'] {
  const rank = new Map<string, number>();
  parts.forEach((p, i) => [...p.chapters].sort(compareOrder).forEach((c, j) => rank.set(`${p.slug}/${c.slug}`, i * 10_000 + j)));
  return [...lessons].sort(
    (a, b) =>
      (rank.get(`${a.partSlug}/${a.chapterSlug}`) ?? 0) - (rank.get(`${b.partSlug}/${b.chapterSlug}`) ?? 0) ||
      a.position - b.position,
  );
}

/**
 * Puts parts, and chapters within each part, in the order the sidebar first names one
 * of their lessons; those it names none of follow in their own order. (Lessons within a
 * chapter are sorted by their rank where they are read into the manifest.)
 */
function orderBySidebar(
  parts: (Section & { chapters: Section[] })[],
  metas: readonly LessonMeta[],
  rank: ReadonlyMap<LessonMeta, number>,
): void {
  const first = (match: (m: LessonMeta) => boolean) =>
    Math.min(...metas.flatMap((m) => (match(m) && rank.has(m) ? [rank.get(m) ?? 0] : [])), Number.POSITIVE_INFINITY);
  const partRank = new Map(parts.map((p) => [p.slug, first((m) => m.partSlug === p.slug)]));
  const before = new Map(parts.map((p, i) => [p.slug, i]));
  parts.sort(
    (a, b) => (partRank.get(a.slug) ?? 0) - (partRank.get(b.slug) ?? 0) || (before.get(a.slug) ?? 0) - (before.get(b.slug) ?? 0),
  );
  for (const part of parts) {
    part.chapters = part.chapters.map((c) => {
      const r = first((m) => m.partSlug === part.slug && m.chapterSlug === c.slug);
      // Named chapters come first, in sidebar order; the rest keep their order after them.
      return Number.isFinite(r) ? { ...c, order: r - 1_000_000 } : c;
    });
  }
}
