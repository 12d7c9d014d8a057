import { describe, expect, it } from 'vitest';
import { remembered } from './memo';

describe('remembered', () => {
  it('computes a key once, and forgets everything when full', () => {
    const calls: string[] = [];
    const upper = remembered(2, (word: string) => {
      calls.push(word);
      return word.toUpperCase();
    });
    expect([upper('a'), upper('b'), upper('a')]).toEqual(['A', 'B', 'A']);
    expect(calls).toEqual(['a', 'b']);
    // A third key finds the memory full: it starts over, so 'a' is computed again.
    expect(upper('c')).toBe('C');
    expect(upper('a')).toBe('A');
    expect(calls).toEqual(['a', 'b', 'c', 'a']);
  });

  it('remembers falsy answers too', () => {
    let calls = 0;
    const never = remembered(10, () => {
      calls += 1;
      return false;
    });
    expect([never('x'), never('x')]).toEqual([false, false]);
    expect(calls).toBe(1);
  });

  it('names an argument by its key: arguments with one key share an answer', () => {
    let calls = 0;
    const lengthOf = remembered(
      10,
      (row: { id: string; text: string }) => {
        calls += 1;
        return row.text.length;
      },
      (row) => row.id,
    );
    expect(lengthOf({ id: 'a', text: 'four' })).toBe(4);
    expect(lengthOf({ id: 'a', text: 'four' })).toBe(4);
    expect(lengthOf({ id: 'b', text: 'three' })).toBe(5);
    expect(calls).toBe(2);
  });
});
