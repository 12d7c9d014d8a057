import { describe, expect, it } from 'vitest';
import { conceptIdOf, extractKeyPhrases, type KeyPhrase } from './concepts.keyphrases';

const FENCE = '```';

const WINDOW_LESSON = `---
title: Window functions
concepts: [window-function]
---

# Window functions

Window functions compute a value for every row from a set of related rows, called the window.
Unlike aggregate functions with GROUP BY, a window function keeps every row in the result.
Analysts reach for window functions when they need running totals, rankings or moving averages
without collapsing the table. PostgreSQL has supported them since 2009, MySQL since version 8.

## Partitions and ordering

The partition splits the rows into groups, and the ordering decides which row comes first inside each
partition. A window function without a partition treats the whole table as one window.

${FENCE}sql
SELECT emp_name, dept_id, salary,
       ROW_NUMBER() OVER (PARTITION BY dept_id ORDER BY salary DESC) AS position
FROM employees;
${FENCE}

The query above numbers the staff of each department, starting at 1 for the highest paid.

## Running totals

A running total adds the current row to all rows before it. The window frame tells the database
which neighbouring rows belong to the calculation; by default the frame ends at the current row.

${FENCE}sql
SELECT hired_at, SUM(salary) OVER (ORDER BY hired_at) AS payroll
FROM employees;
${FENCE}

Running totals are the classic window function exercise: try one with a \`ROWS BETWEEN\` frame, then
read the [PostgreSQL docs](https://www.postgresql.org/docs/current/tutorial-window.html) for more.

## Ranking rows

Ranking functions such as \`RANK\` and \`DENSE_RANK\` assign positions to rows. Ties share a rank, so
top 3 lists can hold more than 3 rows. Remember that a window function runs after the WHERE clause,
so you cannot filter on its result without a subquery.
`;

/** Every word of every label, lower-cased. */
const labelWords = (phrases: KeyPhrase[]): string[] => phrases.flatMap((p) => p.label.toLowerCase().split(/\s+/));

describe('extractKeyPhrases on a lesson', () => {
  const phrases = extractKeyPhrases(WINDOW_LESSON);

  it('ranks the lesson topic among the top three', () => {
    expect(phrases.slice(0, 3).map((p) => p.id)).toContain('window-function');
    expect(phrases.find((p) => p.id === 'window-function')?.label).toBe('Window function');
  });

  it('keeps stop words, verbs and lesson filler out of the phrases', () => {
    const filler = ['the', 'a', 'of', 'is', 'are', 'use', 'can', 'will', 'make', 'example', 'lesson', 'section', 'note'];
    expect(labelWords(phrases).filter((w) => filler.includes(w))).toEqual([]);
  });

  it('takes nothing from code fences, inline code, URLs or front matter', () => {
    const fromCode = ['over', 'select', 'salary', 'employees', 'emp_name', 'dept_id', 'hired_at', 'payroll', 'dense_rank'];
    const fromLinksAndMeta = ['https', 'www', 'postgresql.org', 'tutorial', 'title', 'concepts'];
    expect(labelWords(phrases).filter((w) => [...fromCode, ...fromLinksAndMeta].includes(w))).toEqual([]);
    expect(phrases.map((p) => p.id)).not.toContain('partition-by');
  });

  it('never returns numbers', () => {
    expect(labelWords(phrases).filter((w) => /^\d+$/.test(w))).toEqual([]);
  });

  it('returns at most eight phrases, best first, weights in (0, 1] with three decimals', () => {
    expect(phrases.length).toBeGreaterThan(3);
    expect(phrases.length).toBeLessThanOrEqual(8);
    expect(phrases[0]?.weight).toBe(1);
    for (const [i, p] of phrases.entries()) {
      expect(p.weight).toBeGreaterThan(0);
      expect(p.weight).toBeLessThanOrEqual(phrases[i - 1]?.weight ?? 1);
      expect(Math.round(p.weight * 1000) / 1000).toBe(p.weight);
      expect(p.id).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
    }
  });

  it('gives the same phrases for the same text', () => {
    expect(extractKeyPhrases(WINDOW_LESSON)).toEqual(phrases);
  });
});

