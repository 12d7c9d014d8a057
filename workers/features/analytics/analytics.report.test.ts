import { describe, expect, it } from 'vitest';
import type { ItemAnalysis } from './analytics.domain';
import { itemsTable, table } from './analytics.report';

describe('report tables', () => {
  it('writes markdown with escaped pipes and CSV with quoted cells', () => {
    expect(table(['a', 'b'], [['x|y', 'z']], 'markdown')).toBe('| a | b |\n|---|---|\n| x\\|y | z |\n');
    expect(table(['a', 'b'], [['x,y', 'say "hi"']], 'csv')).toBe('a,b\n"x,y","say ""hi"""\n');
  });

  it('lists flagged items first with their choices, the key starred', () => {
    const item = (itemId: string, flags: ItemAnalysis['flags']): ItemAnalysis => ({
      itemId,
      lessonSlug: 'l',
      question: 'q',
      answers: 40,
      difficulty: 0.5,
      discrimination: 0.31,
      choices: [
        { answer: 0, text: 'a', key: true, share: 0.5 },
        { answer: 1, text: 'b', key: false, share: 0.5 },
      ],
      flags,
      notes: [],
    });
    const csv = itemsTable([item('ok', []), item('bad', ['too_hard'])], 'csv').split('\n');
    expect(csv[1]).toBe('bad,l,40,50.0%,0.31,*0: 50.0%; 1: 50.0%,too_hard');
    expect(csv[2]?.startsWith('ok,')).toBe(true);
  });
});
