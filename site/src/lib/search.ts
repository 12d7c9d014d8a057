import type { SearchFilters } from './api';

export const SEARCH_PATH = '/search/';
/** The API refuses longer queries; the fields stop typing there. */
export const MAX_QUERY_CHARS = 300;
/** Ids of the header's search box and the search page's own, which "/" prefers. */
export const SITE_SEARCH_ID = 'site-search-query';
export const PAGE_SEARCH_ID = 'search-query';

export const LAYERS = ['L1', 'L2', 'L3'] as const;
export type Layer = (typeof LAYERS)[number];

/** What the search page reads from its address: `?q=…&course=…&part=…&layer=…`. */
export interface SearchParams {
  q: string;
  /** One course of the catalog; null searches every course and the uploaded documents. */
  course: string | null;
  part: string | null;
  layer: Layer | null;
}

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const isLayer = (value: string | null): value is Layer => (LAYERS as readonly (string | null)[]).includes(value);

/**
 * The search of an address's query string. A course or part that is not a slug or an
 * unknown layer is dropped rather than sent, so a mangled link still searches.
 */
export function readSearchParams(search: string): SearchParams {
  const params = new URLSearchParams(search);
  const course = params.get('course');
  const part = params.get('part');
  const layer = params.get('layer');
  return {
    q: (params.get('q') ?? '').trim(),
    course: course && SLUG.test(course) ? course : null,
    part: part && SLUG.test(part) ? part : null,
    layer: isLayer(layer) ? layer : null,
  };
}

/** The search page's address for a search (what the header form submits, plus filters). */
export function searchHref({ q, course, part, layer }: SearchParams): string {
  const params = new URLSearchParams();
  if (q.trim()) params.set('q', q.trim());
  if (course) params.set('course', course);
  if (part) params.set('part', part);
  if (layer) params.set('layer', layer);
  const query = params.toString();
  return query ? `${SEARCH_PATH}?${query}` : SEARCH_PATH;
}

/** The API filters of a search; empty when none is set. */
export function searchFilters({ course, part, layer }: SearchParams): SearchFilters {
  return { ...(course ? { course } : {}), ...(part ? { part } : {}), ...(layer ? { layer } : {}) };
}

/** "No results for “q”", "1 result for “q”", "7 results for “q”". */
export function resultsHeading(count: number, q: string): string {
  if (count === 0) return `No results for “${q}”`;
  return `${count} ${count === 1 ? 'result' : 'results'} for “${q}”`;
}

/**
 * What a result says about the other matches it stands for: "1 more matching section in
 * this lesson", "3 more matching passages in this document"; null when there are none.
 */
export function moreMatchesNote(count: number, kind: 'lesson' | 'source'): string | null {
  if (count <= 0) return null;
  const [one, many, where] = kind === 'lesson' ? ['section', 'sections', 'lesson'] : ['passage', 'passages', 'document'];
  return `${count} more matching ${count === 1 ? one : many} in this ${where}`;
}

/**
 * What to tell the reader when the API refused the query itself (a 400 naming
 * `json/query`, e.g. too long); null when the field errors are about something else.
 */
export function refusedQueryMessage(errors: readonly { field: string; message: string }[] | undefined): string | null {
  const refused = errors?.find((e) => e.field === 'json/query');
  return refused ? `The search words ${refused.message}. Change them and search again.` : null;
}

export interface SnippetPart {
  text: string;
  highlighted: boolean;
}

/**
 * Cuts a snippet into plain and highlighted runs by its `[start, end)` ranges.
 * Ranges may come unsorted, overlapping or out of bounds: they are clamped and
 * merged, and empty ones are ignored, so every character appears exactly once.
 */
export function highlightSegments(text: string, highlights: readonly (readonly [number, number])[]): SnippetPart[] {
  const ranges = highlights
    .map(([start, end]): [number, number] => [Math.max(0, Math.min(start, text.length)), Math.max(0, Math.min(end, text.length))])
    .filter(([start, end]) => end > start)
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [start, end] of ranges) {
    const last = merged.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  const parts: SnippetPart[] = [];
  let at = 0;
  for (const [start, end] of merged) {
    if (start > at) parts.push({ text: text.slice(at, start), highlighted: false });
    parts.push({ text: text.slice(start, end), highlighted: true });
    at = end;
  }
  if (at < text.length) parts.push({ text: text.slice(at), highlighted: false });
  return parts;
}

// Markdown the index keeps in its text: heading markers, code fences with their language, code ticks, bold stars.
const MARKUP = /(^|\n)[ \t]*#{1,6}[ \t]+|`{3,}[\w+-]*|`+|\*\*/g;

/**
 * A snippet as plain prose: markdown markers dropped and runs of white space made one
 * space, with the highlight ranges moved to the same characters of the new text.
 */
export function plainSnippet(
  text: string,
  highlights: readonly (readonly [number, number])[],
): { text: string; highlights: [number, number][] } {
  const dropped = new Set<number>();
  for (const match of text.matchAll(MARKUP)) {
    const lead = match[1]?.length ?? 0;
    for (let i = match.index + lead; i < match.index + match[0].length; i++) dropped.add(i);
  }
  let plain = '';
  // Where each position of the original text lands in the plain one (one past the end included).
  const moved: number[] = [];
  for (let i = 0; i < text.length; i++) {
    moved.push(plain.length);
    const char = text.charAt(i);
    if (dropped.has(i)) continue;
    if (/\s/.test(char)) {
      if (plain !== '' && !plain.endsWith(' ')) plain += ' ';
    } else {
      plain += char;
    }
  }
  moved.push(plain.length);
  const trimmed = plain.trimEnd();
  const at = (i: number) => Math.min(moved[Math.max(0, Math.min(i, text.length))] ?? 0, trimmed.length);
  return { text: trimmed, highlights: highlights.map(([start, end]): [number, number] => [at(start), at(end)]) };
}

/** Whether a key press lands where it types text (or picks an option), so "/" belongs to it. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof Element)) return false;
  if (target instanceof HTMLElement && target.isContentEditable) return true;
  return target.closest('input, textarea, select, [contenteditable]:not([contenteditable="false"])') !== null;
}

/**
 * The "/" shortcut: outside a field, focuses the search page's box (else the
 * header's) and selects its text. Returns whether it took the key.
 */
export function focusSearchOnSlash(event: KeyboardEvent, doc: Document = document): boolean {
  if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey || event.isComposing || event.defaultPrevented) {
    return false;
  }
  if (isTypingTarget(event.target)) return false;
  const field = doc.getElementById(PAGE_SEARCH_ID) ?? doc.getElementById(SITE_SEARCH_ID);
  if (!(field instanceof HTMLInputElement)) return false;
  event.preventDefault();
  field.focus();
  field.select();
  return true;
}
