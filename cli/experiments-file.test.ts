import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExperimentsFile } from './experiments-file';

const write = (text: string) => {
  const file = join(mkdtempSync(join(tmpdir(), 'experiments-')), 'experiments.yaml');
  writeFileSync(file, text);
  return file;
};

describe('experiments file', () => {
  it('the seed file loads: a flag and a draft experiment, nothing to complain about', () => {
    const { flags, experiments, problems } = loadExperimentsFile('seeds/experiments.yaml');
    expect(problems).toEqual([]);
    expect(flags.map(([key]) => key)).toEqual(['plans.dynamic']);
    expect(experiments.map((e) => [e.input.id, e.input.flagKey, e.start])).toEqual([
      ['plan-new-share', 'plans.new_share', false],
      ['learned-ranker', 'recs.learned', false],
    ]);
    // Defaults are filled as the server would.
    expect(experiments[0]?.input).toMatchObject({ kind: 'ab', alpha: 0.05, sequential: true, coverage: 1 });
  });

  it('names the line of each problem: a bad id and metric, a split not summing to 100, a value of the wrong shape', () => {
    const file = write(
      [
        'flags:',
        '  recs.weights:',
        '    defaultValue: { goal: 3 }',
        'experiments:',
        '  - id: Bad_Id',
        '    name: x',
        '    flagKey: plans.dynamic',
        '    variants:',
        '      - { key: a, weight: 50, value: true }',
        '      - { key: b, weight: 50, value: true }',
        '    primaryMetric: joy',
        '  - id: split',
        '    name: y',
        '    flagKey: plans.dynamic',
        '    variants:',
        '      - { key: a, weight: 60, value: true }',
        '      - { key: b, weight: 50, value: "no" }',
        '    primaryMetric: return_1d',
        '',
      ].join('\n'),
    );
    const { problems } = loadExperimentsFile(file);
    const at = (line: number) => problems.filter((p) => p.line === line).map((p) => p.message);
    expect(at(3)).toContain(
      'flag recs.weights: defaultValue.goal: Too big: expected number to be <=1 (the value of recs.weights)',
    );
    expect(at(3).length).toBe(7); // goal too big, and the six weights missing
    expect(at(5)).toEqual(['id: must be kebab-case: a-z, 0-9 and single dashes']);
    expect(at(11)).toEqual([expect.stringContaining('primaryMetric: Invalid option') as string]);
    expect(at(15)).toEqual(['variants: weights must sum to 100 (they sum to 110)']);
    expect(new Set(problems.map((p) => p.line))).toEqual(new Set([3, 5, 11, 15]));
    // The values are checked against the flag once the split is right.
    const fixed = loadExperimentsFile(
      write(
        [
          'experiments:',
          '  - id: split',
          '    name: y',
          '    flagKey: plans.dynamic',
          '    variants:',
          '      - { key: a, weight: 50, value: true }',
          '      - { key: b, weight: 50, value: "no" }',
          '    primaryMetric: return_1d',
          '',
        ].join('\n'),
      ),
    );
    expect(fixed.problems.map((p) => [p.line, p.message])).toEqual([
      [7, 'Invalid input: expected boolean, received string (the value of plans.dynamic)'],
    ]);
  });

  it('reports bad YAML at its line and sends nothing', () => {
    const { problems, flags, experiments } = loadExperimentsFile(write('experiments:\n  - id: [unclosed\n'));
    expect(problems[0]?.message).toMatch(/^bad YAML/);
    expect([flags, experiments]).toEqual([[], []]);
  });
});
