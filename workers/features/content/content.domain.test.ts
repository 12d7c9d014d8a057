import { describe, expect, it } from 'vitest';
import { buildBook, etagMatches, findPrerequisiteCycle, locateLesson, planChanges, type BookRows } from './content.domain';

describe('findPrerequisiteCycle', () => {
  it.each([
    ['no edges', [{ slug: 'a', prerequisites: [] }], null],
    [
      'a chain',
      [
        { slug: 'a', prerequisites: [] },
        { slug: 'b', prerequisites: ['a'] },
        { slug: 'c', prerequisites: ['b', 'a'] },
      ],
      null,
    ],
    [
      'a two-cycle',
      [
        { slug: 'a', prerequisites: ['b'] },
        { slug: 'b', prerequisites: ['a'] },
      ],
      ['a', 'b', 'a'],
    ],
    [
      'a three-cycle behind a chain',
      [
        { slug: 'x', prerequisites: ['a'] },
        { slug: 'a', prerequisites: ['c'] },
        { slug: 'b', prerequisites: ['a'] },
        { slug: 'c', prerequisites: ['b'] },
      ],
      ['a', 'c', 'b', 'a'],
    ],
    ['an unknown prerequisite only', [{ slug: 'a', prerequisites: ['ghost'] }], null],
  ])('finds %s', (_name, lessons, cycle) => {
    expect(findPrerequisiteCycle(lessons)).toEqual(cycle);
  });
});

describe('planChanges', () => {
  const existing = [
    { slug: 'a', contentHash: '1', metaHash: 'm1' },
    { slug: 'b', contentHash: '2', metaHash: 'm2' },
    { slug: 'c', contentHash: '3', metaHash: 'm3' },
  ];
  const incoming = [
    { slug: 'a', contentHash: '1', metaHash: 'm1' },
    { slug: 'b', contentHash: '2', metaHash: 'm2-edited' },
    { slug: 'd', contentHash: '4', metaHash: 'm4' },
  ];

  it('sorts lessons into added, changed, unchanged and kept without prune', () => {
    expect(planChanges(existing, incoming, false)).toEqual({
      added: ['d'],
      changed: ['b'],
      unchanged: ['a'],
      removed: [],
      kept: ['c'],
    });
  });

  it('removes what the tree no longer has with prune', () => {
    expect(planChanges(existing, incoming, true)).toMatchObject({ removed: ['c'], kept: [] });
  });
});

const rows: BookRows = {
  course: { id: 'c', title: 'C', summary: '', version: 3, language: null },
  parts: [
    { id: 'c/p2', slug: 'p2', title: 'P2', summary: '', position: 1 },
    { id: 'c/p1', slug: 'p1', title: 'P1', summary: '', position: 0 },
    { id: 'c/empty', slug: 'empty', title: 'Empty', summary: '', position: 2 },
  ],
  chapters: [
    { id: 'c/p1/b', partId: 'c/p1', slug: 'b', title: 'B', summary: '', position: 1 },
    { id: 'c/p1/a', partId: 'c/p1', slug: 'a', title: 'A', summary: '', position: 0 },
    { id: 'c/p2/x', partId: 'c/p2', slug: 'x', title: 'X', summary: '', position: 0 },
  ],
  lessons: [
    {
      slug: 'l3',
      chapterId: 'c/p1/b',
      position: 0,
      title: 'L3',
      layer: 'L1',
      minutes: 5,
      difficulty: 1,
      summary: '',
      contentHash: 'h3',
    },
    {
      slug: 'l2',
      chapterId: 'c/p1/a',
      position: 1,
      title: 'L2',
      layer: 'L1',
      minutes: 5,
      difficulty: 1,
      summary: '',
      contentHash: 'h2',
    },
    {
      slug: 'l1',
      chapterId: 'c/p1/a',
      position: 0,
      title: 'L1',
      layer: 'L1',
      minutes: 5,
      difficulty: 1,
      summary: '',
      contentHash: 'h1',
    },
    {
      slug: 'l4',
      chapterId: 'c/p2/x',
      position: 0,
      title: 'L4',
      layer: 'L3',
      minutes: 5,
      difficulty: 4,
      summary: '',
      contentHash: 'h4',
    },
  ],
  prerequisites: [
    { lessonSlug: 'l4', prerequisiteSlug: 'l3', position: 1 },
    { lessonSlug: 'l4', prerequisiteSlug: 'l1', position: 0 },
  ],
  concepts: [{ lessonSlug: 'l1', conceptId: 'joins', position: 0 }],
};

describe('buildBook', () => {
  it('orders parts, chapters and lessons by position and drops empty parts', () => {
    const book = buildBook(rows);
    expect(book.parts.map((p) => [p.slug, p.chapters.map((c) => [c.slug, c.lessons.map((l) => l.slug)])])).toEqual([
      [
        'p1',
        [
          ['a', ['l1', 'l2']],
          ['b', ['l3']],
        ],
      ],
      ['p2', [['x', ['l4']]]],
    ]);
    expect(book.version).toBe(3);
    expect(book.lessonCount).toBe(4);
  });

  it('keeps prerequisites and concepts in their authored order', () => {
    const lessons = buildBook(rows).parts.flatMap((p) => p.chapters.flatMap((c) => c.lessons));
    expect(lessons.find((l) => l.slug === 'l4')?.prerequisites).toEqual(['l1', 'l3']);
    expect(lessons.find((l) => l.slug === 'l1')?.concepts).toEqual(['joins']);
  });
});

describe('locateLesson', () => {
  const book = buildBook(rows);
  it('links neighbours across chapter and part boundaries', () => {
    expect(locateLesson(book, 'l3')).toMatchObject({
      prev: { slug: 'l2' },
      next: { slug: 'l4' },
      part: { slug: 'p1' },
      chapter: { slug: 'b' },
    });
    expect(locateLesson(book, 'l1')?.prev).toBeNull();
    expect(locateLesson(book, 'l4')?.next).toBeNull();
  });

  it('returns null for an unknown slug', () => {
    expect(locateLesson(book, 'nope')).toBeNull();
  });
});

describe('etagMatches', () => {
  it.each([
    [undefined, false],
    ['"abc"', true],
    ['W/"abc"', true],
    ['"x", "abc"', true],
    ['*', true],
    ['"abd"', false],
  ])('If-None-Match %s matches "abc": %s', (header, expected) => {
    expect(etagMatches(header, '"abc"')).toBe(expected);
  });
});
