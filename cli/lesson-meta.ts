import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { SLUG, type LessonInput, type QuizItemInput } from '../workers/features/content/content.schemas';
import { parseFrontmatter, type FieldPath, type TreeProblem } from './frontmatter';
import { notALesson } from './doc-variants';
import type { Layout } from './course-tree';
import {
  countWords,
  fencedDivBullets,
  firstParagraph,
  leadingH1,
  normalizeMarkdown,
  stripOrderPrefix,
  titleFromName,
  toSlug,
} from './markdown-source';

export interface LessonMeta {
  file: string;
  relFile: string;
  slug: string;
  explicitSlug: boolean;
  defaultSlug: string | undefined;
  title: string;
  layer: LessonInput['layer'];
  prerequisites: string[];
  concepts: string[];
  minutes: number;
  difficulty: number;
  summary: string;
  objectives: string[];
  quiz: QuizItemInput[];
  order: number | null;
  partSlug: string;
  chapterSlug: string;
  body: string;
  bodyLine: number;
  /** Where a manifest field path (e.g. `quiz, 0, choices`) was read from: the key as written and the item's own index. */
  sourceOf: (...path: FieldPath) => FieldPath;
  /** 1-based file line of a manifest field path. */
  lineOf: (...path: FieldPath) => number;
}

/**
 * One lesson file read: its lesson, or, when its frontmatter is not valid YAML,
 * the slugs it may have, so lessons that name it are not told it does not exist; or,
 * in a doc tool's tree, why the page is not a lesson (`skipped`: a 404, a splash
 * landing page, a page with no text).
 */
export type LessonRead = { meta: LessonMeta } | { meta: null; slugs: string[]; skipped?: string };

const LAYERS = ['L1', 'L2', 'L3'] as const;
const DIFFICULTY_WORDS: Record<string, number> = { beginner: 1, easy: 1, intermediate: 3, medium: 3, advanced: 5, hard: 5 };
const DEFAULT_DIFFICULTY: Record<LessonInput['layer'], number> = { L1: 2, L2: 3, L3: 4 };

/**
 * Reads one lesson file. Fields of this platform's frontmatter are checked
 * strictly; fields other tools use (sidebar_position, description, tags,
 * teaching/exercises) fill in what is missing; anything else is ignored.
 * Problems are reported as file:line, each at the line of the key or list item it is about.
 */
