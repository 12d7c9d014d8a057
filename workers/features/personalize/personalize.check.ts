import type { Token } from 'markdown-it';
import { createMarkdown } from '../content/content.markdown';
import { permissiveMarkdown, urlScheme } from './personalize.sanitize';

/** Whether an adapted lesson may be shown; `reason` is worded for the learner and the logs. */
export type CheckResult = { ok: true } | { ok: false; reason: string };

/** Below this share of the original's prose words, an adaptation has lost content, not tightened it. */
const MIN_PROSE_SHARE = 0.3;
const SNIPPET_CHARS = 40;
/** A run of this many characters of the system prompt in an answer counts as the prompt leaking. */
const LEAK_CHARS = 40;
/** Hosts reserved for examples (RFC 2606): a model may add them to code and prose. */
const EXAMPLE_HOST = /(^|\.)example\.(com|net|org)$/;
/** Bare URLs in any text, code included: a scheme with `//`, or `www.`. */
const BARE_URL = /\b(?:[a-z][a-z0-9+.-]*:\/\/|www\.)[^\s<>"'`]+/gi;

/** What the model was told and must never repeat: its system prompt and the canary in it. */
export interface PromptGuard {
  system: string;
  canary: string;
}

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
 * The guard for a model's answer: `checkAdaptation`, then signs that the lesson
 * steered the model (prompt injection): a link or URL the lesson does not contain
 * (phishing, exfiltration), the canary of the system prompt, or a run of
 * LEAK_CHARS characters of the system prompt that the lesson does not itself contain.
 */
export function checkModelOutput(original: string, adapted: string, guard: PromptGuard): CheckResult {
  const structure = checkAdaptation(original, adapted);
  if (!structure.ok) return structure;
  const steered = steeringSign(original, adapted, guard, 'lesson');
  return steered ? { ok: false, reason: steered } : { ok: true };
}

/**
 * Why a model's `output` looks steered by the untrusted `data` it was given (prompt
 * injection), or null: the canary of its system prompt, a run of LEAK_CHARS
 * characters of that prompt the data does not itself contain, or a link or URL the
 * data does not contain (phishing, exfiltration; example.com hosts aside). `dataName`
 * names the data in that reason.
 */
export function steeringSign(data: string, output: string, guard: PromptGuard, dataName: string): string | null {
  // Encoded copies count too: base64 runs decoded, and the text with everything but letters and digits taken out
  // (a canary or prompt spelled out with spaces or dots between its characters).
  const decoded = [output, ...base64Texts(output)];
  const bare = (text: string) => text.toLowerCase().replace(/[^a-z0-9]/g, '');
  for (const text of decoded) {
    if (guard.canary && bare(text).includes(bare(guard.canary))) return 'it repeats its confidential instructions';
    if (leaksPrompt(data, text, guard.system) || leaksPrompt(bare(data), bare(text), bare(guard.system)))
      return 'it repeats its confidential instructions';
  }
  const known = new Set(linkTargets(data));
  if (
    [...linkTargets(output), ...hostPaths(output)].some(
      (url) => !known.has(url) && !known.has(`https:${url}`) && !isExampleUrl(url),
    )
  )
    return `it adds a link that is not in the ${dataName}`;
  return null;
}

/** Text of the base64 runs of `text` (24 characters or more) that decode to mostly printable text. */
function base64Texts(text: string): string[] {
  return [...text.matchAll(/[A-Za-z0-9+/]{24,}={0,2}/g)].flatMap((m) => {
    try {
      const plain = atob(m[0].slice(0, m[0].length - (m[0].replace(/=+$/, '').length % 4 === 1 ? 1 : 0)));
      const printable = plain.replace(/[^\x20-\x7e]/g, '').length;
      return printable >= plain.length * 0.9 ? [plain] : [];
    } catch {
      return [];
    }
  });
}

/** Protocol-relative addresses written as text (`//evil.test/x`), which a browser resolves to another host. */
function hostPaths(text: string): string[] {
  return [...text.matchAll(/(?:^|[\s("'=])(\/\/[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:\/[^\s<>"'`)]*)?)/gi)].map((m) =>
    (m[1] ?? '').toLowerCase().replace(/\/+$/, ''),
  );
}

/** True when `adapted` holds a LEAK_CHARS-long run of `system` (whitespace and case aside) that `original` lacks. */
function leaksPrompt(original: string, adapted: string, system: string): boolean {
  const squash = (text: string) => text.replace(/\s+/g, ' ').toLowerCase();
  const [lesson, answer, prompt] = [squash(original), squash(adapted), squash(system)];
  const runs = new Set<string>();
  for (let i = 0; i + LEAK_CHARS <= answer.length; i++) runs.add(answer.slice(i, i + LEAK_CHARS));
  for (let i = 0; i + LEAK_CHARS <= prompt.length; i++) {
    const run = prompt.slice(i, i + LEAK_CHARS);
    if (runs.has(run) && !lesson.includes(run)) return true;
  }
  return false;
}

/**
 * Every URL a text points to or shows, normalized for comparison (lower case, no
 * trailing slash): destinations with a scheme or starting `//` (relative links and
 * anchors stay out: they cannot leave the site), explicit bare URLs that renderers
 * linkify, and URLs written anywhere, code included.
 */
function linkTargets(markdown: string): string[] {
  const targets: string[] = [];
  const visit = (tokens: Token[]) => {
    tokens.forEach((token, i) => {
      const attr = token.type === 'link_open' ? 'href' : token.type === 'image' ? 'src' : null;
      const url = attr === null ? null : String(token.attrGet(attr) ?? '');
      // markdown-it also linkifies bare domains (`notes.md`); only links written with a scheme count.
      const written = token.markup !== 'linkify' || /^([a-z][a-z0-9+.-]*:|www\.)/i.test(tokens[i + 1]?.content ?? '');
      if (url !== null && written && (urlScheme(url) !== null || url.startsWith('//'))) targets.push(url);
      visit(token.children ?? []);
    });
  };
  visit(permissiveMarkdown({ html: false }).parse(markdown, {}));
  for (const match of markdown.matchAll(BARE_URL)) targets.push(match[0].replace(/[.,;:!?)\]}*_~'"]+$/, ''));
  return targets.map((url) => url.toLowerCase().replace(/\/+$/, ''));
}

function isExampleUrl(url: string): boolean {
  try {
    const { protocol, hostname } = new URL(url.startsWith('www.') ? `http://${url}` : url.startsWith('//') ? `http:${url}` : url);
    return (protocol === 'http:' || protocol === 'https:') && EXAMPLE_HOST.test(hostname);
  } catch {
    return false;
  }
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
