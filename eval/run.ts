/**
 * `npm run eval -- search`: starts the Worker on its own fresh state, pushes the
 * sample course, and asks every question of `seeds/eval/search-questions.yaml` (written
 * alongside the search) and `seeds/eval/learner-questions.yaml` (written the way
 * learners ask, before looking at results) in each search mode. Prints recall@5 and
 * MRR (over the first 20 distinct lessons) per mode and set, and the learner set's top 3. With EMBEDDINGS_BASE_URL (and _MODEL, _DIMENSIONS, _API_KEY) set, that
 * embedder is measured; otherwise both local ones: the offline hashing embedder and
 * the local semantic model server (`scripts/embedding-server.ts`).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { z } from 'zod';
import { startEmbeddingServer } from '../scripts/embedding-server';
import { evaluateFsrs } from './fsrs';
import { evaluateIrt } from './irt';
import { evaluateKt } from './kt';
import { evaluateAnswers } from './answers';
import { evaluateExperiments } from './experiments';
import { evaluatePlans } from './plans';
import { writeSyntheticKtCsv } from './kt-synthetic';
import { evaluateRecs } from './recs';
import { evaluateBehaviours } from './recs-behaviours';
import { evaluateLessonEngagement } from './lesson-engagement';
import { startSeededServer } from '../scripts/local-server';

const PERSIST_TO = '.wrangler/eval-state';
const PORT = Number(process.env.EVAL_PORT ?? 8796);
const MODES = ['lexical', 'vector', 'hybrid'] as const;

const QuestionsSchema = z.object({
  questions: z.array(
    z.object({
      id: z.string(),
      question: z.string(),
      gold: z.string(),
      style: z.enum(['paraphrase', 'keyword', 'learner', 'short']),
      also: z.array(z.string()).optional(),
    }),
  ),
});
type Question = z.infer<typeof QuestionsSchema>['questions'][number];

const HitsSchema = z.object({ embedder: z.string(), hits: z.array(z.object({ itemId: z.string() })) });

/** 1-based rank of the first acceptable lesson among distinct lessons, or null. */
function rankOf(lessons: string[], question: Question): number | null {
  const accepted = new Set([question.gold, ...(question.also ?? [])]);
  const index = lessons.findIndex((l) => accepted.has(l));
  return index < 0 ? null : index + 1;
}

async function evaluate(questions: Question[], vars: Record<string, string>) {
  const started = Date.now();
  const { server } = await startSeededServer({ port: PORT, persistTo: PERSIST_TO, vars });
  const searchableSeconds = (Date.now() - started) / 1000;
  try {
    let embedder = '';
    const rows = [];
    for (const mode of MODES) {
      const ranks: { question: Question; rank: number | null }[] = [];
      for (const question of questions) {
        const response = await fetch(`${server.url}/api/search`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: question.question, limit: 20, mode }),
        });
        if (!response.ok) throw new Error(`search failed: ${response.status} ${await response.text()}`);
        const body = HitsSchema.parse(await response.json());
        embedder = body.embedder;
        const lessons = [...new Set(body.hits.map((h) => h.itemId))];
        ranks.push({ question, rank: rankOf(lessons, question) });
      }
      const score = (subset: typeof ranks) => ({
        recallAt3: subset.filter((r) => r.rank !== null && r.rank <= 3).length / subset.length,
        recallAt5: subset.filter((r) => r.rank !== null && r.rank <= 5).length / subset.length,
        mrr: subset.reduce((sum, r) => sum + (r.rank ? 1 / r.rank : 0), 0) / subset.length,
      });
      const written = ranks.filter((r) => r.question.style === 'paraphrase' || r.question.style === 'keyword');
      const learners = ranks.filter((r) => r.question.style === 'learner' || r.question.style === 'short');
      rows.push({
        mode,
        all: score(written),
        paraphrase: score(ranks.filter((r) => r.question.style === 'paraphrase')),
        keyword: score(ranks.filter((r) => r.question.style === 'keyword')),
        learner: score(learners),
        misses: written.filter((r) => r.rank === null || r.rank > 5).map((r) => r.question.id),
        learnerMisses: learners.filter((r) => r.rank === null || r.rank > 3).map((r) => r.question.id),
      });
    }
    return { embedder, searchableSeconds, rows };
  } finally {
    await server.stop();
  }
}

