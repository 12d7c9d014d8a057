import type { Token } from 'markdown-it';
import { createMarkdown } from '../content/content.markdown';

/** Whether an adapted lesson may be shown; `reason` is worded for the learner and the logs. */
export type CheckResult = { ok: true } | { ok: false; reason: string };

/** Below this share of the original's prose words, an adaptation has lost content, not tightened it. */
const MIN_PROSE_SHARE = 0.3;
const SNIPPET_CHARS = 40;

/**
 * The guard applied to any rewrite of a lesson before it is shown or cached: every
 * code block survives byte for byte (as a multiset), every heading survives as a
 * heading (compared case- and whitespace-insensitively), and the prose is not cut
 * to a stub. Additions and rewording pass.
 */
export function checkAdaptation(original: string, adapted: string): CheckResult {
  if (adapted.trim() === '') return { ok: false, reason: 'the text is empty' };
  const before = readStructure(original);
  const after = readStructure(adapted);

  const missingCode = firstMissing(before.code, after.code, (code) => code);
  if (missingCode) {
    return { ok: false, reason: `code block ${missingCode.index + 1} ("${snippet(missingCode.item)}") was changed or dropped` };
  }
  const missingHeading = firstMissing(before.headings, after.headings, normalizeHeading);
  if (missingHeading) return { ok: false, reason: `section "${missingHeading.item.trim()}" was dropped` };

  if (before.proseWords > 0 && after.proseWords < before.proseWords * MIN_PROSE_SHARE) {
    return {
      ok: false,
      reason: `the text was cut to ${Math.round((after.proseWords / before.proseWords) * 100)}% of the original`,
    };
  }
  return { ok: true };
}

/**
 * Strips one fence that wraps the whole text (```markdown or ```md, a common model
 * habit) and the whitespace around it. Anything else is returned unchanged.
 */
export function unwrapModelMarkdown(text: string): string {
  const match = /^\s*(`{3,}|~{3,})[ \t]*(?:markdown|md)[ \t]*\r?\n([\s\S]*?)\r?\n[ \t]*(\1)[ \t]*\s*$/i.exec(text);
  const inner = match?.[2];
  if (inner === undefined || !fencesBalance(inner)) return text;
  return inner.trim();
}

interface Structure {
  code: string[];
  headings: string[];
  proseWords: number;
}

function readStructure(markdown: string): Structure {
  const tokens = createMarkdown().parse(markdown, {});
  const structure: Structure = { code: [], headings: [], proseWords: 0 };
  tokens.forEach((token, i) => {
    if (token.type === 'fence' || token.type === 'code_block') structure.code.push(token.content);
    if (token.type !== 'inline') return;
    const text = plainInlineText(token);
    if (tokens[i - 1]?.type === 'heading_open') structure.headings.push(text);
    else structure.proseWords += text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
  });
  return structure;
}

/** The visible text of an inline token: words and inline code, formatting dropped. */
export function plainInlineText(token: Token): string {
  return (token.children ?? [])
    .map((child) => {
      if (child.type === 'text' || child.type === 'code_inline') return child.content;
      return child.type === 'softbreak' || child.type === 'hardbreak' ? ' ' : '';
    })
    .join('');
}

/** The first item of `expected` (in order) with no counterpart left in `actual`; repeats must repeat. */
function firstMissing(expected: string[], actual: string[], key: (item: string) => string) {
  const left = new Map<string, number>();
  for (const item of actual) left.set(key(item), (left.get(key(item)) ?? 0) + 1);
  for (const [index, item] of expected.entries()) {
    const count = left.get(key(item)) ?? 0;
    if (count === 0) return { index, item };
    left.set(key(item), count - 1);
  }
  return null;
}

function normalizeHeading(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toLowerCase();
}

function snippet(code: string): string {
  const line = code.split('\n').find((l) => l.trim() !== '') ?? '';
  const trimmed = line.trim();
  return trimmed.length > SNIPPET_CHARS ? `${trimmed.slice(0, SNIPPET_CHARS - 1)}…` : trimmed;
}

/**
 * True when every code fence opened inside the text is closed again, so the last
 * fence line of the input really closes the wrapper and not a block inside it.
 */
function fencesBalance(text: string): boolean {
  let open: { char: string; length: number } | null = null;
  for (const line of text.split(/\r?\n/)) {
    const fence = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
    if (!fence?.[1]) continue;
    const marker = fence[1];
    const rest = fence[2] ?? '';
    if (!open) {
      if (marker[0] === '`' && rest.includes('`')) continue;
      open = { char: marker.charAt(0), length: marker.length };
    } else if (marker.charAt(0) === open.char && marker.length >= open.length && rest.trim() === '') {
      open = null;
    }
  }
  return open === null;
}
