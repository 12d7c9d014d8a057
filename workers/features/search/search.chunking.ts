import type { Token } from 'markdown-it';
import { createMarkdown } from '../content/content.markdown';

/** One retrievable piece of a document: what gets embedded and indexed, plus where it came from. */
export interface Chunk {
  /** 0-based order in the document */
  index: number;
  /** text of the chunk as plain-ish markdown (what gets embedded and indexed) */
  text: string;
  /** heading titles from the document root to this chunk, e.g. ['Comparison operators', 'NULL in filters'] */
  headingPath: string[];
  /** anchor id of the nearest heading (same ids the site renders), '' before the first heading */
  anchor: string;
  /** character offsets [start, end) of the chunk's own (non-overlap) text in the original markdown */
  start: number;
  end: number;
  /** page number for paged documents (when the input carries page breaks), else null */
  page: number | null;
}

/** Size knobs, in characters. A chunk's own text never exceeds `maxChars`; overlap and path line come on top. */
export interface ChunkOptions {
  targetChars?: number;
  maxChars?: number;
  overlapChars?: number;
}

type Sizes = Required<ChunkOptions>;
type Range = [start: number, end: number];

/** A span no chunk may cross (a heading's section or a page), with the offsets where it may be cut. */
interface Section {
  cuts: number[];
  end: number;
  headingPath: string[];
  anchor: string;
  page: number | null;
}

const DEFAULT_SIZES: Sizes = { targetChars: 1200, maxChars: 2000, overlapChars: 150 };

/**
 * Splits a lesson body into chunks: one section per heading, long sections cut at the block
 * boundary nearest `targetChars`. A fenced code block stays whole unless it alone exceeds
 * `maxChars`. A heading with no body of its own yields no chunk; its title lives on in the
 * `headingPath` of the chunks below it. `page` is always null.
 */
export function chunkMarkdown(markdown: string, options: ChunkOptions = {}): Chunk[] {
  const sizes = resolveSizes(options);
  // Anchors come from the shared dialect's own heading rule (createAnchorer over every heading,
  // nested ones included), so they are the ids the site renders by construction.
  const tokens = createMarkdown().parse(markdown, {});
  const lineStarts = lineOffsets(markdown);
  const lineAt = (line: number) => lineStarts[line] ?? markdown.length;
  const sections: (Section & { bodyStart: number })[] = [
    { cuts: [0], end: markdown.length, headingPath: [], anchor: '', page: null, bodyStart: 0 },
  ];
  const open: { depth: number; title: string }[] = [];
  tokens.forEach((token, i) => {
    // Only top-level blocks are cut points: a cut inside a list or quote would break its markup.
    if (token.level !== 0 || token.nesting === -1 || !token.map) return;
    const at = lineAt(token.map[0]);
    if (token.type !== 'heading_open') {
      sections.at(-1)?.cuts.push(at);
      return;
    }
    const depth = Number(token.tag.slice(1));
    while ((open.at(-1)?.depth ?? 0) >= depth) open.pop();
    open.push({ depth, title: headingText(tokens[i + 1]) });
    const previous = sections.at(-1);
    if (previous) previous.end = at;
    sections.push({
      cuts: [at],
      end: markdown.length,
      headingPath: open.map((h) => h.title),
      anchor: String(token.attrGet('id') ?? ''),
      page: null,
      bodyStart: lineAt(token.map[1]),
    });
  });
  const withBody = sections.filter((s) => markdown.slice(s.bodyStart, s.end).trim() !== '' || s.headingPath.length === 0);
  return chunkSections(markdown, withBody, sizes);
}

/**
 * Splits extracted plain text (a PDF or transcript) into chunks at blank-line paragraphs.
 * Pages are separated by `pageBreak` (form feed by default) and numbered from 1; a chunk never
 * crosses a page. Text without any page break is unpaged (`page` null).
 */
export function chunkPlainText(text: string, options: ChunkOptions & { pageBreak?: string } = {}): Chunk[] {
  const sizes = resolveSizes(options);
  const pageBreak = options.pageBreak ?? '\f';
  if (pageBreak === '') throw new RangeError('pageBreak must not be empty');
  const paged = text.includes(pageBreak);
  const sections: Section[] = [];
  let pageStart = 0;
  text.split(pageBreak).forEach((pageText, i) => {
    const paragraphStarts = [...pageText.matchAll(/\n[ \t]*\r?\n/g)].map((m) => pageStart + m.index + m[0].length);
    sections.push({
      cuts: [pageStart, ...paragraphStarts],
      end: pageStart + pageText.length,
      headingPath: [],
      anchor: '',
      page: paged ? i + 1 : null,
    });
    pageStart += pageText.length + pageBreak.length;
  });
  return chunkSections(text, sections, sizes);
}

