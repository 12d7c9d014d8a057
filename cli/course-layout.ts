import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { LanguageSchema, SLUG, type ConceptLink, type Manifest } from '../workers/features/content/content.schemas';
import type { Layout } from './course-tree';
import { stringProperty } from './doc-variants';
import { parseFrontmatter, type TreeProblem } from './frontmatter';
import { leadingH1, normalizeMarkdown, orderPrefix, stripOrderPrefix, titleFromName, toSlug } from './markdown-source';

/**
 * How a course folder is laid out: which doc tool made it, where its lessons are,
 * and the title, summary and order of each folder.
 */

const LESSON_EXT = /\.(md|mdx|rmd)$/i;
const INDEX_NAMES = ['index.md', 'index.mdx', 'README.md', 'readme.md', '_index.md'];
const SKIP_DIRS = new Set(['node_modules', 'images', 'img', 'fig', 'figures', 'assets', 'static', 'public', 'files', 'data']);

export interface Section {
  slug: string;
  title: string;
  summary: string;
  order: number | null;
  name: string;
}

export function detectLayout(root: string): { layout: Layout; docsRoot: string } {
  // Carpentries Workbench (config.yaml + episodes/) and the older Jekyll style (_config.yml + _episodes/).
  if (existsSync(join(root, 'config.yaml')) && existsSync(join(root, 'episodes')))
    return { layout: 'carpentries', docsRoot: join(root, 'episodes') };
  if (existsSync(join(root, '_config.yml')) && existsSync(join(root, '_episodes')))
    return { layout: 'carpentries', docsRoot: join(root, '_episodes') };
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

/** A front matter or config value as a language code (lower case), when it is one. */
function languageCode(value: unknown): string | undefined {
  const code = typeof value === 'string' ? value.toLowerCase() : '';
  return LanguageSchema.safeParse(code).success ? code : undefined;
}

export function readCourseMeta(
  root: string,
  docsRoot: string,
  layout: Layout,
  problems: TreeProblem[],
  rel: (f: string) => string,
  /** Filled with where in the course index each of its `concept-links` is written (the server's checks say which). */
  lines: { conceptLink?: (index: number) => { file: string; line: number } } = {},
): Manifest['course'] {
  let title: string | undefined;
  let summary = '';
  let slug: string | undefined;
  let language: string | undefined;
  let conceptLinks: ConceptLink[] | undefined;
  const index = INDEX_NAMES.map((n) => join(docsRoot, n)).find((f) => existsSync(f));
  if (index) {
    const fm = parseFrontmatter(rel(index), readFileSync(index, 'utf8'));
    problems.push(...fm.problems);
    if (typeof fm.data.title === 'string') title = fm.data.title;
    else title = leadingH1(fm.body)?.title;
    if (typeof fm.data.summary === 'string') summary = fm.data.summary;
    else if (typeof fm.data.description === 'string') summary = fm.data.description;
    if (typeof fm.data.slug === 'string' && SLUG.test(fm.data.slug)) slug = fm.data.slug;
    language = languageCode(fm.data.language ?? fm.data.lang);
    const at = (key?: string) => ({
      file: rel(index),
      line: key === undefined ? fm.lineOf('concept-links') : fm.lineOf('concept-links', key),
    });
    conceptLinks = readConceptLinks(fm.data['concept-links'], at, problems);
    const links = conceptLinks;
    lines.conceptLink = (i) => at(links?.[i]?.concept);
  }
  if (layout === 'carpentries') {
    const configFile = existsSync(join(root, 'config.yaml')) ? 'config.yaml' : '_config.yml';
    const config = readYaml(join(root, configFile), problems, rel) as { title?: unknown; lang?: unknown } | null;
    if (typeof config?.title === 'string') title = config.title;
    language = languageCode(config?.lang) ?? language;
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
      title = stringProperty(readFileSync(path, 'utf8'), 'title') ?? title;
    }
  }
  title ??= titleFromName(basename(root));
  return {
    slug: slug ?? (toSlug(title) || 'course'),
    title,
    summary,
    ...(language ? { language } : {}),
    ...(conceptLinks ? { conceptLinks } : {}),
  };
}

/**
 * The course index's `concept-links`: each of this course's concepts the author declares the
 * same as another course's, written `concept: other-course` (the same slug there) or
 * `concept: other-course/its-concept`. Whether the concept is this course's is the server's check.
 */
function readConceptLinks(
  value: unknown,
  at: (key?: string) => { file: string; line: number },
  problems: TreeProblem[],
): ConceptLink[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push({
      ...at(),
      message: 'concept-links: expected `concept: other-course` or `concept: other-course/concept` pairs',
    });
    return undefined;
  }
  const links: ConceptLink[] = [];
  for (const [concept, target] of Object.entries(value as Record<string, unknown>)) {
    const [course, courseConcept, ...rest] = typeof target === 'string' ? target.split('/') : [];
    if (!SLUG.test(concept)) {
      problems.push({ ...at(concept), message: `concept-links: "${concept}" is not a concept slug (kebab-case)` });
    } else if (!course || !SLUG.test(course) || rest.length > 0 || (courseConcept !== undefined && !SLUG.test(courseConcept))) {
      problems.push({
        ...at(concept),
        message: `concept-links: ${concept}: expected "other-course" or "other-course/concept" (kebab-case slugs), got ${JSON.stringify(target)}`,
      });
    } else {
      links.push({ concept, course, ...(courseConcept ? { courseConcept } : {}) });
    }
  }
  return links;
}

/** A YAML config file's content; null if absent. A broken file is a problem, not a silent default. */
export function readYaml(file: string, problems: TreeProblem[], rel: (f: string) => string): unknown {
  if (!existsSync(file)) return null;
  try {
    return parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    const line = (error as { linePos?: { line: number }[] }).linePos?.[0]?.line ?? 1;
    problems.push({
      file: rel(file),
      line,
      message: `bad YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    });
    return null;
  }
}

export function subdirs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.') && !d.name.startsWith('_') && !SKIP_DIRS.has(d.name.toLowerCase()))
    .map((d) => join(dir, d.name));
}

export function lessonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile() && LESSON_EXT.test(d.name) && !d.name.startsWith('_') && !d.name.startsWith('.'))
    .map((d) => join(dir, d.name));
}

export function lessonFilesDeep(dir: string): string[] {
  return [...lessonFiles(dir), ...subdirs(dir).sort(byNameOrder).flatMap(lessonFilesDeep)];
}

function byNameOrder(a: string, b: string): number {
  return compareOrder(
    { order: orderPrefix(basename(a)), name: basename(a) },
    { order: orderPrefix(basename(b)), name: basename(b) },
  );
}

export function isIndex(file: string): boolean {
  return INDEX_NAMES.includes(basename(file));
}

/** A folder index holds a lesson only if it has text beyond frontmatter and a title. */
export function hasContent(file: string): boolean {
  const fm = parseFrontmatter(file, readFileSync(file, 'utf8'));
  const body = leadingH1(fm.body)?.rest ?? fm.body;
  return normalizeMarkdown(body, { mdx: file.endsWith('.mdx') }).trim().length > 0;
}

export function sortedSections(
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

export function compareOrder(a: { order: number | null; name: string }, b: { order: number | null; name: string }): number {
  const ao = a.order ?? Number.POSITIVE_INFINITY;
  const bo = b.order ?? Number.POSITIVE_INFINITY;
  if (ao !== bo) return ao < bo ? -1 : 1;
  return a.name.localeCompare(b.name, 'en', { numeric: true });
}
