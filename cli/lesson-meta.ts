import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { SLUG, type LessonInput, type QuizItemInput } from '../workers/features/content/content.schemas';
import { parseFrontmatter, type TreeProblem } from './frontmatter';
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
  lineOf: (key: string) => number;
}

const LAYERS = ['L1', 'L2', 'L3'] as const;
const DIFFICULTY_WORDS: Record<string, number> = { beginner: 1, easy: 1, intermediate: 3, medium: 3, advanced: 5, hard: 5 };
const DEFAULT_DIFFICULTY: Record<LessonInput['layer'], number> = { L1: 2, L2: 3, L3: 4 };

/**
 * Reads one lesson file. Fields of this platform's frontmatter are checked
 * strictly; fields other tools use (sidebar_position, description, tags,
 * teaching/exercises) fill in what is missing; anything else is ignored.
 * Problems are reported as file:line; null means the file cannot be a lesson.
 */
export function readLessonMeta(file: string, relFile: string, layout: Layout, problems: TreeProblem[]): LessonMeta | null {
  const fm = parseFrontmatter(relFile, readFileSync(file, 'utf8'));
  if (fm.problems.length > 0) {
    problems.push(...fm.problems);
    return null;
  }
  const d = fm.data;
  const fail = (key: string, message: string) =>
    problems.push({ file: relFile, line: fm.lineOf(key), message: `${key}: ${message}` });
  const str = (key: string): string | undefined => {
    const v = d[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string' || typeof v === 'number') return String(v);
    fail(key, 'must be text');
    return undefined;
  };
  const strList = (key: string): string[] | undefined => {
    const v = d[key];
    if (v === undefined || v === null) return undefined;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
    const odd: unknown = Array.isArray(v) ? v.find((x) => typeof x !== 'string') : undefined;
    fail(
      key,
      Array.isArray(v)
        ? `must be a list of text items; YAML read ${String(odd)} as a ${odd === null ? 'null' : typeof odd}: put it in quotes`
        : 'must be a list of text items',
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
  if (body.trim().length === 0)
    problems.push({ file: relFile, line: fm.bodyLine, message: 'empty lesson: no text after the frontmatter and title' });

  // Slug: ours must be kebab-case; other tools' slugs and ids are URL paths we normalize.
  let slug = toSlug(stripOrderPrefix(basename(file).replace(/\.(md|mdx|rmd)$/i, ''))) || 'lesson';
  let explicitSlug = false;
  const rawSlug = str('slug') ?? (layout === 'docusaurus' ? str('id') : undefined);
  if (rawSlug !== undefined) {
    if (SLUG.test(rawSlug)) {
      slug = rawSlug;
      explicitSlug = true;
    } else if ('layer' in d) {
      fail('slug', `"${rawSlug}" must be kebab-case (a-z, 0-9, single dashes)`);
    } else if (toSlug(rawSlug)) {
      slug = toSlug(rawSlug);
      explicitSlug = false;
    }
  }

  let layer: LessonInput['layer'] = 'L1';
  const rawLayer = d.layer;
  if (rawLayer !== undefined) {
    if (LAYERS.includes(rawLayer as LessonInput['layer'])) layer = rawLayer as LessonInput['layer'];
    else fail('layer', `must be L1 (foundations), L2 (applied) or L3 (advanced), not ${JSON.stringify(rawLayer)}`);
  }

  const prerequisites = strList('prerequisites') ?? [];
  prerequisites.forEach((p) => {
    if (!SLUG.test(p)) fail('prerequisites', `"${p}" is not a lesson slug`);
  });
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
  const rawMinutes = d.minutes ?? d.estimated_minutes;
  if (rawMinutes !== undefined) {
    if (Number.isInteger(rawMinutes) && (rawMinutes as number) >= 1 && (rawMinutes as number) <= 600)
      minutes = rawMinutes as number;
    else fail('minutes', 'must be a whole number of minutes from 1 to 600');
  } else if (typeof d.teaching === 'number' || typeof d.exercises === 'number') {
    minutes = Math.max(1, (Number(d.teaching) || 0) + (Number(d.exercises) || 0));
  }

  let difficulty = DEFAULT_DIFFICULTY[layer];
  if (d.difficulty !== undefined) {
    const raw = d.difficulty;
    const mapped = typeof raw === 'string' ? DIFFICULTY_WORDS[raw.toLowerCase()] : raw;
    if (Number.isInteger(mapped) && (mapped as number) >= 1 && (mapped as number) <= 5) difficulty = mapped as number;
    else fail('difficulty', 'must be 1-5 or beginner / intermediate / advanced');
  }

  const summary = (str('summary') ?? str('description') ?? firstParagraph(body)).trim().slice(0, 2000);
  const objectives = strList('objectives') ?? objectivesFromDiv;
  const quiz = readQuiz(d.quiz, concepts, (message) =>
    problems.push({ file: relFile, line: fm.lineOf('quiz'), message: `quiz: ${message}` }),
  );

  const sidebar = d.sidebar as { order?: unknown } | undefined;
  const rawOrder = d.order ?? d.sidebar_position ?? sidebar?.order;
  const order = typeof rawOrder === 'number' ? rawOrder : null;

  return {
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
    quiz,
    order,
    partSlug: '',
    chapterSlug: '',
    body,
    bodyLine,
    lineOf: fm.lineOf,
  };
}

function readQuiz(raw: unknown, concepts: string[], fail: (message: string) => void): QuizItemInput[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    fail('must be a list of items');
    return [];
  }
  const items: QuizItemInput[] = [];
  raw.forEach((entry: unknown, i) => {
    const n = i + 1;
    const item = entry as Record<string, unknown>;
    if (!item || typeof item !== 'object') return fail(`item ${n} must have question, choices and answer`);
    const { question, choices, answer, explanation, concept, id, difficulty } = item;
    if (typeof question !== 'string' || !question.trim()) return fail(`item ${n} needs a question`);
    if (!Array.isArray(choices) || choices.length < 2 || !choices.every((c) => typeof c === 'string' || typeof c === 'number'))
      return fail(`item ${n} needs at least two choices`);
    const texts = choices.map(String);
    const index = typeof answer === 'number' ? answer : texts.indexOf(String(answer));
    if (!Number.isInteger(index) || index < 0 || index >= texts.length)
      return fail(`item ${n}: answer must be a choice's zero-based index (0-${texts.length - 1}) or its exact text`);
    if (concept === null) return fail(`item ${n}: YAML reads a bare null as no value; quote the concept ("null")`);
    if (concept !== undefined && (typeof concept !== 'string' || !concepts.includes(concept)))
      return fail(`item ${n}: concept ${JSON.stringify(concept)} is not one of the lesson's concepts`);
    if (id !== undefined && (typeof id !== 'string' || !SLUG.test(id))) return fail(`item ${n}: id must be kebab-case`);
    const level = typeof difficulty === 'string' ? DIFFICULTY_WORDS[difficulty.toLowerCase()] : difficulty;
    if (level !== undefined && !(typeof level === 'number' && Number.isInteger(level) && level >= 1 && level <= 5))
      return fail(`item ${n}: difficulty must be 1-5 or one of ${Object.keys(DIFFICULTY_WORDS).join(', ')}`);
    items.push({
      question: question.trim(),
      choices: texts,
      answer: index,
      explanation: typeof explanation === 'string' ? explanation.trim() : '',
      ...(typeof concept === 'string' ? { concept } : {}),
      ...(typeof id === 'string' ? { id } : {}),
      ...(typeof level === 'number' ? { difficulty: level } : {}),
    });
  });
  return items;
}
