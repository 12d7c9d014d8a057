import { describe, expect, it } from 'vitest';
import { inlineCodeSegments } from './inline-code';

describe('inlineCodeSegments', () => {
  it.each([
    ['plain text', 'No code here', [{ text: 'No code here', code: false }]],
    [
      'code in the middle',
      'Which rows does `WHERE a = 1` keep?',
      [
        { text: 'Which rows does ', code: false },
        { text: 'WHERE a = 1', code: true },
        { text: ' keep?', code: false },
      ],
    ],
    [
      'code at both ends',
      '`a` or `b`',
      [
        { text: 'a', code: true },
        { text: ' or ', code: false },
        { text: 'b', code: true },
      ],
    ],
    ['an unpaired backtick', 'It`s fine', [{ text: 'It`s fine', code: false }]],
    ['markup, kept as text', '<b>bold</b>', [{ text: '<b>bold</b>', code: false }]],
    ['nothing', '', []],
  ])('splits %s', (_name, text, segments) => {
    expect(inlineCodeSegments(text)).toEqual(segments);
  });
});
