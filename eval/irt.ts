/**
 * `npm run eval -- irt [--learners N] [--seed S]`: item calibration checked by simulation. The
 * sample course's quiz items get "true" parameters the authors did not know (each difficulty the
 * author's plus a normal error, a discrimination between 0.5 and 2, two items miskeyed so the
 * stronger learners miss them, one that everyone gets right); simulated learners answer a share
 * of them; `calibrateItems` (what `npm run fit -- irt` runs) fits them with the authors'
 * difficulties as priors. Reported: how far the authors' and the fitted difficulties are from
 * the truth, and which planted misbehaviours were flagged. Same seed, same report.
 */
import { loadCourseTree } from '../cli/course-tree';
import { authorB } from '../workers/features/mastery/mastery.domain';
import { calibrateItems, correlation, type IrtAnswer, type IrtItemPrior } from '../workers/features/mastery/mastery.irt';
import { normalDraw as normal, seededRandom } from '../workers/platform/seeded-random';
import { mix } from './recs-sim';
import { SAMPLE_COURSE } from './recs';

export interface IrtEval {
  items: number;
  answers: number;
  /** RMSE against the true difficulty: the authors' and the fitted. */
  rmseAuthor: number;
  rmseFitted: number;
  /** Correlation of the fitted discrimination with the true one, over items whose discrimination was fitted. */
  discriminationCorrelation: number | null;
  planted: { miskeyed: string[]; everyoneRight: string };
  flagged: Record<string, string[]>;
  report: string;
}

export async function evaluateIrt(options: { learners?: number; seed?: number; course?: string } = {}): Promise<IrtEval> {
  const { learners = 1500, seed = 1, course: folder = SAMPLE_COURSE } = options;
  const loaded = await loadCourseTree(folder);
  if (loaded.problems.length > 0) throw new Error(`${folder}: ${loaded.problems.map((p) => p.message).join('; ')}`);
  const random = seededRandom(mix(seed, 11));
  const items = loaded.manifest.lessons.flatMap((l) =>
    l.quiz.map((q, i) => {
      const prior: IrtItemPrior = { b: authorB(q.difficulty ?? l.difficulty), c: 1 / q.choices.length };
      return { id: q.id ?? `${l.slug}-q${i + 1}`, prior, a: 0.5 + 1.5 * random(), b: prior.b + 0.8 * normal(random) };
    }),
  );
  const miskeyed = [items[3]?.id ?? '', items[Math.floor(items.length / 2)]?.id ?? ''];
  const everyoneRight = items[items.length - 1]?.id ?? '';
  const answers: IrtAnswer[] = [];
  for (let l = 0; l < learners; l++) {
    const theta = normal(random);
    for (const item of items) {
      if (random() > 0.3) continue;
      const p = item.prior.c + (1 - item.prior.c) / (1 + Math.exp(-item.a * (theta - item.b)));
      const right = miskeyed.includes(item.id) ? random() > p : item.id === everyoneRight ? true : random() < p;
      answers.push({ learner: `l${l}`, item: item.id, correct: right });
    }
  }
  const fitted = calibrateItems(answers, new Map(items.map((i) => [i.id, i.prior])));
  const truth = new Map(items.map((i) => [i.id, i]));
  const normal_ = fitted.filter(
    (f) => !miskeyed.includes(f.item) && f.item !== everyoneRight && !f.flags.includes('too_few_answers'),
  );
  const rmse = (pick: (f: (typeof fitted)[number]) => number) =>
    Math.sqrt(normal_.reduce((s, f) => s + (pick(f) - (truth.get(f.item)?.b ?? 0)) ** 2, 0) / Math.max(1, normal_.length));
  const withA = normal_.filter((f) => f.discriminationFitted);
  const discriminationCorrelation =
    withA.length >= 3 ? correlation(withA.map((f) => [f.a, truth.get(f.item)?.a ?? 0] as const)) : null;
  const flagged: Record<string, string[]> = {};
  for (const f of fitted) for (const flag of f.flags) if (flag !== 'too_few_answers') (flagged[flag] ??= []).push(f.item);
  const result = {
    items: items.length,
    answers: answers.length,
    rmseAuthor: rmse((f) => f.priorB),
    rmseFitted: rmse((f) => f.b),
    discriminationCorrelation,
    planted: { miskeyed, everyoneRight },
    flagged,
  };
  const f3 = (x: number | null) => (x === null ? 'n/a' : x.toFixed(3));
  const report = [
    `## Item calibration (${learners} simulated learners, ${items.length} items of the sample course, ${answers.length} answers, seed ${seed})`,
    '',
    '| difficulty against the truth | RMSE (logits) |',
    '|---|---:|',
    `| the authors' (the prior) | ${f3(result.rmseAuthor)} |`,
    `| fitted | ${f3(result.rmseFitted)} |`,
    '',
    `Discrimination fitted on ${withA.length} items; correlation with the true discrimination: ${f3(discriminationCorrelation)}.`,
    '',
    '| planted misbehaviour | item | flags |',
    '|---|---|---|',
    ...miskeyed.map((id) => `| miskeyed | ${id} | ${fitted.find((f) => f.item === id)?.flags.join(', ') || 'none'} |`),
    `| everyone right | ${everyoneRight} | ${fitted.find((f) => f.item === everyoneRight)?.flags.join(', ') || 'none'} |`,
    '',
    `Items flagged in all: ${
      Object.entries(flagged)
        .map(([flag, list]) => `${flag} ${list.length}`)
        .join(', ') || 'none'
    }.`,
  ].join('\n');
  return { ...result, report };
}
