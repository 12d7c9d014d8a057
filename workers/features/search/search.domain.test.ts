import { describe, expect, it } from 'vitest';
import {
  chunkId,
  chunkProse,
  dropCommonWords,
  embeddingText,
  groupByItem,
  queryWords,
  reciprocalRankFusion,
  snippetSource,
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

  it('keeps the first entry of each item in order and counts the rest', () => {
    const entry = (itemKind: string, itemId: string, id: string) => ({ itemKind, itemId, id });
    const grouped = groupByItem([
      entry('lesson', 'a', '1'),
      entry('lesson', 'b', '2'),
      entry('lesson', 'a', '3'),
      entry('source', 'a', '4'),
      entry('lesson', 'a', '5'),
    ]);
    expect(grouped.map((g) => [g.best.id, g.more])).toEqual([
      ['1', 2],
      ['2', 0],
      ['4', 0],
    ]);
  });

  it('ranks items by fusing their best rank in each list, so evidence split across two chunks of one lesson adds up', () => {
    const entry = (itemId: string, id: string) => ({ itemKind: 'lesson', itemId, id });
    // Lesson "joins" is first by its title (chunk j0) and first by a section (j2); lesson "self" has one
    // chunk second in both lists. Fused per chunk, s1 (two votes) beats j0 and j2 (one each).
    const lists = { lesson: ['j0', 's1'], lexical: ['j2', 's1', 'x1'] };
    const chunks = [entry('self', 's1'), entry('joins', 'j0'), entry('joins', 'j2'), entry('other', 'x1')];
    expect(groupByItem(chunks).map((g) => g.best.itemId)).toEqual(['self', 'joins', 'other']);
    const fused = groupByItem(chunks, lists);
    expect(fused.map((g) => [g.best.id, g.more])).toEqual([
      ['j0', 1],
      ['s1', 0],
      ['x1', 0],
    ]);
    expect(fused[0]?.score).toBeCloseTo(2 / 61, 10);
    expect(fused[1]?.score).toBeCloseTo(2 / 62, 10);
    // A chunk left out as unsupported gives its item nothing.
    expect(groupByItem([entry('self', 's1')], lists).map((g) => g.best.id)).toEqual(['s1']);
  });

  it('fuses rankings so an id ranked well in both lists beats one ranked first in only one', () => {
    const fused = reciprocalRankFusion({ lexical: ['a', 'b', 'c'], vector: ['b', 'd', 'a'] });
    expect(fused.map((f) => f.id)).toEqual(['b', 'a', 'd', 'c']);
    expect(fused[0]).toMatchObject({ via: ['lexical', 'vector'] });
    expect(fused[0]?.score).toBeCloseTo(1 / 62 + 1 / 61);
  });

  it('cuts a window around the query words for meaning-only hits', () => {
    const text = `${'filler '.repeat(80)}the window function ranks rows ${'tail '.repeat(80)}`;
    const snippet = windowSnippet(text, 'window ranks');
    expect(snippet.text.startsWith('…')).toBe(true);
    const words = snippet.highlights.map(([s, e]) => snippet.text.slice(s, e));
    expect(words).toEqual(['window', 'ranks']);
  });

  it('opens a window at the start of the sentence holding the query words, matching them by stem', () => {
    const text = `${'Filler words here. '.repeat(20)}Sorting puts rows in order. ORDER BY sorts them. ${'Tail words. '.repeat(30)}`;
    const snippet = windowSnippet(text, 'sort', { width: 80 });
    expect(snippet.text).toBe('…Sorting puts rows in order. ORDER BY sorts them. Tail words. Tail words. Tail…');
    expect(snippet.highlights.map(([s, e]) => snippet.text.slice(s, e))).toEqual(['Sorting', 'sorts']);
    expect(windowSnippet('Short text.', 'xyzzyqq')).toEqual({ text: 'Short text.', highlights: [] });
  });

  it('cuts the same snippets for any query from a text read once as from the text', () => {
    const text = `${'Filler words here. '.repeat(20)}Sorting puts rows in order.\n ORDER BY sorts them. NOT IN ${'Tail words. '.repeat(30)}`;
    const source = snippetSource(text);
    for (const query of ['sort', 'not in', 'order rows', 'xyzzyqq', 'tail']) {
      expect(windowSnippet(source, query, { width: 80 })).toEqual(windowSnippet(text, query, { width: 80 }));
    }
  });

  it('highlights the keywords of a query of function words where the text writes them in capitals', () => {
    const snippet = windowSnippet('Keep rows not in the list: x NOT IN (1, 2).', 'not in');
    expect(snippet.highlights.map(([s, e]) => snippet.text.slice(s, e))).toEqual(['NOT', 'IN']);
  });

  it.each([
    [
      'the heading path line and the shown heading',
      'Joins > Anti joins\n\n## Anti joins\n\nAn anti join keeps rows.',
      ['Joins', 'Anti joins'],
      'An anti join keeps rows.',
    ],
    [
      'list markers, joined after a sentence or by a dot',
      '- First item.\n- Second item\n- Third',
      [],
      'First item. Second item · Third',
    ],
    [
      'numbered items and a statement semicolon before a full stop',
      'Try it:\n\n1. Run `SELECT 1;`.\n2. Write a query.',
      [],
      'Try it: Run SELECT 1. Write a query.',
    ],
    ['table rules and borders', '| a | b |\n|---|:--:|\n| 1 | 2 |', [], 'a, b · 1, 2'],
    [
      'emphasis, code ticks, links and images, not operators',
      'Use **bold**, *it*, _x_, `COUNT(*)`, price * 2, [docs](https://x.y) ![chart](c.svg).',
      [],
      'Use bold, it, x, COUNT(*), price * 2, docs chart.',
    ],
    ['code blocks', 'Before:\n\n```sql\nSELECT 1;\n```\n\nAfter.', [], 'Before: After.'],
    ['the code of a chunk that is only code', '```sql\nSELECT a,\n  b FROM t;\n```', [], 'SELECT a, b FROM t;'],
    ['an overlap opening inside the previous chunk’s code block', 'Path\n\nFROM t;\n```\n\nThen prose.', ['Path'], 'Then prose.'],
    ['quotes and other headings', '> Quoted *words*.\n\n### Elsewhere\n\nText.', ['Here'], 'Quoted words. Elsewhere · Text.'],
  ])('turns a chunk into prose without %s', (_case, text, headingPath, prose) => {
    expect(chunkProse(text, headingPath)).toBe(prose);
  });

  it('embeds prose and headings, not code or markdown punctuation', () => {
    expect(embeddingText('Path > Here\n\n## Title\n\nSome *prose*.\n\n```sql\nSELECT 1;\n```\n')).toBe(
      'Path Here Title Some prose .',
    );
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