describe('extractKeyPhrases scoring', () => {
  const INDEX_TEXT = [
    'A query planner picks a plan for each statement. The query planner reads table statistics first.',
    'Then it compares a sequential scan with an index scan. An index scan reads few pages,',
    'a sequential scan reads all of them, and an index scan wins on selective filters.',
  ].join(' ');

  it('doubles a phrase that names a heading', () => {
    const plain = extractKeyPhrases(INDEX_TEXT);
    const boosted = extractKeyPhrases(INDEX_TEXT, { headings: ['Sequential scans'] });
    const weightOf = (list: KeyPhrase[], id: string) => list.find((p) => p.id === id)?.weight ?? 0;
    const ratio = (list: KeyPhrase[]) => weightOf(list, 'sequential-scan') / weightOf(list, 'index-scan');
    expect(ratio(plain)).toBeLessThan(1);
    expect(ratio(boosted)).toBeCloseTo(2 * ratio(plain), 2);
  });

  it('favours a phrase of the opening over a phrase used as often later', () => {
    const filler = 'It is what it is, and so it will be. '.repeat(6);
    const phrases = extractKeyPhrases(`Hash joins are fast. ${filler} Merge joins are fast.`);
    const hash = phrases.find((p) => p.id === 'hash-join');
    const merge = phrases.find((p) => p.id === 'merge-join');
    expect(hash?.label).toBe('Hash joins');
    expect((hash?.weight ?? 0) / (merge?.weight ?? 1)).toBeCloseTo(1.5, 2);
  });

  it('merges plural and singular forms under one id, labelled with the most frequent form', () => {
    const text =
      'Slow queries hurt. Slow queries time out. A slow query blocks others. Indexes help. Indexes cost. One index each.';
    const phrases = extractKeyPhrases(text);
    expect(phrases.find((p) => p.id === 'slow-query')).toMatchObject({ label: 'Slow queries' });
    expect(phrases.find((p) => p.id === 'index')).toMatchObject({ label: 'Indexes' });
    expect(phrases.map((p) => p.id)).not.toContain('slow-queries');
  });

  it('drops a word whose every mention is inside a longer phrase, keeps one that also stands alone', () => {
    const ids = extractKeyPhrases(
      'Window functions read rows. Window functions keep rows. Each window function sees a frame. Frames move. The frame shrinks.',
    ).map((p) => p.id);
    expect(ids).toContain('window-function');
    expect(ids).not.toContain('window');
    expect(ids).toContain('frame');
  });

  it('drops generic nouns standing alone and the names of the example, keeps names of tools and title-case headings', () => {
    const text = `# Pull Requests

Each step of the output shows a result. The output column names the output of each step, and the
result of a step is another step's input. Rosa Martin reviews the Pull Requests Tom Okafor opens;
Tom merges them when Rosa approves. Tom Okafor's branch and Rosa Martin's review both use Python,
and Python runs the checks. Python on GitHub Actions runs on every pull request, GitHub Actions
reports back, and GitHub Actions keeps the logs.`;
    const ids = extractKeyPhrases(text, { headings: ['Pull Requests'], limit: 20 }).map((p) => p.id);
    for (const generic of ['step', 'output', 'result', 'input']) expect(ids).not.toContain(generic);
    expect(ids).toContain('output-column');
    for (const name of ['rosa-martin', 'tom-okafor', 'tom', 'rosa']) expect(ids).not.toContain(name);
    expect(ids).toEqual(expect.arrayContaining(['python', 'github-action', 'pull-request']));
  });

  it('ignores a word mentioned once but keeps a multi-word phrase mentioned once', () => {
    const ids = extractKeyPhrases('Denormalization trades storage for speed. Materialized views are cached.').map((p) => p.id);
    expect(ids).toContain('materialized-view');
    expect(ids).not.toContain('cached');
    expect(ids).not.toContain('denormalization');
  });

  it('drops words written in non-Latin scripts, since ids are ASCII', () => {
    const ids = extractKeyPhrases('Базы данных хранят данные. Базы данных. Café tables seat guests. Café tables.').map(
      (p) => p.id,
    );
    expect(ids).toEqual(['cafe-table']);
  });

  it.each([
    { name: 'empty text', text: '' },
    { name: 'whitespace', text: '  \n\t \n ' },
    { name: 'code only', text: `${FENCE}sql\nSELECT name FROM users WHERE name LIKE 'a%';\nSELECT name FROM users;\n${FENCE}\n` },
    { name: 'inline code and URLs only', text: '`SELECT 1` https://example.com/window/functions `SELECT 1`' },
    { name: 'stop words and numbers only', text: 'It is what it is, and 42 is 42.' },
  ])('returns nothing for $name', ({ text }) => {
    expect(extractKeyPhrases(text)).toEqual([]);
  });

  it.each([1, 2, 5])('returns at most %i phrases when asked', (limit) => {
    const phrases = extractKeyPhrases(WINDOW_LESSON, { limit });
    expect(phrases).toHaveLength(limit);
    expect(phrases).toEqual(extractKeyPhrases(WINDOW_LESSON).slice(0, limit));
  });

  it.each([0, -3, Number.NaN])('returns nothing for a limit of %d', (limit) => {
    expect(extractKeyPhrases(WINDOW_LESSON, { limit })).toEqual([]);
  });

  it('reads link text but not link targets, list items and table cells as separate phrases', () => {
    const text = [
      'See [query plans](https://example.com/explain-plans) and [query plans][ref].',
      '- cost model',
      '- cost model',
      '| join order | join order |',
      '[ref]: https://example.com/reference-manual',
    ].join('\n');
    expect(extractKeyPhrases(text).map((p) => p.id)).toEqual(['query-plan', 'cost-model', 'join-order']);
  });
});

describe('conceptIdOf', () => {
  it.each([
    ['Window Functions', 'window-function'],
    ['window function', 'window-function'],
    ['Slow Queries', 'slow-query'],
    ['indexes', 'index'],
    ['Classes', 'class'],
    ['Caches', 'cache'],
    ['windows', 'window'],
    ['analysis', 'analysis'],
    ['status', 'status'],
    ['Column alias', 'column-alias'],
    ['The WHERE clause', 'where-clause'],
    ['Top 10 queries', 'top-10-query'],
    ["SQL's JOIN  types!", 'sql-join-type'],
    ['row-level security', 'row-level-security'],
    ['Café Straße', 'cafe-strasse'],
    ['日本語 SQL', 'sql'],
  ])('turns %j into %j', (phrase, id) => {
    expect(conceptIdOf(phrase)).toBe(id);
  });

  it.each(['the of 123', '', '   ', '2024', '日本語', '!!! ---'])('returns null for %j', (phrase) => {
    expect(conceptIdOf(phrase)).toBeNull();
  });

  it('cuts a long phrase at a word boundary to 120 characters', () => {
    const id = conceptIdOf(Array.from({ length: 40 }, (_, i) => `concept${i}`).join(' '));
    expect(id?.length).toBeLessThanOrEqual(120);
    expect(id).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
    expect(id?.startsWith('concept0-concept1-')).toBe(true);
  });

  it('cuts a single overlong word to 120 characters', () => {
    expect(conceptIdOf('x'.repeat(300))).toBe('x'.repeat(120));
  });
});
