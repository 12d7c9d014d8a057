import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { checkManifest, findPrerequisiteCycle } from '../workers/features/content/content.domain';
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
import { isInside, rewriteLinks, type LinkedFile } from './lesson-links';
import { readLessonMeta, type LessonMeta } from './lesson-meta';
import { orderPrefix } from './markdown-source';

export type { TreeProblem } from './frontmatter';

export type Layout = 'native' | 'docusaurus' | 'starlight' | 'carpentries';

export interface LoadedCourse {
  layout: Layout;
  manifest: Omit<Manifest, 'prune'>;
  /** Bytes to upload, by SHA-256. */
  blobs: Map<string, { bytes: Uint8Array<ArrayBuffer>; contentType: Manifest['blobs'][number]['contentType']; file: string }>;
  problems: TreeProblem[];
  warnings: TreeProblem[];
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

/** Reads a course folder (ours, Docusaurus, Starlight or Carpentries) into a push manifest. */
export async function loadCourseTree(rootArg: string): Promise<LoadedCourse> {
  const root = resolve(rootArg);
  const problems: TreeProblem[] = [];
  const warnings: TreeProblem[] = [];
  const rel = (file: string) => relative(process.cwd(), file) || file;
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    return {
      layout: 'native',
      manifest: emptyManifest(),
      blobs: new Map(),
      problems: [{ file: rootArg, line: 1, message: 'not a folder' }],
      warnings,
    };
  }

  const { layout, docsRoot } = detectLayout(root);
  const course = readCourseMeta(root, docsRoot, layout, problems, rel);
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
    for (const partDir of sortedSections(subdirs(docsRoot), problems, rel)) {
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
  for (const candidate of candidates) {
    const meta = readLessonMeta(candidate.file, rel(candidate.file), layout, problems);
    if (meta)
      metas.push({
        ...meta,
        partSlug: candidate.partSlug,
        chapterSlug: candidate.chapterSlug,
        order: candidate.forcedOrder ?? meta.order ?? candidate.order,
        defaultSlug: candidate.defaultSlug ?? meta.defaultSlug,
      });
  }
  assignSlugs(metas, problems);
  checkGraph(metas, problems);

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
    group.sort((a, b) => compareOrder({ order: a.order, name: basename(a.file) }, { order: b.order, name: basename(b.file) }));
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
        sourcePath: relative(root, meta.file).split(sep).join('/'),
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
  // The server's own checks, run here first so every problem comes back as file:line.
  if (problems.length === 0) problems.push(...serverChecks(manifest, new Map(metas.map((m) => [m.slug, m])), rel(docsRoot)));
  return { layout, manifest, blobs, problems, warnings };

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

function serverChecks(manifest: LoadedCourse['manifest'], metaBySlug: Map<string, LessonMeta>, fallback: string): TreeProblem[] {
  const full = { ...manifest, prune: false };
  const parsed = ManifestSchema.safeParse(full);
  const errors = [...(parsed.success ? [] : fieldErrors(parsed.error.issues, 'body')), ...checkManifest(full)];
  return errors.map((error) => {
    const [, collection, index, key, ...rest] = error.field.split('/');
    const lesson = collection === 'lessons' ? manifest.lessons[Number(index)] : undefined;
    const meta = lesson && metaBySlug.get(lesson.slug);
    if (!meta || !key) return { file: fallback, line: 1, message: `${error.field.replace(/^body\//, '')}: ${error.message}` };
    return { file: meta.relFile, line: meta.lineOf(key), message: `${[key, ...rest].join('.')}: ${error.message}` };
  });
}

function emptyManifest(): LoadedCourse['manifest'] {
  return { course: { slug: 'course', title: 'Course', summary: '' }, parts: [], chapters: [], lessons: [], blobs: [] };
}

function assignSlugs(metas: LessonMeta[], problems: TreeProblem[]): void {
  const taken = new Map<string, LessonMeta>();
  for (const meta of metas.filter((m) => m.explicitSlug)) {
    const other = taken.get(meta.slug);
    if (other)
      problems.push({
        file: meta.relFile,
        line: meta.lineOf('slug'),
        message: `duplicate slug "${meta.slug}" (also in ${other.relFile})`,
      });
    else taken.set(meta.slug, meta);
  }
  for (const meta of metas.filter((m) => !m.explicitSlug)) {
    const base = meta.defaultSlug ?? meta.slug;
    const candidates = [base, `${meta.chapterSlug}-${base}`, `${meta.partSlug}-${meta.chapterSlug}-${base}`];
    let slug = candidates.find((c) => !taken.has(c));
    for (let n = 2; !slug; n++) if (!taken.has(`${base}-${n}`)) slug = `${base}-${n}`;
    meta.slug = slug.slice(0, 120).replace(/-+$/, '');
    taken.set(meta.slug, meta);
  }
}

function checkGraph(metas: LessonMeta[], problems: TreeProblem[]): void {
  const slugs = new Set(metas.map((m) => m.slug));
  for (const meta of metas) {
    for (const p of meta.prerequisites) {
      if (p === meta.slug)
        problems.push({
          file: meta.relFile,
          line: meta.lineOf('prerequisites'),
          message: 'a lesson cannot be its own prerequisite',
        });
      else if (!slugs.has(p))
        problems.push({ file: meta.relFile, line: meta.lineOf('prerequisites'), message: `unknown prerequisite "${p}"` });
    }
  }
  const cycle = findPrerequisiteCycle(
    metas.map((m) => ({ slug: m.slug, prerequisites: m.prerequisites.filter((p) => p !== m.slug) })),
  );
  if (cycle) {
    const first = metas.find((m) => m.slug === cycle[0]);
    if (first)
      problems.push({
        file: first.relFile,
        line: first.lineOf('prerequisites'),
        message: `prerequisite cycle: ${cycle.join(' -> ')}`,
      });
  }
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
