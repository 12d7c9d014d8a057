import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { findPrerequisiteCycle } from '../workers/features/content/content.domain';
import { SLUG, type Manifest } from '../workers/features/content/content.schemas';
import { sha256Hex } from '../workers/platform/sha256';
import { parseFrontmatter, type TreeProblem } from './frontmatter';
import { rewriteLinks, type LinkedFile } from './lesson-links';
import { readLessonMeta, type LessonMeta } from './lesson-meta';
import { leadingH1, normalizeMarkdown, orderPrefix, stripOrderPrefix, titleFromName, toSlug } from './markdown-source';

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

const LESSON_EXT = /\.(md|mdx|rmd)$/i;
const INDEX_NAMES = ['index.md', 'index.mdx', 'README.md', 'readme.md', '_index.md'];
const SKIP_DIRS = new Set(['node_modules', 'images', 'img', 'fig', 'figures', 'assets', 'static', 'public', 'files', 'data']);

interface Section {
  slug: string;
  title: string;
  summary: string;
  order: number | null;
  name: string;
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
    const config = readYaml(join(root, 'config.yaml')) as { episodes?: unknown; title?: unknown } | null;
    const episodes = Array.isArray(config?.episodes) ? config.episodes.filter((e): e is string => typeof e === 'string') : [];
    const section: Section = { slug: 'episodes', title: 'Episodes', summary: '', order: 0, name: 'episodes' };
    chapterFor(partFor(section), section);
    episodes.forEach((episode, i) => {
      const file = join(root, 'episodes', episode);
      if (!existsSync(file))
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

function emptyManifest(): LoadedCourse['manifest'] {
  return { course: { slug: 'course', title: 'Course', summary: '' }, parts: [], chapters: [], lessons: [], blobs: [] };
}

function detectLayout(root: string): { layout: Layout; docsRoot: string } {
  if (existsSync(join(root, 'config.yaml')) && existsSync(join(root, 'episodes')))
    return { layout: 'carpentries', docsRoot: join(root, 'episodes') };
  if (existsSync(join(root, 'src', 'content', 'docs')))
    return { layout: 'starlight', docsRoot: join(root, 'src', 'content', 'docs') };
  const docusaurusConfig = [
    'docusaurus.config.js',
    'docusaurus.config.ts',
    'docusaurus.config.mjs',
    'sidebars.js',
    'sidebars.ts',
  ];
  if (existsSync(join(root, 'docs')) && docusaurusConfig.some((f) => existsSync(join(root, f))))
    return { layout: 'docusaurus', docsRoot: join(root, 'docs') };
  const hasCategoryFiles = readdirSync(root, { withFileTypes: true }).some(
    (d) =>
      d.isDirectory() && (existsSync(join(root, d.name, '_category_.json')) || existsSync(join(root, d.name, '_category_.yml'))),
  );
  return { layout: hasCategoryFiles ? 'docusaurus' : 'native', docsRoot: root };
}

function readCourseMeta(
  root: string,
  docsRoot: string,
  layout: Layout,
  problems: TreeProblem[],
  rel: (f: string) => string,
): Manifest['course'] {
  let title: string | undefined;
  let summary = '';
  let slug: string | undefined;
  const index = INDEX_NAMES.map((n) => join(docsRoot, n)).find((f) => existsSync(f));
  if (index) {
    const fm = parseFrontmatter(rel(index), readFileSync(index, 'utf8'));
    problems.push(...fm.problems);
    if (typeof fm.data.title === 'string') title = fm.data.title;
    else title = leadingH1(fm.body)?.title;
    if (typeof fm.data.summary === 'string') summary = fm.data.summary;
    else if (typeof fm.data.description === 'string') summary = fm.data.description;
    if (typeof fm.data.slug === 'string' && SLUG.test(fm.data.slug)) slug = fm.data.slug;
  }
  if (layout === 'carpentries') {
    const config = readYaml(join(root, 'config.yaml')) as { title?: unknown } | null;
    if (typeof config?.title === 'string') title = config.title;
  }
  if (layout === 'docusaurus' || layout === 'starlight') {
    for (const file of [
      'docusaurus.config.ts',
      'docusaurus.config.js',
      'docusaurus.config.mjs',
      'astro.config.mjs',
      'astro.config.ts',
    ]) {
      const path = join(root, file);
      if (!existsSync(path)) continue;
      const found = /\btitle\s*:\s*(['"`])([^'"`]+)\1/.exec(readFileSync(path, 'utf8'));
      if (found?.[2]) title = found[2];
    }
  }
  title ??= titleFromName(basename(root));
  return { slug: slug ?? (toSlug(title) || 'course'), title, summary };
}

function readYaml(file: string): unknown {
  try {
    return parseYaml(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

function subdirs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.') && !d.name.startsWith('_') && !SKIP_DIRS.has(d.name.toLowerCase()))
    .map((d) => join(dir, d.name));
}

function lessonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile() && LESSON_EXT.test(d.name) && !d.name.startsWith('_') && !d.name.startsWith('.'))
    .map((d) => join(dir, d.name));
}

function lessonFilesDeep(dir: string): string[] {
  return [...lessonFiles(dir), ...subdirs(dir).sort(byNameOrder).flatMap(lessonFilesDeep)];
}

function byNameOrder(a: string, b: string): number {
  return compareOrder(
    { order: orderPrefix(basename(a)), name: basename(a) },
    { order: orderPrefix(basename(b)), name: basename(b) },
  );
}

function isIndex(file: string): boolean {
  return INDEX_NAMES.includes(basename(file));
}

/** A folder index holds a lesson only if it has text beyond frontmatter and a title. */
function hasContent(file: string): boolean {
  const fm = parseFrontmatter(file, readFileSync(file, 'utf8'));
  const body = leadingH1(fm.body)?.rest ?? fm.body;
  return normalizeMarkdown(body, { mdx: file.endsWith('.mdx') }).trim().length > 0;
}

function sortedSections(
  dirs: string[],
  problems: TreeProblem[],
  rel: (f: string) => string,
): { dir: string; section: Section }[] {
  return dirs
    .map((dir) => ({ dir, section: readSection(dir, problems, rel) }))
    .sort((a, b) => compareOrder(a.section, b.section));
}

/** A folder's title, summary and order from `_category_.json|yml`, its index file, or its name. */
function readSection(dir: string, problems: TreeProblem[], rel: (f: string) => string): Section {
  const name = basename(dir);
  const section: Section = {
    slug: toSlug(stripOrderPrefix(name)) || toSlug(name),
    title: titleFromName(name),
    summary: '',
    order: orderPrefix(name),
    name,
  };
  for (const file of ['_category_.json', '_category_.yml', '_category_.yaml']) {
    const path = join(dir, file);
    if (!existsSync(path)) continue;
    let data: Record<string, unknown> = {};
    try {
      data = (file.endsWith('.json') ? JSON.parse(readFileSync(path, 'utf8')) : parseYaml(readFileSync(path, 'utf8'))) as Record<
        string,
        unknown
      >;
    } catch (error) {
      problems.push({
        file: rel(path),
        line: 1,
        message: `bad category file: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
    if (typeof data.label === 'string') section.title = data.label;
    if (typeof data.position === 'number') section.order = data.position;
    const link = data.link as { description?: unknown } | undefined;
    if (typeof data.description === 'string') section.summary = data.description;
    else if (typeof link?.description === 'string') section.summary = link.description;
  }
  const index = INDEX_NAMES.map((n) => join(dir, n)).find((f) => existsSync(f));
  if (index) {
    const fm = parseFrontmatter(rel(index), readFileSync(index, 'utf8'));
    problems.push(...fm.problems);
    const title = typeof fm.data.title === 'string' ? fm.data.title : leadingH1(fm.body)?.title;
    if (title) section.title = title;
    const summary = fm.data.summary ?? fm.data.description;
    if (typeof summary === 'string') section.summary = summary;
    const order = fm.data.order ?? fm.data.sidebar_position;
    if (typeof order === 'number') section.order = order;
  }
  return section;
}

function compareOrder(a: { order: number | null; name: string }, b: { order: number | null; name: string }): number {
  const ao = a.order ?? Number.POSITIVE_INFINITY;
  const bo = b.order ?? Number.POSITIVE_INFINITY;
  if (ao !== bo) return ao < bo ? -1 : 1;
  return a.name.localeCompare(b.name, 'en', { numeric: true });
}

/** Explicit slugs must be unique; inferred ones are made unique with their chapter or part. */
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
