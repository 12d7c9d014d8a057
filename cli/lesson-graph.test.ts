import { describe, expect, it } from 'vitest';
import { closestSlug } from './lesson-graph';

describe('the slug suggested for a misspelt prerequisite', () => {
  const slugs = ['joins-basics', 'joins-advanced', 'window-functions', 'ab', 'abc'];

  it.each([
    { wanted: 'joins-basic', expected: 'joins-basics', why: 'one letter missing' },
    { wanted: 'jions-basics', expected: 'joins-basics', why: 'two letters swapped' },
    { wanted: 'window-fnctions', expected: 'window-functions', why: 'one letter missing in a long slug' },
    { wanted: 'windw-fnctins', expected: 'window-functions', why: 'three edits, within a third of the length' },
    { wanted: 'subqueries', expected: undefined, why: 'nothing near' },
    { wanted: 'ax', expected: 'ab', why: 'one edit in a short slug' },
    { wanted: 'xy', expected: undefined, why: 'a short slug with every letter different' },
    { wanted: 'abd', expected: 'ab', why: 'a tie (ab and abc are one edit away) goes to the first alphabetically' },
  ])('$wanted -> $expected ($why)', ({ wanted, expected }) => {
    expect(closestSlug(wanted, slugs)).toBe(expected);
  });
});
