import { describe, expect, it } from 'vitest';
import { labelFromText, labelOfId, sentenceCase } from './concepts.labels';

describe('concept labels', () => {
  it('writes a concept as the lesson most often does, in sentence case', () => {
    const lesson = [
      '---',
      'concepts: ["null", like-pattern, select]',
      '---',
      'A missing value is `NULL`. Comparing with `NULL` gives `NULL`; NULL is not zero.',
      'A `LIKE` pattern matches text; LIKE patterns use `%` and `_`.',
      'Every query starts with `SELECT`. You select columns with `SELECT`.',
      '```sql',
      'select * from t where x is null and y is null and z is null;',
      '```',
    ].join('\n');
    expect(labelFromText('null', lesson)).toBe('NULL');
    expect(labelFromText('like-pattern', lesson)).toBe('LIKE pattern');
    // Fenced code does not count: the prose writes SELECT twice and "select" once.
    expect(labelFromText('select', lesson)).toBe('SELECT');
    expect(labelFromText('window-function', lesson)).toBeNull();
  });

  it('capitalises the first letter of prose words, and keeps a tie on the writing with capitals', () => {
    expect(labelFromText('join-condition', 'The join condition decides. Join conditions are ON clauses.')).toBe('Join condition');
    expect(labelFromText('null', 'A null is not `NULL` or `NULL`.')).toBe('NULL');
    // Capitals that belong to a longer keyword run do not count.
    expect(labelFromText('query-plan', 'Run `EXPLAIN QUERY PLAN`: EXPLAIN QUERY PLAN prints the query plan.')).toBe('Query plan');
    // Keywords the lesson only writes apart.
    expect(labelFromText('sum-avg', '`SUM` adds and `AVG` averages; SUM skips NULL.')).toBe('SUM / AVG');
    expect(labelFromText('rows-vs-range', '`ROWS` counts rows, `RANGE` counts values.')).toBeNull();
    expect(labelFromText('b-tree', 'A B-tree index; b-trees are balanced.')).toBe('B-tree');
  });

  it('falls back to the id in sentence case', () => {
    expect(labelOfId('like-pattern')).toBe('Like pattern');
    expect(sentenceCase('select')).toBe('Select');
  });
});
