import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type { Layout } from './course-tree';
import { stripOrderPrefix } from './markdown-source';
import type { TreeProblem } from './frontmatter';

/**
 * Which copy of a documentation tree a push reads: its locale (Starlight, Docusaurus)
 * and its version (Docusaurus). Doc tools keep each translation and each released
 * version as a tree of its own beside the default one; a course is one of them.
 */

/** What a push asks for: a locale code and a version name, each optional. */
export interface VariantOptions {
  locale?: string | undefined;
  version?: string | undefined;
}

/** The tree to read, and how the default one's pages are swapped for the chosen locale's. */
export interface Variant {
  /** The folder whose layout gives parts, chapters and order. */
  docsRoot: string;
  /** Folder names at the top of `docsRoot` that are other locales, not parts. */
  excluded: Set<string>;
  /** The chosen locale's copy of a page of `docsRoot`, when it has one; else the page itself. */
  localized: (file: string) => string;
  /** The chosen locale's code (null: the default locale) and the version's name (null: current). */
  locale: string | null;
  version: string | null;
  /** Every locale and version the tree offers, for the import's report. */
  locales: string[];
  versions: string[];
  /** The language of the pages read: the chosen locale's code, else the default locale's when the tree names it. */
  language: string | null;
}

const LOCALE_CODE = /^[a-z]{2,3}(?:[-_][a-z0-9]{2,8})*$/i;

/**
 * The object literal that follows `name:` or `name =` in a config file's text, as text
 * (braces balanced, strings skipped); null when there is none. Config files are code,
 * which a push does not run: their plain literals are read as written.
 */
export function objectLiteralAfter(text: string, name: string): string | null {
  const start = new RegExp(`\\b${name}\\s*[:=]\\s*\\{`).exec(text);
  if (!start) return null;
  let depth = 0;
  for (let i = start.index + start[0].length - 1; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"' || ch === "'" || ch === '`') i = stringEnd(text, i);
    else if (ch === '{') depth += 1;
    else if (ch === '}' && --depth === 0) return text.slice(start.index + start[0].length, i);
  }
  return null;
}

/** The index of the quote that closes the string literal opening at `start` (escapes skipped), or the text's end. */
function stringEnd(text: string, start: number): number {
  const quote = text[start];
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i += 1;
    else if (text[i] === quote) return i;
  }
  return text.length;
}

/** The keys at the top level of an object literal's text (`root`, `de`, `'zh-cn'`). */
export function topLevelKeys(body: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let atKey = true;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] ?? '';
    if (depth === 0 && atKey) {
      const key = /^\s*(?:(['"])([^'"]+)\1|([A-Za-z_$][\w$-]*))\s*:/.exec(body.slice(i));
      if (key) {
        keys.push(key[2] ?? key[3] ?? '');
        i += key[0].length - 1;
        atKey = false;
        continue;
      }
    }
    if (ch === '"' || ch === "'" || ch === '`') i = stringEnd(body, i);
    else if (ch === '{' || ch === '[' || ch === '(') depth += 1;
    else if (ch === '}' || ch === ']' || ch === ')') depth -= 1;
    else if (ch === ',' && depth === 0) atKey = true;
  }
  return keys;
}

/** The first string property `name` of a config file's text (`defaultLocale: 'en'`); null when absent. */
export function stringProperty(text: string, name: string): string | null {
  return new RegExp(`\\b${name}\\s*:\\s*(['"\`])([^'"\`]+)\\1`).exec(text)?.[2] ?? null;
}

function readConfig(root: string, names: string[]): string {
  return names
    .map((n) => join(root, n))
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
}

const isDir = (path: string) => existsSync(path) && statSync(path).isDirectory();

/** Relative paths of the Markdown pages under `dir` (without extension), for comparing trees. */
function pagePaths(dir: string, under = ''): string[] {
  if (!isDir(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    if (d.name.startsWith('.') || d.name === 'node_modules') return [];
    if (d.isDirectory()) return pagePaths(join(dir, d.name), `${under}${d.name}/`);
    return /\.(md|mdx)$/i.test(d.name) ? [`${under}${d.name.replace(/\.(md|mdx)$/i, '')}`] : [];
  });
}

/**
 * The file of the same page in `localeRoot`, if translated: the same path, `.md` and
 * `.mdx` taken as one (translations often change the extension).
 */
function counterpart(defaultRoot: string, localeRoot: string, file: string): string | null {
  const stem = relative(defaultRoot, file).replace(/\.(md|mdx)$/i, '');
  return ['.md', '.mdx'].map((ext) => join(localeRoot, stem + ext)).find((f) => existsSync(f)) ?? null;
}

/**
 * Starlight's locales: from `astro.config`'s `locales` object and `defaultLocale` (the
 * key `root` is the default locale kept at the top of the docs folder), else from the
 * folder layout: top-level folders named like locale codes that repeat pages of the top
 * level. `defaultKey` is where the default locale's pages live (`root`: the top).
 */
