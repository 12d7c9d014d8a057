import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { evaluateKt, rocAuc } from '../eval/kt';
import { writeSyntheticKtCsv } from '../eval/kt-synthetic';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kt-eval-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The numbers of one model's row of the report table. */
function metrics(report: string, model: string) {
  const line = report.split('\n').find((l) => l.startsWith(`| ${model} |`));
  // Each cell is "mean ± sd" over the folds: the mean is the figure compared.
  const [auc, rmse, logLoss] = (line ?? '')
    .split('|')
    .slice(2, 5)
    .map((cell) => Number.parseFloat(cell));
  return { auc: auc ?? NaN, rmse: rmse ?? NaN, logLoss: logLoss ?? NaN };
}

const csv = async (name: string, lines: string[]) => {
  const path = join(dir, name);
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
};

describe('evaluateKt', () => {
  it('ranks answers better with BKT than with the skill average on learners simulated by BKT', async () => {
    const path = join(dir, 'synthetic.csv');
    await writeSyntheticKtCsv(path, { students: 200, skills: 4, seed: 3 });
    const report = await evaluateKt(path);
    expect(report).toContain('| model (5-fold split by learner, mean ± sd over folds) | AUC | RMSE | log-loss |');
    expect(report).toMatch(/^\|---\|---:\|---:\|---:\|$/m);
    expect(report).toMatch(/^\| BKT \(EM per skill\) \| \d\.\d{4} ± \d\.\d{4} \|/m);
    const bkt = metrics(report, 'BKT (EM per skill)');
    const pfa = metrics(report, 'PFA (best-LR counts)');
    const baseline = metrics(report, 'skill average');
    for (const m of [bkt, pfa, baseline]) {
      expect(m.auc).toBeGreaterThan(0.5);
      expect(m.auc).toBeLessThanOrEqual(1);
      expect(Number.isFinite(m.rmse)).toBe(true);
      expect(Number.isFinite(m.logLoss)).toBe(true);
    }
    expect(bkt.auc).toBeGreaterThan(baseline.auc);
    // No items in this file: no item row.
    expect(report).not.toContain('PFA + item difficulty');
    expect(report).toContain('learners: 200 (5 folds)');
    expect(report).toContain('BKT per skill and fold: 20 fitted by EM, 0 on default parameters');
    // Every learner is tested once: every attempt of the file is scored exactly once.
    const rows = (await readFile(path, 'utf8')).trim().split('\n').length - 1;
    expect(report).toContain(`attempts scored: ${rows}`);
  });

  it('ranks PFA above BKT on learners simulated from ability, practice and forgetting, and items help', async () => {
    const path = join(dir, 'ability.csv');
    await writeSyntheticKtCsv(path, { students: 300, skills: 5, seed: 4, process: 'ability' });
    const report = await evaluateKt(path);
    const bkt = metrics(report, 'BKT (EM per skill)');
    const pfa = metrics(report, 'PFA (best-LR counts)');
    const items = metrics(report, 'PFA + item difficulty');
    const baseline = metrics(report, 'skill average');
    expect(pfa.auc).toBeGreaterThan(bkt.auc);
    expect(pfa.logLoss).toBeLessThan(bkt.logLoss);
    expect(items.auc).toBeGreaterThan(pfa.auc);
    expect(bkt.auc).toBeGreaterThan(baseline.auc);
    expect(report).toContain('skills: 5, items: 30');
  });

  it('writes the same synthetic file for the same seed', async () => {
    const first = await writeSyntheticKtCsv(join(dir, 'a.csv'), { students: 20, skills: 2, seed: 9 });
    const second = await writeSyntheticKtCsv(join(dir, 'b.csv'), { students: 20, skills: 2, seed: 9 });
    expect(second).toEqual(first);
    expect(await evaluateKt(join(dir, 'a.csv'))).toBe((await evaluateKt(join(dir, 'b.csv'))).replace('b.csv', 'a.csv'));
  });

  it('reads the ASSISTments layout, with quoted skill names and rows without a skill', async () => {
    const users = Array.from({ length: 30 }, (_, i) => `${1000 + i}`);
    const rows = users.flatMap((user, u) =>
      [0, 1, 2].map((t) => `${u * 10 + t},${user},"${t === 2 ? 'Addition, ""whole"" numbers' : 'Fractions'}",${(u + t) % 2}`),
    );
    const skillless = '999,1000,,1';
    const path = await csv('assistments.csv', ['Order_ID,User_ID,Skill_Name,Correct', ...rows, skillless]);
    const report = await evaluateKt(path);
    expect(report).toContain('skills: 2\n');
    expect(report).toContain('learners: 30 (5 folds)');
    // The row without a skill is skipped.
    expect(report).toContain('attempts scored: 90');
  });

  it('reads a DataShop export (KDD Cup 2010, Statics): tabs, KCs joined by ~~, hints as wrong, items from problem and step', async () => {
    const header = [
      'Row',
      'Anon Student Id',
      'Problem Name',
      'Step Name',
      'First Transaction Time',
      'Correct First Attempt',
      'KC(Default)',
    ];
    const rows = Array.from({ length: 10 }, (_, u) =>
      [1, 2, 3].map((t) =>
        [
          u * 3 + t,
          `Stu_${u}`,
          'EG4-FIXED',
          `3(x+2) = 15 step ${t}`,
          `2005-09-0${t} 12:00:0${u % 10}.0`,
          (u + t) % 2,
          t === 2 ? 'Combine~~Isolate' : t === 3 ? '' : 'Combine',
        ].join('\t'),
      ),
    ).flat();
    const report = await evaluateKt(await csv('kdd.txt', [header.join('\t'), ...rows]));
    expect(report).toContain('learners: 10 (5 folds)');
    expect(report).toContain('skills: 2, items: 2');
    // Per learner: the first step, the second once per KC, the third (no KC) skipped.
    expect(report).toContain('attempts scored: 30');
    expect(report).toContain('| PFA + item difficulty |');

    const statics = [
      'Anon Student Id\tRow\tFirst Attempt\tKC (F2011)',
      ...Array.from({ length: 12 }, (_, i) => `s${i % 6}\t${i}\t${['correct', 'incorrect', 'hint'][i % 3]}\tForces`),
    ];
    expect(await evaluateKt(await csv('statics.tsv', statics))).toContain('attempts scored: 12');
  });

  it('needs at least one learner per fold', async () => {
    const path = await csv('few.csv', ['user,skill,correct,order', 'u1,s1,1,1', 'u2,s1,0,2']);
    await expect(evaluateKt(path)).rejects.toThrow(/2 learner\(s\); the 5-fold split needs at least 5/);
  });

  it('names the missing column', async () => {
    const path = await csv('no-correct.csv', ['user,skill,order', 'u1,s1,1']);
    await expect(evaluateKt(path)).rejects.toThrow(/missing correct column/);
  });

  it('rejects a correct value that is not an answer, naming the line', async () => {
    const path = await csv('fractional.csv', ['user,skill,correct,timestamp', 'u1,s1,1,2024-01-01', 'u1,s1,yes,2024-01-02']);
    await expect(evaluateKt(path)).rejects.toThrow(/fractional\.csv:3: correct must be 0 or 1, got "yes"/);
  });

  it('reads ASSISTments 2015 (the problem set as the skill) and leaves out answers with partial credit', async () => {
    const rows = Array.from({ length: 10 }, (_, u) =>
      [0, 1, 2, 3].map((t) => `${50000 + u},${1000 * u + t},${7000 + (t % 2)},${t === 3 ? '0.666666667' : (u + t) % 2}`),
    ).flat();
    const report = await evaluateKt(await csv('assist2015.csv', ['user_id,log_id,sequence_id,correct', ...rows]));
    expect(report).toContain('learners: 10 (5 folds)');
    expect(report).toContain('skills: 2\n');
    expect(report).toContain('attempts scored: 30');
    expect(report).toContain('rows left out for partial credit (0 < correct < 1): 10');
  });

  it('reads the three-line records of Deep Knowledge Tracing, and names a record whose counts disagree', async () => {
    const records = Array.from({ length: 10 }, (_, u) => [`3`, `${u % 3},7,${u % 3},`, `${u % 2},1,0,`]).flat();
    const report = await evaluateKt(await csv('builder_train.csv', records));
    expect(report).toContain('learners: 10 (5 folds)');
    expect(report).toContain('skills: 4\n');
    expect(report).toContain('attempts scored: 30');
    const broken = await csv('broken.csv', ['2', '1,2,', '0,1,', '3', '1,2,', '0,1,']);
    await expect(evaluateKt(broken)).rejects.toThrow(/broken\.csv:4: the record says 3 answers but lists 2 skills and 2 answers/);
  });
});

describe('rocAuc', () => {
  it.each([
    { name: 'is 1 when every positive outranks every negative', scores: [0.1, 0.2, 0.8, 0.9], expected: 1 },
    { name: 'is 0 when every negative outranks every positive', scores: [0.9, 0.8, 0.2, 0.1], expected: 0 },
    { name: 'counts tied pairs as half', scores: [0.5, 0.5, 0.5, 0.5], expected: 0.5 },
    // Pairs (pos, neg): (0.5, 0.1) win, (0.5, 0.5) tie, (0.9, 0.1) win, (0.9, 0.5) win: 3.5 / 4.
    { name: 'mixes ties and wins', scores: [0.1, 0.5, 0.5, 0.9], expected: 0.875 },
  ])('$name', ({ scores, expected }) => {
    expect(rocAuc(scores, [false, false, true, true])).toBeCloseTo(expected, 10);
  });

  it('is undefined with a single class', () => {
    expect(rocAuc([0.2, 0.4], [true, true])).toBeNaN();
  });
});
