import { stemmer } from 'stemmer';
import { fnv1a } from '../../platform/embedder';
import { queryTerms, tokenize, type Token } from './search.relevance';

/** Reciprocal rank fusion constant (Cormack et al. 2009): damps the weight of top ranks. */
export const RRF_K = 60;
export const MAX_QUERY_CHARS = 300;

/**
 * The words a query searches by: lower case, deduplicated, at most 32. No stop-word
 * list: words too common in this corpus to rank by are dropped by their document
 * frequency (`dropCommonWords`), and question words such as "why" or "without"
 * that a fixed list would drop often carry the meaning of a paraphrased question.
 */
export function queryWords(text: string): string[] {
  return [...new Set(text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [])].slice(0, 32);
}

/**
 * An FTS5 query from a query's words: each quoted (so FTS5 syntax in the input is
 * inert) and joined with OR, letting BM25 rank by how many words match. Null when
 * there is no word at all.
 */
export function toFtsQuery(words: string[]): string | null {
  return words.length === 0 ? null : words.map((w) => `"${w}"`).join(' OR ');
}

/**
 * Drops the words that occur in more than half of all chunks. FTS5's BM25 clamps
 * such a term's IDF to ~0, so it changes no ranking, while matching it scans most
 * of the index (a common word in a large course). If every word is that common,
 * the rarest stays, so the query still matches. A word whose stem the index does
 * not know stays too: it is absent or stemmed differently, never wrongly dropped.
 */
export function dropCommonWords(
  words: string[],
  stemOf: (word: string) => string,
  frequencies: { chunks: number; documents: ReadonlyMap<string, number> },
): string[] {
  const df = (w: string) => frequencies.documents.get(stemOf(w));
  const common = (w: string) => (df(w) ?? 0) * 2 > frequencies.chunks;
  const kept = words.filter((w) => !common(w));
  if (kept.length > 0 || words.length === 0) return kept;
  const rarest = words.reduce((best, w) => ((df(w) ?? 0) < (df(best) ?? 0) ? w : best));
  return [rarest];
}

/** Fuses ranked id lists: each list adds 1 / (k + rank) for every id it holds. */
export function reciprocalRankFusion(
  lists: Record<string, readonly string[]>,
  k = RRF_K,
): { id: string; score: number; via: string[] }[] {
  const fused = new Map<string, { score: number; via: string[] }>();
  for (const [name, ids] of Object.entries(lists)) {
    ids.forEach((id, rank) => {
      const entry = fused.get(id) ?? { score: 0, via: [] };
      entry.score += 1 / (k + rank + 1);
      entry.via.push(name);
      fused.set(id, entry);
    });
  }
  return [...fused.entries()].map(([id, v]) => ({ id, ...v })).sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
}

/**
 * One entry per lesson or source, shown by its best chunk (ranked lists hold their best
 * first), with how many more of its chunks the list held. With the ranked lists the
 * candidates came from (`lists`, chunk ids best first), items are ordered by reciprocal
 * rank fusion of each item's best rank in each list: a lesson found by its title in one
 * list and by a section of its body in another adds both, where fusing chunks would have
 * split that evidence between two of its chunks and let another lesson's one chunk that
 * both lists hold outrank it. Without lists, in order of their best chunk.
 */
export function groupByItem<T extends { id: string; itemKind: string; itemId: string }>(
  ranked: readonly T[],
  lists?: Record<string, readonly string[]>,
): { best: T; more: number; score?: number }[] {
  const keyOf = (entry: T) => `${entry.itemKind}:${entry.itemId}`;
  const groups = new Map<string, { best: T; more: number; score?: number }>();
  for (const entry of ranked) {
    const group = groups.get(keyOf(entry));
    if (group) group.more += 1;
    else groups.set(keyOf(entry), { best: entry, more: 0 });
  }
  if (!lists) return [...groups.values()];
  const items = new Map(ranked.map((entry) => [entry.id, keyOf(entry)]));
  const itemLists = Object.fromEntries(
    Object.entries(lists).map(([name, ids]) => [
      name,
      [...new Set(ids.flatMap((id) => (items.has(id) ? [items.get(id) ?? ''] : [])))],
    ]),
  );
  const order = [...groups.keys()];
  const fused = new Map(reciprocalRankFusion(itemLists).map((f) => [f.id, f.score]));
  return order
    .map((key, position) => ({ key, position, score: fused.get(key) ?? 0 }))
    .sort((a, b) => b.score - a.score || a.position - b.position)
    .flatMap(({ key, score }) => {
      const group = groups.get(key);
      return group ? [{ ...group, score }] : [];
    });
}

