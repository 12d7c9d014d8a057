import type { MarkdownIt, Token } from 'markdown-it';
import { createMarkdown } from '../content/content.markdown';

/** Link schemes a reader may follow; a destination without a scheme (relative, anchor) is always kept. */
const SAFE_SCHEMES = new Set(['http', 'https', 'mailto']);
/** What follows `<` when it opens a tag, a closing tag, a comment, a declaration or a processing instruction. */
const TAG_START = /[A-Za-z/!?]/;
/** A CommonMark autolink (URI or e-mail) where the scan stands, as markdown-it reads them; group 1 is the scheme. */
const AUTOLINK =
  /<(?:([a-zA-Z][a-zA-Z0-9+.-]{1,31}):[^<> \p{Cc}]*|[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*)>/uy;
/** Line ends as markdown-it counts them (it normalizes \r\n and \r to \n before numbering lines). */
const NEWLINE = /(\r\n?|\n)/;

type Range = [start: number, end: number];

/**
 * The scheme of a link destination (lower case), or null when it has none (relative
 * links, anchors). Whatever precedes the first `:` before any `/?#` counts, spaces,
 * control characters and percent escapes included, so an obfuscated scheme is never
 * taken for a relative link. Expects entities decoded, as markdown-it gives them.
 */
export function urlScheme(url: string): string | null {
  const scheme = /^([^/?#]*?):/.exec(url)?.[1];
  return scheme === undefined ? null : scheme.toLowerCase();
}

/** True for destinations a reader may follow: relative ones, http, https and mailto. */
export function isSafeUrl(url: string): boolean {
  const scheme = urlScheme(url);
  return scheme === null || SAFE_SCHEMES.has(scheme);
}

/** The platform's dialect, but every destination becomes a link, so none can hide from a check. */
export function permissiveMarkdown(options: { html: boolean }): MarkdownIt {
  const md = createMarkdown().set({ html: options.html });
  md.validateLink = () => true;
  return md;
}

/**
 * Lesson markdown that is safe in any CommonMark renderer, raw HTML on or off. Outside
 * code, every `<` that could open a tag, comment or declaration becomes `&lt;` (shown
 * as the same `<` our own renderer shows, as it never renders raw HTML); autolinks stay
 * only with a safe scheme; other link and image destinations with a scheme become `#`;
 * `<...>` destinations lose their brackets. Code blocks are kept byte for byte, and
 * inline code spans too.
 *
 * The result is parsed again with raw HTML on. Should it still hold HTML or an unsafe
 * link (markdown that reads differently from what the scan assumed), the pass is
 * redone without sparing inline code; as a last resort every `<` and `[` is escaped.
 */
export function sanitizeLessonMarkdown(markdown: string): string {
  for (const spareInlineCode of [true, false]) {
    const cleaned = neutralize(markdown, spareInlineCode);
    if (cleaned !== null && unsafeConstructs(cleaned).length === 0) return cleaned;
  }
  return markdown.replace(/</g, '&lt;').replace(/\[/g, '&#91;');
}

/**
 * What an HTML-enabled CommonMark renderer (markdown-it, raw HTML on) would execute or
 * follow in `markdown`: each raw HTML token and each link or image with an unsafe
 * destination, described in a few words. Empty for sanitized text.
 */
export function unsafeConstructs(markdown: string): string[] {
  const found: string[] = [];
  const visit = (tokens: Token[]) => {
    for (const token of tokens) {
      if (token.type === 'html_block' || token.type === 'html_inline') found.push(`html: ${token.content.trim()}`);
      const attr = token.type === 'link_open' ? 'href' : token.type === 'image' ? 'src' : null;
      const url = attr === null ? '' : String(token.attrGet(attr) ?? '');
      // Bare URLs are only ever linkified as http(s), ftp or mailto.
      if (attr !== null && token.markup !== 'linkify' && !isSafeUrl(url)) found.push(`${token.type}: ${url}`);
      visit(token.children ?? []);
    }
  };
  visit(permissiveMarkdown({ html: true }).parse(markdown, {}));
  return found;
}

/** One pass over the text outside code; null if it would change the number of lines (it never should). */
function neutralize(markdown: string, spareInlineCode: boolean): string | null {
  const md = permissiveMarkdown({ html: false });
  const parts = markdown.split(NEWLINE);
  const lines = parts.filter((_, i) => i % 2 === 0);
  const text = lines.join('\n');
  const lineStarts: number[] = [];
  let offset = 0;
  for (const line of lines) {
    lineStarts.push(offset);
    offset += line.length + 1;
  }
  const start = (line: number) => lineStarts[line] ?? text.length;

  const spared: Range[] = [];
  const scanned = new Set<string>();
  let blockMap: [number, number] | null = null;
  for (const token of md.parse(markdown, {})) {
    // Table cells carry no line map; their row does.
    if (token.map) blockMap = token.map;
    if ((token.type === 'fence' || token.type === 'code_block') && token.map) {
      spared.push([start(token.map[0]), start(token.map[1])]);
    } else if (token.type === 'inline' && spareInlineCode && blockMap && !scanned.has(String(blockMap))) {
      scanned.add(String(blockMap));
      const from = start(blockMap[0]);
      const block = text.slice(from, start(blockMap[1]));
      for (const [a, b] of codeSpans(block)) spared.push([from + a, from + b]);
    }
  }
  spared.sort((a, b) => a[0] - b[0]);

  const rewritten = rewrite(text, spared, md).split('\n');
  if (rewritten.length !== lines.length) return null;
  return parts.map((part, i) => (i % 2 === 0 ? (rewritten[i / 2] ?? '') : part)).join('');
}

/** The edits: a left-to-right scan that copies the `spared` ranges (sorted) untouched. */
function rewrite(text: string, spared: Range[], md: MarkdownIt): string {
  let out = '';
  let next = 0;
  let i = 0;
  while (i < text.length) {
    const range = spared[next];
    if (range && i >= range[0]) {
      if (i < range[1]) {
        out += text.slice(i, range[1]);
        i = range[1];
      }
      next++;
      continue;
    }
    const ch = text.charAt(i);
    if (ch === '\\') {
      out += text.slice(i, i + 2);
      i += 2;
    } else if (ch === '<') {
      const autolink = autolinkAt(text, i);
      if (autolink && isSafeUrl(autolink.scheme === null ? 'mailto:' : `${autolink.scheme}:`)) {
        out += autolink.text;
        i += autolink.text.length;
      } else {
        out += TAG_START.test(text.charAt(i + 1)) ? '&lt;' : '<';
        i++;
      }
    } else if (ch === ']' && (text.charAt(i + 1) === '(' || text.charAt(i + 1) === ':')) {
      // `](` opens an inline destination and `]:` a reference definition's; either may start on the next line.
      let pos = i + 2;
      while (/[ \t\n]/.test(text.charAt(pos))) {
        if (text.charAt(pos++) === '\n') while (/[ \t>]/.test(text.charAt(pos))) pos++;
      }
      out += text.slice(i, pos);
      i = pos;
      const destination = isSpared(spared, pos) ? null : md.helpers.parseLinkDestination(text, pos, text.length);
      if (!destination?.ok) continue;
      if (!isSafeUrl(destination.str)) {
        out += '#';
        i = destination.pos;
      } else if (text.charAt(pos) === '<') {
        out += bareDestination(destination.str);
        i = destination.pos;
      }
      // A safe bare destination is scanned as text: an escaped `<` in it decodes to the same URL.
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

/** Binary search: `spared` is sorted by start and its ranges do not overlap. */
function isSpared(spared: Range[], pos: number): boolean {
  let low = 0;
  let high = spared.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const [from, to] = spared[mid] ?? [0, 0];
    if (pos < from) high = mid - 1;
    else if (pos >= to) low = mid + 1;
    else return true;
  }
  return false;
}

function autolinkAt(text: string, pos: number): { text: string; scheme: string | null } | null {
  AUTOLINK.lastIndex = pos;
  const match = AUTOLINK.exec(text);
  return match ? { text: match[0], scheme: match[1] ?? null } : null;
}

/** A decoded destination written without `<...>`: what a bare destination cannot hold is escaped. */
function bareDestination(url: string): string {
  const percent = (c: string) => (c === '(' ? '%28' : c === ')' ? '%29' : encodeURIComponent(c));
  return url.replace(/&/g, '&amp;').replace(/[\p{Cc} <>()\\]/gu, percent);
}

/**
 * Offsets [start, end) of the code spans in one block's text, by CommonMark's rules:
 * a backtick run opens a span that the next run of the same length closes; an
 * escaped backtick opens nothing; an autolink that starts first wins.
 */
function codeSpans(text: string): Range[] {
  const spans: Range[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (ch === '\\') i += 2;
    else if (ch === '<') i += autolinkAt(text, i)?.text.length ?? 1;
    else if (ch !== '`') i++;
    else {
      const openEnd = runEnd(text, i);
      const length = openEnd - i;
      let close = text.indexOf('`', openEnd);
      while (close !== -1 && runEnd(text, close) - close !== length) close = text.indexOf('`', runEnd(text, close));
      if (close === -1) i = openEnd;
      else {
        spans.push([i, close + length]);
        i = close + length;
      }
    }
  }
  return spans;
}

function runEnd(text: string, start: number): number {
  let end = start;
  while (text.charAt(end) === '`') end++;
  return end;
}