function resolveSizes(options: ChunkOptions): Sizes {
  const sizes = { ...DEFAULT_SIZES, ...options };
  const { targetChars, maxChars, overlapChars } = sizes;
  if (!(targetChars > 0 && maxChars >= targetChars && overlapChars >= 0 && overlapChars < targetChars)) {
    throw new RangeError('chunk sizes need 0 < targetChars <= maxChars and 0 <= overlapChars < targetChars');
  }
  return sizes;
}

function chunkSections(source: string, sections: Section[], sizes: Sizes): Chunk[] {
  const chunks: Chunk[] = [];
  for (const section of sections) {
    const bounds = [...section.cuts, section.end];
    const pieces = section.cuts.flatMap((start, i) => fitPiece(source, start, bounds[i + 1] ?? section.end, sizes));
    const groups: Range[] = [];
    for (const [start, end] of pieces) {
      const last = groups.at(-1);
      if (last && joins(last, end, sizes)) last[1] = end;
      else groups.push([start, end]);
    }
    const pathLine = section.headingPath.join(' > ');
    groups.forEach(([start, end], i) => {
      const previous = groups[i - 1];
      const overlap = previous ? overlapTail(source.slice(...previous), sizes.overlapChars) : '';
      const own = source.slice(start, end);
      chunks.push({
        index: chunks.length,
        text: [pathLine, overlap, own].filter((part) => part !== '').join('\n\n'),
        headingPath: section.headingPath,
        anchor: section.anchor,
        start,
        end,
        page: section.page,
      });
    });
  }
  return chunks;
}

/** Grow the chunk while that lands nearer to the target than stopping here, never past maxChars. */
function joins([start, end]: Range, nextEnd: number, { targetChars, maxChars }: Sizes): boolean {
  const grown = nextEnd - start;
  return grown <= maxChars && (grown <= targetChars || grown - targetChars < targetChars - (end - start));
}

/** One block as pieces no longer than maxChars: whole if it fits, else by lines, else by words. */
function fitPiece(source: string, start: number, end: number, sizes: Sizes): Range[] {
  const whole = trimRange(source, start, end);
  if (!whole) return [];
  if (whole[1] - whole[0] <= sizes.maxChars) return [whole];
  const lines: Range[] = [];
  for (let at = whole[0]; at < whole[1];) {
    const newline = source.indexOf('\n', at);
    const lineEnd = newline === -1 || newline > whole[1] ? whole[1] : newline;
    const line = trimRange(source, at, lineEnd);
    if (line) lines.push(...(line[1] - line[0] <= sizes.maxChars ? [line] : wordWindows(source, line, sizes.targetChars)));
    at = lineEnd + 1;
  }
  return lines;
}

/** Cuts one over-long line at the last whitespace before each `size` mark (hard cut if there is none). */
function wordWindows(source: string, [start, end]: Range, size: number): Range[] {
  const windows: Range[] = [];
  let at = start;
  while (end - at > size) {
    let cut = at + size;
    while (cut > at && !/\s/.test(source.charAt(cut))) cut--;
    if (cut === at) cut = at + size;
    windows.push([at, cut]);
    at = trimRange(source, cut, end)?.[0] ?? end;
  }
  if (at < end) windows.push([at, end]);
  return windows;
}

/** The previous chunk's last `max` characters, starting at a word so no half-word leads the chunk. */
function overlapTail(previous: string, max: number): string {
  if (max === 0) return '';
  if (previous.length <= max) return previous.trim();
  const from = previous.length - max;
  if (/\s/.test(previous.charAt(from - 1))) return previous.slice(from).trim();
  const firstSpace = previous.slice(from).search(/\s/);
  return firstSpace === -1 ? '' : previous.slice(from + firstSpace).trim();
}

function trimRange(source: string, start: number, end: number): Range | null {
  while (start < end && /\s/.test(source.charAt(start))) start++;
  while (end > start && /\s/.test(source.charAt(end - 1))) end--;
  return start < end ? [start, end] : null;
}

/** Start offset of every line, splitting exactly as markdown-it does (CRLF, CR or LF). */
function lineOffsets(source: string): number[] {
  return [0, ...[...source.matchAll(/\r\n?|\n/g)].map((m) => m.index + m[0].length)];
}

/** Heading title as the site's anchorer sees it: text and inline code, emphasis markup dropped. */
function headingText(inline: Token | undefined): string {
  return (inline?.children ?? [])
    .filter((child) => child.type === 'text' || child.type === 'code_inline')
    .map((child) => child.content)
    .join('');
}
