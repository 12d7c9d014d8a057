import { createMarkdown } from '../content/content.markdown';
import { plainInlineText } from './personalize.check';

/** One heading of a lesson, with the anchor the site gives it and where it sits (0-based lines). */
export interface LessonHeading {
  depth: number;
  text: string;
  anchor: string;
  line: number;
  /** The line after the heading itself (setext headings span two lines). */
  endLine: number;
}

/** A top-level section: the intro (no heading) or one heading of the shallowest depth and all below it. */
export interface LessonSection {
  heading: LessonHeading | null;
  words: number;
  codeLines: number;
}

export interface LessonCode {
  content: string;
  info: string;
  section: number;
  /** The line after the block; undefined when the block is nested in a list or quote. */
  endLine: number | undefined;
}

export interface LessonSentence {
  /** The sentence as written, inline markdown kept, so it can be quoted as is. */
  markdown: string;
  /** The same sentence without inline formatting, for matching words. */
  plain: string;
  section: number;
  firstInSection: boolean;
}

/** What the offline engine knows about a lesson's markdown, read once. */
export interface LessonDoc {
  lines: string[];
  headings: LessonHeading[];
  sections: LessonSection[];
  code: LessonCode[];
  sentences: LessonSentence[];
}

/** Reads headings, top-level sections, code blocks and prose sentences of a lesson. */
export function readLesson(markdown: string): LessonDoc {
  const tokens = createMarkdown().parse(markdown, {});
  const doc: LessonDoc = { lines: markdown.split('\n'), headings: [], sections: [], code: [], sentences: [] };
  const topDepth = Math.min(7, ...tokens.filter((t) => t.type === 'heading_open').map((t) => depthOf(t.tag)));
  let section: LessonSection = { heading: null, words: 0, codeLines: 0 };
  doc.sections.push(section);
  let sawSentence = false;
  tokens.forEach((token, i) => {
    if (token.type === 'heading_open') {
      const heading = {
        depth: depthOf(token.tag),
        text: plainInlineText(tokens[i + 1] ?? token).trim(),
        anchor: String(token.attrGet('id') ?? ''),
        line: token.map?.[0] ?? 0,
        endLine: token.map?.[1] ?? 0,
      };
      doc.headings.push(heading);
      if (heading.depth === topDepth) {
        section = { heading, words: 0, codeLines: 0 };
        doc.sections.push(section);
        sawSentence = false;
      }
    }
    if (token.type === 'fence' || token.type === 'code_block') {
      section.codeLines += token.content.split('\n').filter((l) => l.trim() !== '').length;
      const endLine = token.level === 0 ? token.map?.[1] : undefined;
      doc.code.push({
        content: token.content,
        info: token.info.trim().split(/\s+/)[0] ?? '',
        section: doc.sections.length - 1,
        endLine,
      });
    }
    if (token.type === 'inline') {
      section.words += countWords(plainInlineText(token));
      if (tokens[i - 1]?.type !== 'paragraph_open') return;
      for (const sentence of splitSentences(token.content.replace(/\s*\n\s*/g, ' '))) {
        doc.sentences.push({
          markdown: sentence,
          plain: stripInline(sentence),
          section: doc.sections.length - 1,
          firstInSection: !sawSentence,
        });
        sawSentence = true;
      }
    }
  });
  return doc;
}

function depthOf(tag: string): number {
  return Number(tag.slice(1));
}

export function countWords(text: string): number {
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

const ABBREVIATIONS = new Set(['e.g.', 'i.e.', 'etc.', 'vs.', 'cf.', 'approx.', 'no.', 'dr.', 'mr.', 'ms.', 'mrs.']);

/**
 * Splits inline markdown into sentences at `.`, `!` or `?` followed by a space and
 * a capital, quote, emphasis or code span; never inside a code span, and not after
 * an abbreviation or an initial ("E. F. Codd").
 */
export function splitSentences(text: string): string[] {
  const sentences: string[] = [];
  let start = 0;
  let inCode = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charAt(i);
    if (char === '`') inCode = !inCode;
    if (inCode || !'.!?'.includes(char)) continue;
    let end = i + 1;
    while (end < text.length && `)"'”’*_`.includes(text.charAt(end))) end++;
    if (!/^\s+[\p{Lu}*_`"“([]/u.test(text.slice(end))) continue;
    const lastWord =
      text
        .slice(start, i + 1)
        .split(/\s+/)
        .pop() ?? '';
    if (ABBREVIATIONS.has(lastWord.toLowerCase()) || /^\p{Lu}\.$/u.test(lastWord)) continue;
    sentences.push(text.slice(start, end).trim());
    start = end;
    i = end - 1;
  }
  const rest = text.slice(start).trim();
  if (rest) sentences.push(rest);
  return sentences;
}

/** Inline markdown to plain words: code ticks, emphasis markers and link targets dropped, code text kept as is. */
function stripInline(markdown: string): string {
  return markdown
    .replace(
      /(`+)(.+?)\1|!?\[([^\]]*)\]\([^)]*\)|\*+|__+/g,
      (_match, _ticks, code?: string, label?: string) => code ?? label ?? '',
    )
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Closes a top-level code fence left open at the end of the text, which would
 * otherwise swallow anything added after it. The block's code stays the same.
 */