export function readLessonMeta(file: string, relFile: string, layout: Layout, problems: TreeProblem[]): LessonRead {
  const fm = parseFrontmatter(relFile, readFileSync(file, 'utf8'));
  const fileSlug = toSlug(stripOrderPrefix(basename(file).replace(/\.(md|mdx|rmd)$/i, ''))) || 'lesson';
  if (fm.problems.length > 0) {
    problems.push(...fm.problems);
    const guess = fm.partial.slug ?? (layout === 'docusaurus' ? fm.partial.id : undefined);
    return { meta: null, slugs: typeof guess === 'string' ? [fileSlug, guess, toSlug(guess)] : [fileSlug] };
  }
  const d = fm.data;
  const docTool = layout === 'starlight' || layout === 'docusaurus';
  const why = docTool ? notALesson(file, d) : null;
  if (why) return { meta: null, slugs: [], skipped: why };
  const fail = (path: FieldPath, message: string) =>
    problems.push({ file: relFile, line: fm.lineOf(...path), message: `${String(path[0])}: ${message}` });
  const str = (key: string): string | undefined => {
    const v = d[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string' || typeof v === 'number') return String(v);
    fail([key], 'must be text');
    return undefined;
  };
  const strList = (key: string): string[] | undefined => {
    const v = d[key];
    if (v === undefined || v === null) return undefined;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
    if (!Array.isArray(v)) {
      fail([key], 'must be a list of text items');
      return undefined;
    }
    const oddIndex = v.findIndex((x) => typeof x !== 'string');
    const odd: unknown = v[oddIndex];
    fail(
      [key, oddIndex],
      `must be a list of text items; YAML read ${String(odd)} as a ${odd === null ? 'null' : typeof odd}: put it in quotes`,
    );
    return undefined;
  };

  const mdx = /\.mdx$/i.test(file);
  // Lines dropped from the top are counted, so later warnings still name the right line.
  let body = fm.body;
  let bodyLine = fm.bodyLine;
  const dropLeading = (rest: string) => {
    bodyLine += (body.slice(0, body.length - rest.length).match(/\n/g) ?? []).length;
    body = rest;
  };
  const h1 = leadingH1(body);
  const title = str('title') ?? h1?.title ?? titleFromName(basename(file));
  if (h1 && h1.title === title) dropLeading(h1.rest);
  const objectivesFromDiv = fencedDivBullets(body, 'objectives');
  body = normalizeMarkdown(body, { mdx });
  dropLeading(body.replace(/^\s*\n/, ''));
  if (body.trim().length === 0) {
    // A doc tool's page may be its template alone; in a course of ours, an empty lesson is a mistake.
    if (docTool) return { meta: null, slugs: [], skipped: 'no text after the frontmatter and title, not a lesson' };
    problems.push({ file: relFile, line: fm.bodyLine, message: 'empty lesson: no text after the frontmatter and title' });
  }

  // Slug: ours must be kebab-case; other tools' slugs and ids are URL paths we normalize.
  let slug = fileSlug;
  let explicitSlug = false;
  const slugKey = present(d, 'slug', ...(layout === 'docusaurus' ? ['id'] : []));
  const rawSlug = str(slugKey);
  if (rawSlug !== undefined) {
    if (SLUG.test(rawSlug)) {
      slug = rawSlug;
      explicitSlug = true;
    } else if ('layer' in d) {
      fail([slugKey], `"${rawSlug}" must be kebab-case (a-z, 0-9, single dashes)`);
    } else if (toSlug(rawSlug)) {
      slug = toSlug(rawSlug);
      explicitSlug = false;
    }
  }

  let layer: LessonInput['layer'] = 'L1';
  const rawLayer = d.layer;
  if (rawLayer !== undefined) {
    if (LAYERS.includes(rawLayer as LessonInput['layer'])) layer = rawLayer as LessonInput['layer'];
    else fail(['layer'], `must be L1 (foundations), L2 (applied) or L3 (advanced), not ${JSON.stringify(rawLayer)}`);
  }

  // Entries reported here are left out, so the graph and server checks do not report them again.
  const prerequisites: string[] = [];
  const prerequisiteSources: number[] = [];
  (strList('prerequisites') ?? []).forEach((p, i, all) => {
    if (!SLUG.test(p)) fail(['prerequisites', i], `"${p}" is not a lesson slug`);
    else if (all.indexOf(p) !== i) fail(['prerequisites', i], `"${p}" is listed twice`);
    else {
      prerequisites.push(p);
      prerequisiteSources.push(i);
    }
  });
  const conceptKey = 'concepts' in d ? 'concepts' : Array.isArray(d.keywords) ? 'keywords' : 'tags';
  const conceptSource: unknown[] | undefined =
    'concepts' in d
      ? strList('concepts')
      : Array.isArray(d.keywords)
        ? (d.keywords as unknown[])
        : Array.isArray(d.tags)
          ? (d.tags as unknown[])
          : [];
  const concepts = [
    ...new Set(
      (conceptSource ?? [])
        .filter((c): c is string => typeof c === 'string')
        .map(toSlug)
        .filter(Boolean),
    ),
  ];

  const words = countWords(body);
  let minutes = Math.max(1, Math.round(words / 200));
  const minutesKey = present(d, 'minutes', 'estimated_minutes');
  const rawMinutes = d[minutesKey];
  if (rawMinutes !== undefined && rawMinutes !== null) {
    if (Number.isInteger(rawMinutes) && (rawMinutes as number) >= 1 && (rawMinutes as number) <= 600)
      minutes = rawMinutes as number;
    else fail([minutesKey], 'must be a whole number of minutes from 1 to 600');
  } else if (typeof d.teaching === 'number' || typeof d.exercises === 'number') {
    minutes = Math.max(1, (Number(d.teaching) || 0) + (Number(d.exercises) || 0));
  }

  let difficulty = DEFAULT_DIFFICULTY[layer];
  if (d.difficulty !== undefined) {
    const raw = d.difficulty;
    const mapped = typeof raw === 'string' ? DIFFICULTY_WORDS[raw.toLowerCase()] : raw;
    if (Number.isInteger(mapped) && (mapped as number) >= 1 && (mapped as number) <= 5) difficulty = mapped as number;
    else fail(['difficulty'], 'must be 1-5 or beginner / intermediate / advanced');
  }

  const summaryKey = present(d, 'summary', 'description');
  const summary = (str(summaryKey) ?? firstParagraph(body)).trim().slice(0, 2000);
  const objectives = strList('objectives') ?? objectivesFromDiv;
  const quiz = readQuiz(d.quiz, concepts, (path, message) => fail(['quiz', ...path], message));

  // Manifest fields some tools spell differently, and lists whose items were left out or merged on reading.
  const sourceKey: Record<string, string> = { slug: slugKey, minutes: minutesKey, summary: summaryKey, concepts: conceptKey };
  const sourceIndex: Record<string, (i: number) => number> = {
    prerequisites: (i) => prerequisiteSources[i] ?? i,
    quiz: (i) => quiz.sources[i] ?? i,
    concepts: (i) => {
      const raw = (conceptSource ?? []).findIndex((c) => typeof c === 'string' && toSlug(c) === concepts[i]);
      return raw === -1 ? i : raw;
    },
  };
  const sourceOf = (...path: FieldPath): FieldPath => {
    const [key, index, ...rest] = path;
    if (key === undefined) return path;
    const source = sourceKey[String(key)] ?? String(key);
    const toSource = sourceIndex[String(key)];
    return typeof index === 'number' && toSource ? [source, toSource(index), ...rest] : [source, ...path.slice(1)];
  };

  const sidebar = d.sidebar as { order?: unknown } | undefined;
  const rawOrder = d.order ?? d.sidebar_position ?? sidebar?.order;
  const order = typeof rawOrder === 'number' ? rawOrder : null;

  return {
    meta: {
      file,
      relFile,
      slug,
      explicitSlug,
      defaultSlug: undefined,
      title,
      layer,
      prerequisites,
      concepts,
      minutes,
      difficulty,
      summary,
      objectives: objectives.slice(0, 20),
      quiz: quiz.items,
      order,
      partSlug: '',
      chapterSlug: '',
      body,
      bodyLine,
      sourceOf,
      lineOf: (...path) => fm.lineOf(...sourceOf(...path)),
    },
  };
}

/** The first of `keys` the frontmatter sets, else the first: the key a field was read from. */
function present(d: Record<string, unknown>, ...keys: [string, ...string[]]): string {
  return keys.find((k) => d[k] !== undefined && d[k] !== null) ?? keys[0];
}

/** Quiz items that pass, with the frontmatter index of each (items that fail are reported and left out). */
function readQuiz(
  raw: unknown,
  concepts: string[],
  fail: (path: FieldPath, message: string) => void,
): { items: QuizItemInput[]; sources: number[] } {
  const items: QuizItemInput[] = [];
  const sources: number[] = [];
  if (raw === undefined || raw === null) return { items, sources };
  if (!Array.isArray(raw)) {
    fail([], 'must be a list of items');
    return { items, sources };
  }
  raw.forEach((entry: unknown, i) => {
    const n = i + 1;
    const item = entry as Record<string, unknown>;
    if (!item || typeof item !== 'object') return fail([i], `item ${n} must have question, choices and answer`);
    const { question, choices, answer, explanation, concept, id, difficulty } = item;
    if (typeof question !== 'string' || !question.trim()) return fail([i, 'question'], `item ${n} needs a question`);
    if (!Array.isArray(choices) || choices.length < 2) return fail([i, 'choices'], `item ${n} needs at least two choices`);
    const odd = choices.findIndex((c) => typeof c !== 'string' && typeof c !== 'number');
    if (odd !== -1) return fail([i, 'choices', odd], `item ${n}: choice ${odd + 1} must be text`);
    const texts = choices.map(String);
    const index = typeof answer === 'number' ? answer : texts.indexOf(String(answer));
    if (!Number.isInteger(index) || index < 0 || index >= texts.length)
      return fail(
        [i, 'answer'],
        `item ${n}: answer must be a choice's zero-based index (0-${texts.length - 1}) or its exact text`,
      );
    if (concept === null)
      return fail([i, 'concept'], `item ${n}: YAML reads a bare null as no value; quote the concept ("null")`);
    if (concept !== undefined && (typeof concept !== 'string' || !concepts.includes(concept)))
      return fail([i, 'concept'], `item ${n}: concept ${JSON.stringify(concept)} is not one of the lesson's concepts`);
    if (id !== undefined && (typeof id !== 'string' || !SLUG.test(id)))
      return fail([i, 'id'], `item ${n}: id must be kebab-case`);
    const level = typeof difficulty === 'string' ? DIFFICULTY_WORDS[difficulty.toLowerCase()] : difficulty;
    if (level !== undefined && !(typeof level === 'number' && Number.isInteger(level) && level >= 1 && level <= 5))
      return fail([i, 'difficulty'], `item ${n}: difficulty must be 1-5 or one of ${Object.keys(DIFFICULTY_WORDS).join(', ')}`);
    items.push({
      question: question.trim(),
      choices: texts,
      answer: index,
      explanation: typeof explanation === 'string' ? explanation.trim() : '',
      ...(typeof concept === 'string' ? { concept } : {}),
      ...(typeof id === 'string' ? { id } : {}),
      ...(typeof level === 'number' ? { difficulty: level } : {}),
    });
    sources.push(i);
  });
  return { items, sources };
}