/** Snippet text with `[start, end)` ranges of the query words it shows. */
export interface Snippet {
  text: string;
  highlights: [number, number][];
}

/** Plain text made ready for snippets of any query: whitespace collapsed, its words with their stems. */
export interface SnippetSource {
  body: string;
  words: readonly (Token & { stem: string })[];
}

export function snippetSource(text: string, stemOf: (word: string) => string = stemmer): SnippetSource {
  const body = text.replace(/\s+/g, ' ').trim();
  return { body, words: tokenize(body).map((t) => ({ ...t, stem: stemOf(t.word) })) };
}

/**
 * A snippet of `width` characters from plain text (`chunkProse`, or its `snippetSource`):
 * the window with most of the query's words (by stem, as the search matched them),
 * opening at the start of its sentence when that is near and cut at word boundaries,
 * those words highlighted. Without any, the text's start.
 */
export function windowSnippet(
  text: string | SnippetSource,
  query: string,
  { width = 220, stemOf = stemmer }: { width?: number; stemOf?: (word: string) => string } = {},
): Snippet {
  const { body, words } = typeof text === 'string' ? snippetSource(text, stemOf) : text;
  const terms = queryTerms(query, stemOf);
  const hits = words.filter((t) => terms.stems.has(t.stem) || terms.keywords.includes(t.raw));
  let start = 0;
  let best = 0;
  for (const hit of hits) {
    const from = windowStart(body, hit.index);
    const count = hits.filter((h) => h.index >= from && h.index + h.raw.length <= from + width).length;
    if (count > best) {
      best = count;
      start = from;
    }
  }
  let end = Math.min(body.length, start + width);
  if (end < body.length) {
    const space = body.lastIndexOf(' ', end);
    if (space > start + width / 2) end = space;
  }
  const lead = start > 0 ? '…' : '';
  const offset = lead.length - start;
  return {
    text: lead + body.slice(start, end) + (end < body.length ? '…' : ''),
    highlights: hits
      .filter((h) => h.index >= start && h.index + h.raw.length <= end)
      .map((h): [number, number] => [h.index + offset, h.index + h.raw.length + offset]),
  };
}

/** Where a window showing the word at `at` opens: its sentence's start if near, else a word a little before. */
function windowStart(body: string, at: number): number {
  const reach = 60;
  if (at <= reach) return 0;
  const sentence = /^[\s\S]*[.!?:·]\s/.exec(body.slice(at - reach, at));
  if (sentence) return at - reach + sentence[0].length;
  const space = body.lastIndexOf(' ', at - reach / 2);
  return space < 0 ? 0 : space + 1;
}

// A fence line opens or closes a code block; a closing one never carries an info string.
const FENCE = /^\s*(`{3,}|~{3,})\s*([^`\s]*)/;
const HEADING = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/;
const TABLE_RULE = /^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$/;
const TABLE_ROW = /^\s*\|(.*)\|\s*$/;
const THEMATIC_BREAK = /^\s{0,3}(?:([-*_=])\s*){3,}$/;
const LIST_ITEM = /^\s*(?:[-*+]|\d{1,3}[.)])\s+/;
const QUOTE = /^\s*(?:>\s?)+/;

/**
 * A chunk's text as a reader's prose, for its snippet: the heading path line and
 * headings it already shows left out, code blocks dropped (a chunk of code alone keeps
 * its code), table rules, list and quote markers, emphasis, code ticks and link targets
 * removed; blocks are joined by a space after a sentence's end and by " · " otherwise,
 * table cells by ", ".
 */
