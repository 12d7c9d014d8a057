import { describe, expect, it } from 'vitest';
import { editDistance, hasTerms, queryTerms, supports, tokenize, typoReach, vectorFloor } from './search.relevance';

describe('search relevance', () => {
  it.each([
    ['null', ['null'], []],
    ['How do I sort rows descending?', ['sort', 'row', 'descend'], []],
    ['no such lesson', [], ['NO', 'SUCH', 'LESSON']],
    ['NOT IN', [], ['NOT', 'IN']],
    ['customer_id', ['custom', 'id'], []],
    ['a 2 ?!', [], []],
    ['Café crème', ['cafe', 'creme'], []],
    // Function words compared, in any case, are keywords compared; English ones are not.
    ['where vs having', ['vs'], ['WHERE', 'HAVING']],
    ['difference between where and having clauses', ['differ', 'between', 'claus'], ['WHERE', 'HAVING']],
    ['when to use having instead of where', ['us', 'instead'], ['HAVING', 'WHERE']],
    ['this vs that', ['vs'], []],
    ['where do I find the lesson on having', ['find'], []],
  ])('reads the terms of %j', (query, stems, keywords) => {
    const terms = queryTerms(query);
    expect([...terms.stems]).toEqual(stems);
    expect(terms.keywords).toEqual(keywords);
  });

  it('has nothing to search by for a query of single characters', () => {
    expect(hasTerms(queryTerms('a 2 ?!'))).toBe(false);
    expect(hasTerms(queryTerms('the'))).toBe(true);
  });

  it.each([
    ['sorting rows', 'ORDER BY sorts the result.', true],
    ['sorting rows', 'A join matches keys.', false],
    ['no such lesson', 'There is no such table in this lesson.', false],
    ['not in', 'WHERE country NOT IN (1, 2)', true],
    ['not in', 'It is not in the list.', false],
    ['xyzzyqq', 'Anything at all.', false],
  ])('decides whether %j supports %j: %s', (query, text, expected) => {
    expect(supports(queryTerms(query), text)).toBe(expected);
  });

  it('gives each word of a text with its offset, folded for matching', () => {
    expect(tokenize('Élan, _x_ 3.5')).toEqual([
      { word: 'elan', raw: 'Élan', index: 0 },
      { word: 'x', raw: 'x', index: 7 },
      { word: '3', raw: '3', index: 10 },
      { word: '5', raw: '5', index: 12 },
    ]);
  });

  it.each([
    ['hash-v2-384', 0.7],
    ['openai:use-lite-en:512', 0.5],
    ['openai:text-embedding-3-small:1536', Number.POSITIVE_INFINITY],
    ['workers-ai:@cf/baai/bge-base-en-v1.5:768', Number.POSITIVE_INFINITY],
  ])('uses the vector floor measured for %s', (embedder, floor) => {
    expect(vectorFloor(embedder)).toBe(floor);
  });
});

describe('typing slips', () => {
  it('counts a letter left out, added or swapped with its neighbour as one edit, and a replaced letter by how near its key is', () => {
    // Left out, added, swapped: one edit each.
    expect(editDistance('conditon', 'condition', 1)).toBe(1);
    expect(editDistance('runing', 'running', 1)).toBe(1);
    expect(editDistance('wehre', 'where', 1)).toBe(1);
    expect(editDistance('slect', 'select', 1)).toBe(1);
    // A neighbouring key, or one vowel for another: one edit.
    expect(editDistance('sirt', 'sort', 1)).toBe(1);
    expect(editDistance('seperate', 'separate', 1)).toBe(1);
    expect(editDistance('grojp', 'group', 1)).toBe(1);
    // A key far from the one meant: not a slip within one edit ("yolk" is not "york", "cat" is not "cap").
    expect(editDistance('yolk', 'york', 1)).toBe(2);
    expect(editDistance('cat', 'cap', 1)).toBe(2);
    // Within two edits for a long word; stopping past the reach.
    expect(editDistance('trasactions', 'transactions', 2)).toBe(1);
    expect(editDistance('aggregatoin', 'aggregation', 2)).toBe(1);
    expect(editDistance('xyzzyqq', 'queries', 2)).toBe(3);
    expect(typoReach('capit')).toBe(1);
  });
});