async function main() {
  const what = process.argv[2] ?? 'search';
  if (what === 'kt-synthetic') {
    const { values, positionals } = parseArgs({
      args: process.argv.slice(3),
      allowPositionals: true,
      options: { process: { type: 'string', default: 'bkt' } },
    });
    const [file, ...numbers] = positionals;
    const kind = values.process;
    if (!file || (kind !== 'bkt' && kind !== 'ability')) {
      throw new Error('usage: npm run eval -- kt-synthetic <out.csv> [students] [skills] [seed] [--process bkt|ability]');
    }
    const [students, skills, seed] = numbers.map(Number);
    const { rows } = await writeSyntheticKtCsv(file, {
      students: students ?? 500,
      skills: skills ?? 8,
      seed: seed ?? 1,
      process: kind,
    });
    console.log(`wrote ${rows} attempts to ${file}`);
    return;
  }
  if (what === 'kt') {
    const file = process.argv[3];
    if (file) {
      console.log(await evaluateKt(file));
      return;
    }
    // Without a file: both simulators, so no model is judged only on data made its own way.
    const dir = await mkdtemp(join(tmpdir(), 'kt-eval-'));
    try {
      for (const kind of ['bkt', 'ability'] as const) {
        const path = join(dir, `simulated-${kind}.csv`);
        await writeSyntheticKtCsv(path, { students: 600, skills: 8, seed: 1, process: kind });
        console.log(`${await evaluateKt(path)}\n`);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    return;
  }
  if (what === 'irt') {
    const { values } = parseArgs({
      args: process.argv.slice(3),
      options: { learners: { type: 'string', default: '1500' }, seed: { type: 'string', default: '1' } },
    });
    console.log((await evaluateIrt({ learners: Number(values.learners), seed: Number(values.seed) })).report);
    return;
  }
  if (what === 'fsrs') {
    const { values } = parseArgs({
      args: process.argv.slice(3),
      options: { learners: { type: 'string', default: '200' }, seed: { type: 'string', default: '1' } },
    });
    const started = Date.now();
    console.log(evaluateFsrs({ learners: Number(values.learners), seed: Number(values.seed) }).report);
    console.log(`\nran in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return;
  }
  if (what === 'recs') {
    const { values } = parseArgs({
      args: process.argv.slice(3),
      options: { learners: { type: 'string', default: '300' }, seed: { type: 'string', default: '1' } },
    });
    console.log((await evaluateRecs({ learners: Number(values.learners), seed: Number(values.seed) })).report);
    const behaviours = await evaluateBehaviours({ learners: Math.ceil(Number(values.learners) / 2), seed: Number(values.seed) });
    console.log(`\n${behaviours.report}`);
    return;
  }
  if (what === 'engagement') {
    const { values } = parseArgs({
      args: process.argv.slice(3),
      options: { learners: { type: 'string', default: '2000' }, seed: { type: 'string', default: '1' } },
    });
    console.log((await evaluateLessonEngagement({ learners: Number(values.learners), seed: Number(values.seed) })).report);
    return;
  }
  if (what === 'experiments') {
    const { values } = parseArgs({
      args: process.argv.slice(3),
      options: { experiments: { type: 'string', default: '1000' }, seed: { type: 'string', default: '1' } },
    });
    const started = Date.now();
    const { report, checks } = evaluateExperiments({ experiments: Number(values.experiments), seed: Number(values.seed) });
    console.log(report);
    console.log(`\nran in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    mkdirSync('bench/results', { recursive: true });
    writeFileSync('bench/results/eval-experiments.json', JSON.stringify({ at: new Date().toISOString(), checks }, null, 2));
    if (checks.some((c) => !c.ok)) process.exitCode = 1;
    return;
  }
  if (what === 'answers') {
    const { report, scores } = await evaluateAnswers(PORT);
    console.log(report);
    mkdirSync('bench/results', { recursive: true });
    writeFileSync('bench/results/eval-answers.json', JSON.stringify({ at: new Date().toISOString(), scores }, null, 2));
    return;
  }
  if (what === 'plans') {
    const { values } = parseArgs({
      args: process.argv.slice(3),
      options: {
        learners: { type: 'string', default: '500' },
        days: { type: 'string', default: '28' },
        seed: { type: 'string', default: '1' },
      },
    });
    const started = Date.now();
    const { report, metrics } = await evaluatePlans({
      learners: Number(values.learners),
      days: Number(values.days),
      seed: Number(values.seed),
    });
    console.log(report);
    console.log(`\nran in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    mkdirSync('bench/results', { recursive: true });
    writeFileSync('bench/results/eval-plans.json', JSON.stringify({ at: new Date().toISOString(), ...metrics }, null, 2));
    return;
  }
  if (what !== 'search') {
    throw new Error(
      `unknown evaluation "${what}"; try: npm run eval -- search, -- answers, -- kt [<file>], -- irt [--learners N] [--seed S], -- fsrs [--learners N] [--seed S], -- recs [--learners N] [--seed S], -- experiments [--experiments N] [--seed S], or -- plans [--learners N] [--days D] [--seed S]`,
    );
  }
  // The set written alongside the search, and the one written the way learners ask (before looking at results).
  const questions = ['search', 'learner'].flatMap(
    (name) => QuestionsSchema.parse(parse(readFileSync(`seeds/eval/${name}-questions.yaml`, 'utf8'))).questions,
  );
  const configured = Object.fromEntries(
    ['EMBEDDINGS_BASE_URL', 'EMBEDDINGS_API_KEY', 'EMBEDDINGS_MODEL', 'EMBEDDINGS_DIMENSIONS'].flatMap((k) =>
      process.env[k] ? [[k, process.env[k] ?? '']] : [],
    ),
  );
  const results = [];
  if (configured.EMBEDDINGS_BASE_URL) {
    results.push(await evaluate(questions, configured));
  } else {
    results.push(await evaluate(questions, {}));
    const local = await startEmbeddingServer();
    try {
      results.push(await evaluate(questions, local.vars));
    } finally {
      await local.close();
    }
  }
  const f = (n: number) => n.toFixed(2);
  for (const result of results) {
    console.log(
      `\n${questions.filter((q) => q.style === 'paraphrase' || q.style === 'keyword').length} written-set and ${questions.filter((q) => q.style === 'learner' || q.style === 'short').length} learner-set questions, embedder ${result.embedder}; push to searchable ${result.searchableSeconds.toFixed(1)} s (from a fresh state, including server start)\n`,
    );
    console.log(
      '| mode | written set recall@5 | MRR | recall@5 paraphrased | recall@5 keyword | learner set top 3 | learner recall@5 | learner MRR |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of result.rows) {
      console.log(
        `| ${r.mode} | ${f(r.all.recallAt5)} | ${f(r.all.mrr)} | ${f(r.paraphrase.recallAt5)} | ${f(r.keyword.recallAt5)} | ${f(r.learner.recallAt3)} | ${f(r.learner.recallAt5)} | ${f(r.learner.mrr)} |`,
      );
    }
    for (const r of result.rows) {
      console.log(`${r.mode} misses (written set, not in top 5): ${r.misses.join(', ') || 'none'}`);
      console.log(`${r.mode} misses (learner set, not in top 3): ${r.learnerMisses.join(', ') || 'none'}`);
    }
  }
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/eval-search.json', JSON.stringify({ at: new Date().toISOString(), results }, null, 2));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
