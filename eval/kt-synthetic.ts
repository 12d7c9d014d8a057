/**
 * Knowledge-tracing datasets in the generic CSV layout that `evaluateKt` reads. Same seed, same file.
 * - `bkt`: attempts from known per-skill BKT parameters (the model's own assumptions).
 * - `ability`: attempts from another process, so no model is judged on data made its way: each
 *   learner has an ability and a learning rate, each item a difficulty, practice strengthens a
 *   skill with diminishing returns, and the strength fades with the days between sessions at
 *   the learner's own rate of forgetting.
 */
import { writeFile } from 'node:fs/promises';
import type { BktParams } from '../workers/features/mastery/mastery.bkt';
import { normalDraw as normal, seededRandom } from '../workers/platform/seeded-random';

export interface SyntheticKtOptions {
  /** Learners (default 500). */
  students?: number;
  /** Skills, each with its own parameters (default 8). */
  skills?: number;
  seed?: number;
  /** The process the answers come from (default `bkt`). */
  process?: 'bkt' | 'ability';
}

export interface SyntheticKt {
  rows: number;
  /** The BKT parameters each skill was simulated from, by skill name (empty for `ability`). */
  params: Record<string, BktParams>;
}

/** Writes the simulated attempts to `path` and returns the parameters behind them. */
export async function writeSyntheticKtCsv(path: string, options: SyntheticKtOptions = {}): Promise<SyntheticKt> {
  const { students = 500, skills = 8, seed = 1, process = 'bkt' } = options;
  if (!Number.isInteger(students) || students < 1) throw new RangeError('students must be a positive integer');
  if (!Number.isInteger(skills) || skills < 1) throw new RangeError('skills must be a positive integer');
  if (process === 'ability') return writeAbilityCsv(path, students, skills, seed);
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

async function writeAbilityCsv(path: string, students: number, skills: number, seed: number): Promise<SyntheticKt> {
  const random = seededRandom(seed);
  const ITEMS_PER_SKILL = 6;
  const skillDifficulty = Array.from({ length: skills }, () => normal(random) * 0.8);
  const itemDifficulty = skillDifficulty.map((b) => Array.from({ length: ITEMS_PER_SKILL }, () => b + normal(random) * 0.6));
  const lines = ['user,skill,item,correct,timestamp'];
  const DAY = 86_400;
  for (let s = 0; s < students; s++) {
    const ability = normal(random);
    // Strength gained per attempt (a share of what is left to gain) and days for it to fade to 1/e.
    const learnRate = 0.05 + 0.3 * random();
    const fadeDays = 2 + 40 * random() ** 2;
    const strength = new Array<number>(skills).fill(0);
    const lastSeen = new Array<number>(skills).fill(-1);
    // Sessions a few days apart; each works on one to three skills, a handful of items each.
    const sessions = 3 + Math.floor(random() * 10);
    let time = 1_700_000_000 + Math.floor(random() * 30) * DAY;
    for (let session = 0; session < sessions; session++) {
      time += Math.floor((0.5 + random() * 6) * DAY);
      const focus = Array.from({ length: 1 + Math.floor(random() * 3) }, () => Math.floor(random() * skills));
      for (let a = 0, n = 4 + Math.floor(random() * 10); a < n; a++) {
        const k = focus[Math.floor(random() * focus.length)] ?? 0;
        const item = Math.floor(random() * ITEMS_PER_SKILL);
        const days = lastSeen[k] === -1 ? 0 : (time - (lastSeen[k] ?? time)) / DAY;
        const held = (strength[k] ?? 0) * Math.exp(-days / fadeDays);
        const logit = ability + 2.5 * held - (itemDifficulty[k]?.[item] ?? 0);
        const correct = random() < 1 / (1 + Math.exp(-logit));
        // Practice with feedback strengthens the skill, a wrong answer a little more (it was corrected).
        strength[k] = held + learnRate * (correct ? 0.8 : 1) * (1 - held);
        lastSeen[k] = time;
        time += 30 + Math.floor(random() * 90);
        lines.push(`u${s + 1},skill-${k + 1},skill-${k + 1}-item-${item + 1},${correct ? 1 : 0},${time}`);
      }
    }
  }
  await writeFile(path, `${lines.join('\n')}\n`);
  return { rows: lines.length - 1, params: {} };
}
