import { englishDataset, englishRecommendedTransformers, RegExpMatcher } from 'obscenity';
import type { Deps } from '../../deps';
import { AppError } from '../../http/problem';
import { sha256Hex } from '../../platform/sha256';
import { chunkProse } from '../search/search.domain';
import { searchChunks } from '../search/search.query';
import { memoStemmer, queryTerms, supports } from '../search/search.relevance';
import type { SearchHitRow } from '../search/search.store';
import { composeAnswer, extractiveAnswer, normalizeQuestion, verifyAnswer, type Passage } from './answers.domain';
import { AnswerSchema, type Answer, type AskRequest, type Suggestion } from './answers.schemas';

type AnswerDeps = Pick<Deps, 'search' | 'embedder' | 'vectorIndex' | 'content' | 'cache' | 'logger'>;

/** Passages an answer is drawn from, at most. */
const PASSAGES = 6;
/** Chunks asked of search before the current lesson's are moved up. */
const RETRIEVED = 12;
/** How much a chunk of the lesson the learner is reading is preferred (its fused score multiplied). */
const CURRENT_LESSON_BIAS = 1.3;
const SUGGESTIONS = 3;
/** Answers are kept this long, or until any lesson or source changes (their key names the chunks' generation). */
const CACHE_TTL_SECONDS = 86_400;
/** Names what an answer was made by; a new engine or prompt changes it, so nothing stale is served. */
const ENGINE_VERSION = 'offline-v1';

/** Profanity and slurs, with the obfuscations people use (a maintained list, not one of ours). */
const profanity = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });

/**
 * Answers a learner's question from the course (and, with scope `all`, the uploaded
 * sources): retrieval by the hybrid search (the current lesson preferred), the
 * sentences of the passages that answer it (the offline engine), each citation
 * verified against its passage, related lessons as suggestions. Cached by the
 * normalized question, scope, lesson and format under the chunks' generation, so a
 * repeat costs one KV read and any push makes older answers miss.
 */
export async function answerQuestion(deps: AnswerDeps, ask: AskRequest): Promise<Answer> {
  if (profanity.hasMatch(ask.question)) {
    throw new AppError('validation_failed', 'Please ask without offensive words', {
      errors: [{ field: 'json/question', message: 'holds words this course does not answer; ask it another way' }],
    });
  }
  if (ask.lessonSlug !== undefined && (await deps.content.lessonCourse(ask.lessonSlug)) === null) {
    throw new AppError('not_found', `No lesson ${ask.lessonSlug}`, {
      errors: [{ field: 'json/lessonSlug', message: 'is not a lesson of this course' }],
    });
  }
  const generation = await deps.search.generation();
  const key = `answers:${ENGINE_VERSION}:${generation}:${await sha256Hex(
    JSON.stringify([normalizeQuestion(ask.question), ask.scope, ask.lessonSlug ?? null, ask.format]),
  )}`;
  const hit = await deps.cache.getJson(key, AnswerSchema);
  if (hit) return { ...hit, question: ask.question, cached: true };

  const { passages, related } = await retrieve(deps, ask);
  const { kept, removed } = verifyAnswer(extractiveAnswer(ask.question, passages), passages);
  if (removed > 0) deps.logger.log('warn', 'answers.unsupported_removed', { removed });
  const { answer, citations } = composeAnswer(kept, passages, ask.format);
  const cited = new Set(citations.flatMap((c) => (c.lessonSlug ? [c.lessonSlug] : [])));
  const result: Answer = {
    question: ask.question,
    scope: ask.scope,
    answer,
    covered: citations.length > 0,
    citations,
    suggestions: related.filter((s) => !cited.has(s.lessonSlug)).slice(0, SUGGESTIONS),
    engine: 'offline',
    engineNote: null,
    cached: false,
    usage: { promptTokens: 0, completionTokens: 0, costUsd: 0 },
  };
  await deps.cache.putJson(key, result, { ttlSeconds: CACHE_TTL_SECONDS });
  return result;
}

/** A chunk as a passage numbered `n`, its text as plain prose. */
function passageOf(row: SearchHitRow, n: number): Passage {
  return {
    n,
    kind: row.itemKind,
    itemId: row.itemId,
    title: row.title,
    headingPath: row.headingPath,
    anchor: row.anchor,
    page: row.page,
    text: chunkProse(row.text, row.headingPath),
  };
}

/**
 * The passages to answer from and the lessons related to the question. Scope lesson:
 * that lesson's chunks holding a query word, in order. Otherwise the hybrid search's
 * best chunks (lessons only for scope course), those of the current lesson moved up.
 */
async function retrieve(deps: AnswerDeps, ask: AskRequest): Promise<{ passages: Passage[]; related: Suggestion[] }> {
  const found = await searchChunks(deps, {
    query: ask.question,
    limit: RETRIEVED,
    group: 'chunk',
    filter: ask.scope === 'all' ? {} : { sourceType: 'lesson' },
  });
  const lessons = found.hits.filter((h) => h.kind === 'lesson');
  const related = [...new Map(lessons.map((h) => [h.itemId, h.title])).entries()].map(([lessonSlug, title]) => ({
    lessonSlug,
    title,
    href: `/lessons/${lessonSlug}`,
  }));
  if (ask.scope === 'lesson' && ask.lessonSlug) {
    const stemOf = memoStemmer();
    const terms = queryTerms(ask.question, stemOf);
    const rows = (await deps.search.itemChunks('lesson', ask.lessonSlug)).filter((r) => supports(terms, r.text, stemOf));
    return { passages: rows.slice(0, PASSAGES).map((r, i) => passageOf(r, i + 1)), related };
  }
  const score = (h: (typeof found.hits)[number]) => h.score * (h.itemId === ask.lessonSlug ? CURRENT_LESSON_BIAS : 1);
  const ranked = [...found.hits].sort((a, b) => score(b) - score(a)).slice(0, PASSAGES);
  const rows = new Map((await deps.search.hydrate(ranked.map((h) => h.chunkId))).map((r) => [r.id, r]));
  const passages = ranked.flatMap((h) => {
    const row = rows.get(h.chunkId);
    return row ? [row] : [];
  });
  return { passages: passages.map((r, i) => passageOf(r, i + 1)), related };
}
