import { eachOnce, IO_SAMPLES, roundRobin, type Route } from './measure';
import { createLearner, learnerHeaders, type ProgressLearner, type RequestParts } from './progress';

export const ANSWERS_PATH = '/api/answers';
/** An answer the offline engine builds (a cache miss) must stay within this multiple of the floor's p95. */
const MISS_P95_FACTOR = 5;
/** A cached answer must stay within this multiple of the floor's p95. */
const HIT_P95_FACTOR = 2;
/** Measured cache misses, each a question not asked before. */
const MISS_REQUESTS = 120;
/** Questions asked over and over for the cache-hit row. */
const HIT_QUESTIONS = 10;
const ANSWER_LEARNERS = 10;

/** Ways learners ask about a lesson; with every lesson title, more questions than the miss row uses. */
const TEMPLATES = [
  'What is {t}?',
  'How do I use {t}?',
  'Can you explain {t} simply?',
  'When should I use {t}?',
  'What are common mistakes with {t}?',
  'Why does {t} matter?',
  'Give me an example of {t}',
  'What should I know about {t} before a test?',
];

/** Distinct questions about the course's lessons, from their titles. */
export function benchQuestions(titles: readonly string[]): string[] {
  return TEMPLATES.flatMap((template) => titles.map((t) => template.replace('{t}', t.toLowerCase())));
}

export async function givenAnswerLearners(url: string): Promise<ProgressLearner[]> {
  return Promise.all(Array.from({ length: ANSWER_LEARNERS }, (_, i) => createLearner(url, `10.98.0.${i + 1}`)));
}

const askInit =
  (question: string) =>
  (learner: ProgressLearner): RequestParts => ({
    method: 'POST',
    headers: { ...learnerHeaders(learner), 'content-type': 'application/json' },
    body: JSON.stringify({ question, scope: 'course' }),
  });

/**
 * An answer by the offline engine, cache miss (every question asked once: retrieval,
 * extraction, verification and the KV write) and cache hit (ten questions asked before,
 * round-robin: one KV read after the learner's object and the chunks' generation).
 */
export function answerRoutes(url: string, learners: ProgressLearner[], questions: readonly string[]): Route[] {
  const misses = questions.slice(HIT_QUESTIONS);
  if (misses.length < IO_SAMPLES + MISS_REQUESTS) throw new Error(`need ${IO_SAMPLES + MISS_REQUESTS + HIT_QUESTIONS} questions`);
  const hits = questions.slice(0, HIT_QUESTIONS);
  let asked = 0;
  const pairs = hits.map((q, i) => ({ question: q, learner: learners[i % learners.length] as ProgressLearner }));
  return [
    {
      name: 'answer, offline engine, cache miss (POST /api/answers)',
      path: ANSWERS_PATH,
      request: eachOnce(misses, (question) => askInit(question)(learners[asked++ % learners.length] as ProgressLearner)),
      amount: MISS_REQUESTS,
      p95Factor: MISS_P95_FACTOR,
      cached: false,
    },
    {
      name: 'answer, cache hit (POST /api/answers)',
      path: ANSWERS_PATH,
      prepare: async () => {
        for (const { question, learner } of pairs) {
          const parts = askInit(question)(learner);
          const response = await fetch(`${url}${ANSWERS_PATH}`, parts);
          if (!response.ok) throw new Error(`answer failed: ${response.status} ${await response.text()}`);
          await response.arrayBuffer();
        }
      },
      request: roundRobin(pairs, ({ question, learner }) => askInit(question)(learner)),
      p95Factor: HIT_P95_FACTOR,
      cached: true,
    },
  ];
}

/** Time to the first byte of a streamed answer (its `meta` event), over sequential cache misses: p50 and p95 in ms. */
export async function streamFirstByte(
  url: string,
  learner: ProgressLearner,
  questions: readonly string[],
): Promise<{ p50: number; p95: number; samples: number }> {
  const times: number[] = [];
  for (const question of questions) {
    const started = performance.now();
    const response = await fetch(`${url}${ANSWERS_PATH}/stream`, askInit(question)(learner));
    const reader = response.body?.getReader();
    if (!response.ok || !reader) throw new Error(`stream failed: ${response.status}`);
    await reader.read();
    times.push(performance.now() - started);
    while (!(await reader.read()).done);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const at = (p: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0);
  return { p50: at(0.5), p95: at(0.95), samples: times.length };
}
