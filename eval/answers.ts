/**
 * `npm run eval -- answers`: starts the Worker on its own fresh state with the sample
 * course, asks every question of `seeds/eval/answer-questions.yaml` through
 * `POST /api/answers` (scope course) as one learner, and scores the answers against the
 * gold passages (lesson and heading anchor) and key facts written before any answer was
 * seen. Per engine: citation precision (cited passages that are gold), citation recall
 * (in-scope questions citing a gold passage), key-fact recall (facts the answer states
 * word for word), in-scope questions answered, out-of-scope questions refused ("The
 * course does not cover this."), and p50 latency. The offline engine always; a model
 * when OPENAI_API_KEY (and OPENAI_BASE_URL, OPENAI_MODEL) are set.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { startSeededServer } from '../scripts/local-server';
import { percentile } from '../bench/measure';

const PERSIST_TO = '.wrangler/eval-answers-state';

const QuestionsSchema = z.object({
  questions: z.array(
    z.object({
      id: z.string(),
      question: z.string(),
      gold: z.array(z.object({ lesson: z.string(), anchor: z.string() })),
      facts: z.array(z.string()),
      out_of_scope: z.boolean().optional(),
    }),
  ),
});
type Question = z.infer<typeof QuestionsSchema>['questions'][number];

const AnswerSchema = z.object({
  answer: z.string(),
  covered: z.boolean(),
  engine: z.enum(['offline', 'model']),
  citations: z.array(z.object({ lessonSlug: z.string().optional(), anchor: z.string().optional() })),
});

export interface AnswerScores {
  engine: string;
  questions: number;
  citationPrecision: number;
  citationRecall: number;
  factRecall: number;
  answeredInScope: number;
  refusedOutOfScope: number;
  p50Ms: number;
  misses: string[];
  /** Out-of-scope questions the engine answered instead of refusing. */
  answeredOutOfScope: string[];
}

const ratio = (n: number, d: number) => (d === 0 ? 0 : n / d);

/** Scores one engine's answers to the gold set (see the module comment). */
export function scoreAnswers(
  engine: string,
  asked: { question: Question; answer: z.infer<typeof AnswerSchema>; ms: number }[],
): AnswerScores {
  const inScope = asked.filter((a) => !a.question.out_of_scope);
  const outOfScope = asked.filter((a) => a.question.out_of_scope);
  const isGold = (q: Question, c: { lessonSlug?: string; anchor?: string }) =>
    q.gold.some((g) => g.lesson === c.lessonSlug && g.anchor === (c.anchor ?? ''));
  const cited = inScope.flatMap((a) => a.answer.citations.map((c) => isGold(a.question, c)));
  const facts = inScope.flatMap((a) => a.question.facts.map((f) => a.answer.answer.toLowerCase().includes(f.toLowerCase())));
  return {
    engine,
    questions: asked.length,
    citationPrecision: ratio(cited.filter(Boolean).length, cited.length),
    citationRecall: ratio(inScope.filter((a) => a.answer.citations.some((c) => isGold(a.question, c))).length, inScope.length),
    factRecall: ratio(facts.filter(Boolean).length, facts.length),
    answeredInScope: ratio(inScope.filter((a) => a.answer.covered).length, inScope.length),
    refusedOutOfScope: ratio(outOfScope.filter((a) => !a.answer.covered).length, outOfScope.length),
    p50Ms: percentile(
      asked.map((a) => a.ms),
      50,
    ),
    misses: inScope.filter((a) => !a.answer.citations.some((c) => isGold(a.question, c))).map((a) => a.question.id),
    answeredOutOfScope: outOfScope.filter((a) => a.answer.covered).map((a) => a.question.id),
  };
}

async function askAll(port: number, questions: Question[], vars: Record<string, string>, engine: string) {
  const { server } = await startSeededServer({ port, persistTo: PERSIST_TO, vars, raisedLimits: true });
  try {
    const created = await fetch(`${server.url}/api/learners`, { method: 'POST' });
    const { token } = z.object({ token: z.string() }).parse(await created.json());
    const asked = [];
    for (const question of questions) {
      const started = performance.now();
      const response = await fetch(`${server.url}/api/answers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ question: question.question, scope: 'course' }),
      });
      const ms = performance.now() - started;
      if (!response.ok) throw new Error(`${question.id}: ${response.status} ${await response.text()}`);
      asked.push({ question, answer: AnswerSchema.parse(await response.json()), ms });
    }
    return scoreAnswers(engine, asked);
  } finally {
    await server.stop();
  }
}

/** Runs the evaluation; the report as a markdown table with each engine's misses. */
export async function evaluateAnswers(port: number): Promise<{ report: string; scores: AnswerScores[] }> {
  const { questions } = QuestionsSchema.parse(parse(readFileSync('seeds/eval/answer-questions.yaml', 'utf8')));
  const scores = [await askAll(port, questions, {}, 'offline')];
  const { OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_MODEL } = process.env;
  if (OPENAI_API_KEY) {
    const vars = { OPENAI_API_KEY, ...(OPENAI_BASE_URL ? { OPENAI_BASE_URL } : {}), ...(OPENAI_MODEL ? { OPENAI_MODEL } : {}) };
    scores.push(await askAll(port, questions, vars, `model ${OPENAI_MODEL ?? ''}`.trim()));
  }
  const inScope = questions.filter((q) => !q.out_of_scope).length;
  const f = (n: number) => n.toFixed(2);
  const lines = [
    `${inScope} in-scope and ${questions.length - inScope} out-of-scope questions (seeds/eval/answer-questions.yaml), scope course`,
    '',
    '| engine | citation precision | citation recall | key-fact recall | in-scope answered | out-of-scope refused | p50 ms |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...scores.map(
      (s) =>
        `| ${s.engine} | ${f(s.citationPrecision)} | ${f(s.citationRecall)} | ${f(s.factRecall)} | ${f(s.answeredInScope)} | ${f(s.refusedOutOfScope)} | ${s.p50Ms} |`,
    ),
    '',
    ...scores.flatMap((s) => [
      `${s.engine} misses (no gold citation): ${s.misses.join(', ') || 'none'}`,
      `${s.engine} out-of-scope questions answered: ${s.answeredOutOfScope.join(', ') || 'none'}`,
    ]),
  ];
  return { report: lines.join('\n'), scores };
}
