/**
 * A knowledge-tracing dataset simulated from known per-skill BKT parameters, in the generic CSV
 * layout (`user,skill,correct,order`) that `evaluateKt` reads. Same seed, same file.
 */
import { writeFile } from 'node:fs/promises';
import type { BktParams } from '../workers/features/mastery/mastery.bkt';
import { seededRandom } from '../workers/platform/seeded-random';

export interface SyntheticKtOptions {
  /** Learners (default 500). */
  students?: number;
  /** Skills, each with its own parameters (default 8). */
  skills?: number;
  seed?: number;
}

export interface SyntheticKt {
  rows: number;
  /** The parameters each skill was simulated from, by skill name. */
  params: Record<string, BktParams>;
}

/** Writes the simulated attempts to `path` and returns the parameters behind them. */
export async function writeSyntheticKtCsv(path: string, options: SyntheticKtOptions = {}): Promise<SyntheticKt> {
  const { students = 500, skills = 8, seed = 1 } = options;
  if (!Number.isInteger(students) || students < 1) throw new RangeError('students must be a positive integer');
  if (!Number.isInteger(skills) || skills < 1) throw new RangeError('skills must be a positive integer');
  const random = seededRandom(seed);
  const between = (low: number, high: number) => low + (high - low) * random();
  const skillParams = Array.from({ length: skills }, (): BktParams => ({
    prior: between(0.1, 0.6),
    learn: between(0.05, 0.35),
    guess: between(0.05, 0.3),
    slip: between(0.03, 0.2),
    forget: 0,
  }));
  const skillName = (k: number) => `skill-${k + 1}`;

  const lines = ['user,skill,correct,order'];
  let order = 0;
  for (let s = 0; s < students; s++) {
    // Each learner practises every skill 3 to 15 times, skills interleaved at random.
    const remaining = skillParams.map(() => 3 + Math.floor(random() * 13));
    const known = skillParams.map((p) => random() < p.prior);
    const rows: string[] = [];
    for (let left = remaining.reduce((a, b) => a + b, 0); left > 0; left--) {
      let pick = Math.floor(random() * left);
      const k = remaining.findIndex((n) => (pick -= n) < 0);
      const p = skillParams[k];
      if (!p) throw new Error('unreachable: no skill left to practise');
      remaining[k] = (remaining[k] ?? 0) - 1;
      const correct = known[k] ? random() >= p.slip : random() < p.guess;
      known[k] = known[k] ? random() >= p.forget : random() < p.learn;
      order += 1;
      rows.push(`u${s + 1},${skillName(k)},${correct ? 1 : 0},${order}`);
    }
    // Newest first, as exports often are: readers must sort by `order`, not trust the file.
    lines.push(...rows.reverse());
  }
  await writeFile(path, `${lines.join('\n')}\n`);
  return {
    rows: lines.length - 1,
    params: Object.fromEntries(skillParams.map((p, k) => [skillName(k), p])),
  };
}