function starlightLocales(root: string, docsRoot: string): { keys: string[]; defaultKey: string; rootLang: string | null } {
  const config = readConfig(root, ['astro.config.mjs', 'astro.config.ts', 'astro.config.js', 'astro.config.mts']);
  const literal = objectLiteralAfter(config, 'locales');
  const keys = literal ? topLevelKeys(literal) : [];
  if (keys.length > 0) {
    const named = stringProperty(config, 'defaultLocale');
    const defaultKey = named && keys.includes(named) ? named : keys.includes('root') ? 'root' : (keys[0] ?? 'root');
    // The root locale's language is its `lang` (`root: { label: 'English', lang: 'en' }`).
    const rootEntry = literal && objectLiteralAfter(literal, 'root');
    return { keys, defaultKey, rootLang: rootEntry ? stringProperty(rootEntry, 'lang') : null };
  }
  const top = new Set(pagePaths(docsRoot).filter((p) => !p.includes('/') || !LOCALE_CODE.test(p.split('/')[0] ?? '')));
  const mirrors = readdirSync(docsRoot, { withFileTypes: true })
    .filter((d) => d.isDirectory() && LOCALE_CODE.test(d.name))
    .map((d) => d.name)
    .filter((name) => {
      const pages = pagePaths(join(docsRoot, name));
      return pages.length > 0 && pages.filter((p) => top.has(p)).length * 2 >= pages.length;
    });
  return { keys: mirrors.length > 0 ? ['root', ...mirrors] : [], defaultKey: 'root', rootLang: null };
}

