import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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
  const [auc, rmse, logLoss] = (line ?? '').split('|').slice(2, 5).map(Number);
  return { auc: auc ?? NaN, rmse: rmse ?? NaN, logLoss: logLoss ?? NaN };
}

const csv = async (name: string, lines: string[]) => {
  const path = join(dir, name);
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
};

describe('evaluateKt', () => {
  it('ranks answers better with BKT than with the skill average on simulated learners', async () => {
    const path = join(dir, 'synthetic.csv');
    await writeSyntheticKtCsv(path, { students: 200, skills: 4, seed: 3 });
    const report = await evaluateKt(path);
    expect(report).toContain('| model | AUC | RMSE | log-loss |');
    expect(report).toMatch(/^\|---\|---:\|---:\|---:\|$/m);
    const bkt = metrics(report, 'BKT (EM per skill)');
    const baseline = metrics(report, 'skill average');
    for (const m of [bkt, baseline]) {
      expect(m.auc).toBeGreaterThan(0.5);
      expect(m.auc).toBeLessThanOrEqual(1);
      expect(Number.isFinite(m.rmse)).toBe(true);
      expect(Number.isFinite(m.logLoss)).toBe(true);
    }
    expect(bkt.auc).toBeGreaterThan(baseline.auc);
    expect(report).toMatch(/users: \d+ train \/ \d+ test/);
    expect(report).toContain('skills: 4 (4 fitted by EM, 0 on default parameters)');
    expect(report).toMatch(/attempts scored: [1-9]\d*/);
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
    expect(report).toContain('skills: 2 (2 fitted by EM, 0 on default parameters)');
    expect(report).toMatch(/users: \d+ train \/ \d+ test/);
    const [train, test] = (/users: (\d+) train \/ (\d+) test/.exec(report) ?? []).slice(1).map(Number);
    expect((train ?? 0) + (test ?? 0)).toBe(30);
  });

  it('names the missing column', async () => {
    const path = await csv('no-correct.csv', ['user,skill,order', 'u1,s1,1']);
    await expect(evaluateKt(path)).rejects.toThrow(/missing correct column/);
  });

  it('rejects a correct value other than 0 or 1, naming the line', async () => {
    const path = await csv('fractional.csv', ['user,skill,correct,timestamp', 'u1,s1,1,2024-01-01', 'u1,s1,0.5,2024-01-02']);
    await expect(evaluateKt(path)).rejects.toThrow(/fractional\.csv:3: correct must be 0 or 1, got "0\.5"/);
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
