import { fnv1a } from '../../platform/embedder';

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

const MARK_OPEN = '\uE000';
const MARK_CLOSE = '\uE001';

/** A snippet with highlight markers becomes plain text plus [start, end) ranges. */
export function parseSnippet(marked: string): { text: string; highlights: [number, number][] } {
  let text = '';
  const highlights: [number, number][] = [];
  let open = -1;
  for (const ch of marked) {
    if (ch === MARK_OPEN) open = text.length;
    else if (ch === MARK_CLOSE) {
      if (open >= 0) highlights.push([open, text.length]);
      open = -1;
    } else text += ch;
  }
  return { text, highlights };
}

/** A snippet without `prefix` (and the blank space after it) when it starts with it; highlights follow. */
export function dropLeadingText(
  snippet: { text: string; highlights: [number, number][] },
  prefix: string,
): { text: string; highlights: [number, number][] } {
  if (!prefix || !snippet.text.startsWith(prefix)) return snippet;
  const cut = prefix.length + (/^\s*/.exec(snippet.text.slice(prefix.length))?.[0].length ?? 0);
  return {
    text: snippet.text.slice(cut),
    highlights: snippet.highlights.filter(([start]) => start >= cut).map(([start, end]) => [start - cut, end - cut]),
  };
}

/**
 * A snippet for a chunk found by meaning only: the window of `width` characters
 * with most query words, those words highlighted.
 */
export function windowSnippet(chunkText: string, query: string, width = 220): { text: string; highlights: [number, number][] } {
  const body = chunkText.replace(/\s+/g, ' ').trim();
  const words = new Set(query.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? []);
  const hits = [...body.matchAll(/[\p{L}\p{N}_]+/gu)].filter((m) => words.has(m[0].toLowerCase()));
  let start = 0;
  let best = -1;
  for (const hit of hits) {
    const from = Math.max(0, (hit.index ?? 0) - 40);
    const count = hits.filter((h) => (h.index ?? 0) >= from && (h.index ?? 0) < from + width).length;
    if (count > best) {
      best = count;
      start = from;
    }
  }
  const text = (start > 0 ? '…' : '') + body.slice(start, start + width) + (start + width < body.length ? '…' : '');
  const offset = start > 0 ? 1 - start : 0;
  const highlights = hits
    .filter((h) => (h.index ?? 0) >= start && (h.index ?? 0) + h[0].length <= start + width)
    .map((h): [number, number] => [(h.index ?? 0) + offset, (h.index ?? 0) + offset + h[0].length]);
  return { text, highlights };
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