/** Docusaurus's locales (`i18n.locales` and `i18n.defaultLocale`, else the folders of `i18n/`) and versions (`versions.json`). */
function docusaurusVariants(
  root: string,
  problems: TreeProblem[],
  rel: (file: string) => string,
): { locales: string[]; defaultLocale: string; versions: string[] } {
  const config = readConfig(root, ['docusaurus.config.js', 'docusaurus.config.ts', 'docusaurus.config.mjs']);
  const i18n = objectLiteralAfter(config, 'i18n') ?? '';
  const defaultLocale = stringProperty(i18n, 'defaultLocale') ?? 'en';
  const listed = /\blocales\s*:\s*\[([^\]]*)\]/.exec(i18n)?.[1];
  const fromConfig = listed ? [...listed.matchAll(/['"`]([^'"`]+)['"`]/g)].map((m) => m[1] ?? '') : [];
  const folders = isDir(join(root, 'i18n'))
    ? readdirSync(join(root, 'i18n'), { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
    : [];
  const locales = [...new Set([defaultLocale, ...fromConfig, ...folders])];
  let versions: string[] = [];
  const versionsFile = join(root, 'versions.json');
  if (existsSync(versionsFile)) {
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(readFileSync(versionsFile, 'utf8'));
    } catch (error) {
      problems.push({ file: rel(versionsFile), line: 1, message: `not valid JSON: ${(error as Error).message}` });
    }
    if (Array.isArray(parsed) && parsed.every((v) => typeof v === 'string')) versions = parsed;
    else if (parsed !== null) {
      problems.push({
        file: rel(versionsFile),
        line: 1,
        message: 'must be a JSON list of version names, such as ["1.1", "1.0"]',
      });
    }
  }
  if (versions.length === 0 && isDir(join(root, 'versioned_docs'))) {
    versions = readdirSync(join(root, 'versioned_docs'))
      .filter((n) => n.startsWith('version-'))
      .map((n) => n.slice('version-'.length));
  }
  return { locales, defaultLocale, versions };
}

const listOf = (values: string[]) => (values.length > 0 ? values.join(', ') : 'none');

/**
 * The copy of the tree at `docsRoot` that a push of `layout` reads with `options`: the
 * default locale and the current version unless told. Starlight: the default locale's
 * pages (the top of the docs folder for `root`, without the other locales' folders), or
 * a locale's. Docusaurus: `docs/` (the current version) or `versioned_docs/version-<name>/`,
 * and a locale's translation from `i18n/<locale>/docusaurus-plugin-content-docs/`. A
 * locale keeps the default tree's parts, chapters and order, each page read from its
 * translation where there is one and in the default language where not (as both tools
 * show it). An unknown locale or version is a
 * problem naming those the tree has.
 */
export function resolveVariant(
  root: string,
  layout: Layout,
  docsRoot: string,
  options: VariantOptions,
  problems: TreeProblem[],
  rel: (file: string) => string,
): Variant {
  const same: Variant = {
    docsRoot,
    excluded: new Set(),
    localized: (file) => file,
    locale: null,
    version: null,
    locales: [],
    versions: [],
    language: null,
  };
  const { locale, version } = options;
  if (layout === 'starlight') {
    const { keys, defaultKey, rootLang } = starlightLocales(root, docsRoot);
    if (version) problems.push({ file: rel(root), line: 1, message: `--version: a Starlight site has no versions` });
    const others = keys.filter((k) => k !== 'root');
    const folderOf = (key: string) => (key === 'root' ? docsRoot : join(docsRoot, key));
    const base = folderOf(defaultKey);
    const variant: Variant = {
      ...same,
      docsRoot: base,
      excluded: new Set(defaultKey === 'root' ? others : []),
      locales: keys,
      language: languageOf(defaultKey === 'root' ? (rootLang ?? 'root') : defaultKey),
    };
    if (!locale || locale === defaultKey) return variant;
    const key = keys.find((k) => k.toLowerCase() === locale.toLowerCase());
    if (!key || !isDir(folderOf(key))) {
      problems.push({
        file: rel(root),
        line: 1,
        message: `--locale ${locale}: this site has no such locale (it has: ${listOf(keys)})`,
      });
      return variant;
    }
    return withLocale(variant, key, folderOf(key));
  }
  if (layout === 'docusaurus') {
    const { locales, defaultLocale, versions } = docusaurusVariants(root, problems, rel);
    const known = { ...same, locales, versions, language: languageOf(defaultLocale) };
    let tree = docsRoot;
    let chosen: string | null = null;
    if (version && version !== 'current') {
      tree = join(root, 'versioned_docs', `version-${version}`);
      if (!isDir(tree)) {
        problems.push({
          file: rel(root),
          line: 1,
          message: `--version ${version}: no versioned_docs/version-${version} (versions: current, ${listOf(versions)})`,
        });
        return known;
      }
      chosen = version;
    }
    const variant: Variant = { ...known, docsRoot: tree, version: chosen };
    if (!locale || locale === defaultLocale) return variant;
    const localeRoot = join(root, 'i18n', locale, 'docusaurus-plugin-content-docs', chosen ? `version-${chosen}` : 'current');
    if (!isDir(localeRoot)) {
      problems.push({
        file: rel(root),
        line: 1,
        message: `--locale ${locale}: no translation of the ${chosen ? `version ${chosen}` : 'current'} docs in ${rel(localeRoot)} (locales: ${listOf(locales)})`,
      });
      return variant;
    }
    return withLocale(variant, locale, localeRoot);
  }
  if (locale || version) {
    problems.push({ file: rel(root), line: 1, message: `--locale and --version need a Starlight or Docusaurus tree` });
  }
  return same;
}

/** `variant` reading each page from `localeRoot` where translated. */
function withLocale(variant: Variant, locale: string, localeRoot: string): Variant {
  return {
    ...variant,
    locale,
    language: languageOf(locale),
    localized: (file) => counterpart(variant.docsRoot, localeRoot, file) ?? file,
  };
}

/** A locale key as a language code (lower case, `_` as `-`); null for Starlight's `root` or a key that is no code. */
function languageOf(key: string): string | null {
  const code = key.toLowerCase().replace(/_/g, '-');
  return key !== 'root' && LOCALE_CODE.test(code) ? code : null;
}

/** The course slug of a locale's or version's import: the default's, with the locale and version after it. */
export function variantSlug(slug: string, variant: Pick<Variant, 'locale' | 'version'>): string {
  const suffix = [variant.locale, variant.version]
    .flatMap((s) => (s ? [s.toLowerCase().replace(/[^a-z0-9]+/g, '-')] : []))
    .join('-');
  return suffix ? `${slug}-${suffix}`.replace(/-+/g, '-').replace(/-$/, '') : slug;
}

/** Why a page of a doc tool's tree is not a lesson (a 404 page, a splash landing page), or null. */
export function notALesson(file: string, frontmatter: Record<string, unknown>): string | null {
  if (/^404\.(md|mdx)$/i.test(basename(file))) return 'a 404 page, not a lesson';
  if (frontmatter.template === 'splash') return 'a splash landing page (template: splash), not a lesson';
  return null;
}

/**
 * Docusaurus's sidebar order for the current docs (`sidebars.js|ts|json`) or a version
 * (`versioned_sidebars/version-<name>-sidebars.json`): each string the file names, by
 * first mention (doc ids among them; an older version's ids lose their `version-x/`
 * prefix). The file is read as text, not run: ids in it are plain string literals.
 * Null without a sidebar file.
 */
export function sidebarOrder(root: string, version: string | null): Map<string, number> | null {
  const files = version
    ? [join(root, 'versioned_sidebars', `version-${version}-sidebars.json`)]
    : ['sidebars.js', 'sidebars.ts', 'sidebars.cjs', 'sidebars.mjs', 'sidebars.json'].map((f) => join(root, f));
  const file = files.find((f) => existsSync(f));
  if (!file) return null;
  const text = readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
  const order = new Map<string, number>();
  for (const match of text.matchAll(/(['"`])([^'"`\n]+)\1/g)) {
    const id = (match[2] ?? '').replace(/^version-[^/]+\//, '');
    if (!order.has(id)) order.set(id, order.size);
  }
  return order;
}

/** A Docusaurus doc's id from its path under the docs folder: no extension, each part's number prefix dropped. */
export function docId(relativePath: string): string {
  return relativePath
    .replace(/\.(md|mdx)$/i, '')
    .split(/[\\/]/)
    .map(stripOrderPrefix)
    .join('/');
}
