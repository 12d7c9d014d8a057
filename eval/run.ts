/**
 * `npm run eval -- search`: starts the Worker on its own fresh state, pushes the
 * sample course, and asks every question of `seeds/eval/search-questions.yaml` in
 * each search mode. Prints recall@5 and MRR (over the first 20 distinct lessons)
 * per mode, for whichever embedder the Worker is configured with
 * (EMBEDDINGS_BASE_URL / EMBEDDINGS_MODEL / EMBEDDINGS_DIMENSIONS pass through).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
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
      style: z.enum(['paraphrase', 'keyword']),
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

async function main() {
  const what = process.argv[2] ?? 'search';
  if (what !== 'search') throw new Error(`unknown evaluation "${what}"; try: npm run eval -- search`);
  const { questions } = QuestionsSchema.parse(parse(readFileSync('seeds/eval/search-questions.yaml', 'utf8')));
  const passThrough = Object.fromEntries(
    ['EMBEDDINGS_BASE_URL', 'EMBEDDINGS_API_KEY', 'EMBEDDINGS_MODEL', 'EMBEDDINGS_DIMENSIONS'].flatMap((k) =>
      process.env[k] ? [[k, process.env[k] ?? '']] : [],
    ),
  );
  const started = Date.now();
  const { server } = await startSeededServer({ port: PORT, persistTo: PERSIST_TO, vars: passThrough });
  const searchable = Date.now() - started;
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
        recallAt5: subset.filter((r) => r.rank !== null && r.rank <= 5).length / subset.length,
        mrr: subset.reduce((sum, r) => sum + (r.rank ? 1 / r.rank : 0), 0) / subset.length,
      });
      rows.push({
        mode,
        all: score(ranks),
        paraphrase: score(ranks.filter((r) => r.question.style === 'paraphrase')),
        keyword: score(ranks.filter((r) => r.question.style === 'keyword')),
        misses: ranks.filter((r) => r.rank === null || r.rank > 5).map((r) => r.question.id),
      });
    }
    const f = (n: number) => n.toFixed(2);
    console.log(
      `\n${questions.length} questions, embedder ${embedder}; push to searchable: ${(searchable / 1000).toFixed(1)} s (including server start)\n`,
    );
    console.log('| mode | recall@5 | MRR | recall@5 paraphrased | recall@5 keyword |');
    console.log('|---|---:|---:|---:|---:|');
    for (const r of rows) {
      console.log(
        `| ${r.mode} | ${f(r.all.recallAt5)} | ${f(r.all.mrr)} | ${f(r.paraphrase.recallAt5)} | ${f(r.keyword.recallAt5)} |`,
      );
    }
    for (const r of rows) console.log(`${r.mode} misses (not in top 5): ${r.misses.join(', ') || 'none'}`);
    mkdirSync('bench/results', { recursive: true });
    writeFileSync('bench/results/eval-search.json', JSON.stringify({ at: new Date().toISOString(), embedder, rows }, null, 2));
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