export function closeOpenFence(markdown: string): string {
  const last = createMarkdown()
    .parse(markdown, {})
    .findLast((t) => t.type === 'fence' && t.level === 0);
  if (!last?.map) return markdown;
  const [start, next] = last.map;
  const closer = new RegExp(`^ {0,3}${last.markup.charAt(0)}{${last.markup.length},}\\s*$`);
  if (next - start >= 2 && closer.test(markdown.split('\n')[next - 1] ?? '')) return markdown;
  return `${markdown}${markdown.endsWith('\n') ? '' : '\n'}${last.markup}\n`;
}

const EXAMPLE_VARIANT = /^example:\s*(.+)$/i;

/**
 * Puts the learner's domain first in each group of example variants. A group is a
 * run of sibling headings `Example: <Domain>` (same depth, each section ending where
 * the next variant starts); the last variant runs to the next heading of the same or
 * a higher level, so authors place a group at the end of a section. Nothing is
 * dropped. Returns the new text and how many groups changed.
 */
export function putDomainFirst(markdown: string, domain: string): { markdown: string; moved: number } {
  const doc = readLesson(markdown);
  const lines = [...doc.lines];
  let moved = 0;
  // Bottom-up, so earlier line numbers stay valid while later groups are rewritten.
  for (const group of variantGroups(doc).reverse()) {
    const chosen = group.findIndex((v) => v.domain === domain.toLowerCase());
    const first = group[0];
    const last = group[group.length - 1];
    if (chosen <= 0 || !first || !last) continue;
    const chunks = group.map((v) => lines.slice(v.start, v.end));
    const trailing = (chunks[chunks.length - 1] ?? []).length - withoutBlankEnd(chunks[chunks.length - 1] ?? []).length;
    const order = [chunks[chosen] ?? [], ...chunks.filter((_, i) => i !== chosen)].map(withoutBlankEnd);
    const rebuilt = order.flatMap((chunk, i) => (i === 0 ? chunk : ['', ...chunk]));
    lines.splice(first.start, last.end - first.start, ...rebuilt, ...new Array<string>(trailing).fill(''));
    moved++;
  }
  return { markdown: lines.join('\n'), moved };
}

interface Variant {
  domain: string;
  depth: number;
  start: number;
  end: number;
}

function variantGroups(doc: LessonDoc): Variant[][] {
  const groups: Variant[][] = [];
  let current: Variant[] = [];
  doc.headings.forEach((heading, i) => {
    const match = EXAMPLE_VARIANT.exec(heading.text);
    if (!match?.[1]) return;
    const next = doc.headings.slice(i + 1).find((h) => h.depth <= heading.depth);
    const variant = {
      domain: match[1].trim().toLowerCase(),
      depth: heading.depth,
      start: heading.line,
      end: next?.line ?? doc.lines.length,
    };
    const previous = current[current.length - 1];
    if (previous && previous.end === variant.start && previous.depth === variant.depth) {
      current.push(variant);
      return;
    }
    if (current.length > 1) groups.push(current);
    current = [variant];
  });
  if (current.length > 1) groups.push(current);
  return groups;
}

function withoutBlankEnd(lines: string[]): string[] {
  let end = lines.length;
  while (end > 0 && lines[end - 1]?.trim() === '') end--;
  return lines.slice(0, end);
}

/** Inserts blocks of lines before the given line numbers, one blank line around each. */
export function insertBlocks(lines: string[], inserts: { before: number; block: string[] }[]): string[] {
  const out = [...lines];
  // Stable bottom-up order keeps both the line numbers and the order of inserts at one line.
  const ordered = inserts.map((insert, i) => ({ ...insert, i })).sort((a, b) => b.before - a.before || b.i - a.i);
  for (const { before, block } of ordered) {
    const lead = before > 0 && out[before - 1]?.trim() !== '' ? [''] : [];
    const tail = before < out.length && out[before]?.trim() !== '' ? [''] : [];
    out.splice(before, 0, ...lead, ...block, ...tail);
  }
  return out;
}