export function chunkProse(chunkText: string, headingPath: readonly string[]): string {
  const pathLine = headingPath.join(' > ');
  const text = pathLine && chunkText.startsWith(pathLine) ? chunkText.slice(pathLine.length) : chunkText;
  const lines = text.split(/\r?\n/);
  const shownHeadings = new Set(headingPath.map((h) => h.trim().toLowerCase()));
  const blocks: string[] = [];
  /** Blocks that are a table's rows: data, never read on from the sentence before or into the one after. */
  const tableRows = new Set<number>();
  const code: string[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length > 0) blocks.push(paragraph.join(' '));
    paragraph = [];
  };
  // A chunk may open with the tail of the previous one's code block (its overlap): then the
  // first fence line closes a block, and the lines before it are code.
  const fences = lines.filter((l) => FENCE.test(l));
  let fence: string | null = fences.length % 2 === 1 && !FENCE.exec(fences[0] ?? '')?.[2] ? '' : null;
  for (const line of lines) {
    const fenceLine = FENCE.exec(line);
    if (fence !== null) {
      if (fenceLine && (fence === '' || fenceLine[1]?.startsWith(fence))) fence = null;
      else code.push(line.trim());
      continue;
    }
    if (fenceLine) {
      flush();
      fence = fenceLine[1] ?? '```';
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      flush();
      const title = inlineProse(heading[1] ?? '');
      if (!shownHeadings.has(title.toLowerCase())) blocks.push(title);
      continue;
    }
    if (line.trim() === '' || TABLE_RULE.test(line) || THEMATIC_BREAK.test(line)) {
      flush();
      continue;
    }
    const row = TABLE_ROW.exec(line);
    if (row) {
      flush();
      tableRows.add(blocks.push((row[1] ?? '').split('|').map(inlineProse).filter(Boolean).join(', ')) - 1);
      continue;
    }
    const unquoted = line.replace(QUOTE, '');
    if (LIST_ITEM.test(unquoted)) flush();
    paragraph.push(inlineProse(unquoted.replace(LIST_ITEM, '')));
  }
  flush();
  const prose = blocks
    .flatMap((text, i) => (text === '' ? [] : [{ text, row: tableRows.has(i) }]))
    .reduce(
      (joined, block) => {
        if (joined.text === '') return block;
        const flows = !block.row && !joined.row && /[.!?:;…)]$/.test(joined.text);
        return { text: `${joined.text}${flows ? ' ' : ' · '}${block.text}`, row: block.row };
      },
      { text: '', row: false },
    ).text;
  return prose || code.join(' ').replace(/\s+/g, ' ').trim();
}

/**
 * One line of markdown as plain text: code spans keep their text (a statement's closing
 * semicolon goes when punctuation follows), emphasis markers, link targets, images'
 * sources and HTML tags go. Emphasis inside code stays (`COUNT(*)`).
 */
function inlineProse(line: string): string {
  let out = '';
  let at = 0;
  for (const span of line.matchAll(/(`+)([\s\S]*?[^`])\1(?!`)/g)) {
    out += plainMarkup(line.slice(at, span.index));
    at = span.index + span[0].length;
    const content = (span[2] ?? '').trim();
    out += /^[.,;:!?]/.test(line.slice(at)) ? content.replace(/;$/, '') : content;
  }
  out += plainMarkup(line.slice(at));
  return out.replace(/\s+/g, ' ').trim();
}

function plainMarkup(text: string): string {
  return text
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/<\/?[a-z][^>]*>/gi, '')
    .replace(/\*\*|__/g, '')
    .replace(/(^|[\s(])[*_](?=[\p{L}\p{N}])/gu, '$1')
    .replace(/(?<=[\p{L}\p{N}.?!])[*_](?=$|[\s.,;:!?)])/gu, '')
    .replace(/\\([\\`*_{}[\]()#+\-.!|])/g, '$1');
}

/**
 * What a chunk contributes to its embedding: its prose and headings, without code
 * blocks and markdown punctuation, which sentence encoders read as noise. Code
 * stays searchable through BM25, which indexes the whole chunk.
 */
export function embeddingText(chunkText: string, maxChars = 1000): string {
  return chunkText
    .replace(/```[\s\S]*?(```|$)/g, ' ')
    .replace(/[#>*_`|[\]()-]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, maxChars);
}

/** Longest item id kept readable inside a chunk id. */
const READABLE_ID_CHARS = 32;

/**
 * A chunk's id: kind, item, content version and position. Vectorize ids are at most
 * 64 bytes, so an item id longer than 32 characters is shortened and made unique
 * again with a hash of the whole id: `l:<item>:<hash16>:<index>` stays within 64.
 */
export function chunkId(kind: 'lesson' | 'source', itemId: string, contentHash: string, index: number): string {
  const item =
    itemId.length <= READABLE_ID_CHARS
      ? itemId
      : `${itemId.slice(0, READABLE_ID_CHARS - 9)}~${fnv1a(itemId).toString(16).padStart(8, '0')}`;
  return `${kind === 'lesson' ? 'l' : 's'}:${item}:${contentHash.slice(0, 16)}:${index}`;
}
