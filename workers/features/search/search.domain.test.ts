import { describe, expect, it } from 'vitest';
import {
  chunkId,
  dropCommonWords,
  dropLeadingText,
  embeddingText,
  parseSnippet,
  queryWords,
  reciprocalRankFusion,
  toFtsQuery,
  windowSnippet,
} from './search.domain';

describe('search domain', () => {
  it.each([
    ['sort rows', '"sort" OR "rows"'],
    ['rows" OR NEAR(( *', '"rows" OR "or" OR "near"'],
    ['how do I keep the rows', '"how" OR "do" OR "i" OR "keep" OR "the" OR "rows"'],
    ['Rows rows ROWS', '"rows"'],
    ['  ?! ', null],
  ])('turns %j into the FTS5 query %j', (text, expected) => {
    expect(toFtsQuery(queryWords(text))).toBe(expected);
  });

  it('fuses rankings so an id ranked well in both lists beats one ranked first in only one', () => {
    const fused = reciprocalRankFusion({ lexical: ['a', 'b', 'c'], vector: ['b', 'd', 'a'] });
    expect(fused.map((f) => f.id)).toEqual(['b', 'a', 'd', 'c']);
    expect(fused[0]).toMatchObject({ via: ['lexical', 'vector'] });
    expect(fused[0]?.score).toBeCloseTo(1 / 62 + 1 / 61);
  });

  it('turns a marked snippet into text and highlight ranges', () => {
    expect(parseSnippet('keep \uE000rows\uE001 that \uE000match\uE001')).toEqual({
      text: 'keep rows that match',
      highlights: [
        [5, 9],
        [15, 20],
      ],
    });
  });

  it('cuts a window around the query words for meaning-only hits', () => {
    const text = `${'filler '.repeat(80)}the window function ranks rows ${'tail '.repeat(80)}`;
    const snippet = windowSnippet(text, 'window ranks');
    expect(snippet.text.startsWith('…')).toBe(true);
    const words = snippet.highlights.map(([s, e]) => snippet.text.slice(s, e));
    expect(words).toEqual(['window', 'ranks']);
  });

  it('embeds prose and headings, not code or markdown punctuation', () => {
    expect(embeddingText('Path > Here\n\n## Title\n\nSome *prose*.\n\n```sql\nSELECT 1;\n```\n')).toBe(
      'Path Here Title Some prose .',
    );
  });

  it('drops a leading heading path from a snippet, moving its highlights', () => {
    const snippet = parseSnippet('Joins > Anti joins\n\nAn \uE000anti\uE001 join keeps rows');
    expect(dropLeadingText(snippet, 'Joins > Anti joins')).toEqual({ text: 'An anti join keeps rows', highlights: [[3, 7]] });
    expect(dropLeadingText(snippet, 'Other')).toBe(snippet);
    const highlightedPath = parseSnippet('\uE000Joins\uE001 > x\n\nbody');
    expect(dropLeadingText(highlightedPath, 'Joins > x')).toEqual({ text: 'body', highlights: [] });
  });

  it('makes chunk ids of at most 64 bytes that stay distinct for long item ids', () => {
    const hash = 'a'.repeat(64);
    expect(chunkId('lesson', 'filtering-with-where', hash, 3)).toBe(`l:filtering-with-where:${'a'.repeat(16)}:3`);
    const long1 = chunkId('lesson', `${'x'.repeat(100)}-one`, hash, 9999);
    const long2 = chunkId('lesson', `${'x'.repeat(100)}-two`, hash, 9999);
    expect(new TextEncoder().encode(long1).length).toBeLessThanOrEqual(64);
    expect(long1).not.toBe(long2);
    expect(chunkId('source', 'src_abcdefghijklmnop', hash, 0)).toBe(`s:src_abcdefghijklmnop:${'a'.repeat(16)}:0`);
  });

  it('drops words in more than half of the chunks, keeping the rarest when all are that common', () => {
    const stem = (w: string) => w.replace(/s$/, '');
    const frequencies = {
      chunks: 100,
      documents: new Map([
        ['row', 90],
        ['window', 12],
        ['rank', 51],
        ['order', 50],
      ]),
    };
    expect(dropCommonWords(['rows', 'window', 'ranks', 'order'], stem, frequencies)).toEqual(['window', 'order']);
    expect(dropCommonWords(['rows', 'ranks'], stem, frequencies)).toEqual(['ranks']);
    // A stem the index does not know may be stemmed differently there: it stays.
    expect(dropCommonWords(['rows', 'unknownish'], stem, frequencies)).toEqual(['unknownish']);
    expect(dropCommonWords([], stem, frequencies)).toEqual([]);
  });
});
