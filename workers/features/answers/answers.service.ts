import { decide } from '../experiments/experiments.client';
import { generationLimits } from '../personalize/personalize.store';
import { signAnswerRef } from './answers.feedback';
import { DataSet, englishDataset, englishRecommendedTransformers, RegExpMatcher } from 'obscenity';
import type { Deps } from '../../deps';
import { z } from '@hono/zod-openapi';
import { lessonPageHref, noSuchCourse } from '../content/content.catalog';
import { AppError } from '../../http/problem';
import { sha256Hex } from '../../platform/sha256';
import { remembered } from '../../platform/memo';
import { chunkProse } from '../search/search.domain';
import { rankChunks, titleHolds, type CorpusWords } from '../search/search.query';
import { memoStemmer, queryTerms, supports, tokenize } from '../search/search.relevance';
import type { SearchHitRow } from '../search/search.store';
import { GenerationError, type TextGenerator } from '../../platform/text-generator';
import { steeringSign } from '../personalize/personalize.check';
import { budgetDay, estimateCostUsd } from '../personalize/personalize.domain';
import {
  composeAnswer,
  claimOf,
  definedTerm,
  definesTerm,
  comparedPart,
  extractiveAnswer,
  normalizeQuestion,
  NOT_COVERED,
  parseAnswer,
  verifyAnswer,
  withoutMarkup,
  type AnswerSentence,
  type Passage,
} from './answers.domain';
import { ANSWER_PROMPT_VERSION, answerPrompt } from './answers.prompts';
import { AnswerSchema, type Answer, type AskRequest, type Suggestion } from './answers.schemas';

type AnswerDeps = Pick<
  Deps,
  | 'search'
  | 'embedder'
  | 'vectorIndex'
  | 'content'
  | 'cache'
  | 'logger'
  | 'learner'
  | 'personalize'
  | 'textGenerator'
  | 'config'
  | 'meter'
>;

/** Passages an answer is drawn from, at most. */
const PASSAGES = 6;
/** Chunks asked of search before the current lesson's are moved up. */
const RETRIEVED = 12;
/** How much a chunk of the lesson the learner is reading is preferred (its fused score multiplied). */
const CURRENT_LESSON_BIAS = 1.3;
/** How much a chunk saying plainly what a definition question's term is ("A foreign key is…") is preferred. */
const DEFINITION_BIAS = 2;
/** How much a definition question prefers passages of a lesson whose title holds the term. */
const TITLE_BIAS = 1.5;
/** Chunks introducing a definition question's term (in bold) added to the retrieved ones, at most. */
const DEFINING_CHUNKS = 2;
const SUGGESTIONS = 3;
/** Answers are kept this long, or until any lesson or source changes (their key names the chunks' generation). */
const CACHE_TTL_SECONDS = 86_400;
/** Names what an offline answer was made by; a new engine changes it, so nothing stale is served. */
const OFFLINE_VERSION = 'offline-v13';

/**
 * Words of obscenity's English list that learners' data and names use plainly: a
 * dataset's `sex` column, a running total's `cum_sum`, Dick Smith, a stopcock, clinical
 * terms of a health dataset, crime statistics, Spanish `negro`. Insults, slurs and
 * vulgarities stay refused.
 */
const PLAIN_WORDS = new Set([
  'anal',
  'anus',
  'cock',
  'cum',
  'dick',
  'ejaculate',
  'incest',
  'negro',
  'penis',
  'prick',
  'rape',
  'scat',
  'semen',
  'sex',
  'tit',
  'vagina',
]);
/** Profanity and slurs, with the obfuscations people use (a maintained list, not one of ours), less PLAIN_WORDS. */
const profanity = new RegExpMatcher({
  ...new DataSet<{ originalWord: string }>()
    .addAll(englishDataset)
    .removePhrasesIf((phrase) => PLAIN_WORDS.has(phrase.metadata?.originalWord ?? ''))
    .build(),
  ...englishRecommendedTransformers,
});

/** Whether a question holds offensive words; remembered for 1,000 questions, so a repeated one is not matched again. */
const offensive = remembered(1_000, (question: string) => profanity.hasMatch(question));

/**
 * Answers a learner's question from the course (and, with scope `all`, the uploaded
 * sources): retrieval by the hybrid search (the current lesson preferred), the
 * sentences of the passages that answer it (the offline engine), each citation
 * verified against its passage, related lessons as suggestions. Cached by the
 * normalized question, scope, lesson and format under the chunks' generation, so a
 * repeat costs one KV read and any push makes older answers miss.
 */
export async function answerQuestion(
  deps: AnswerDeps,
  /** `query`: the question as retrieval and the engines take it (a follow-up made standalone), else the question. */
  input: AskRequest & { learnerId: string; now: Date; query?: string },
  /** Told, once the question is accepted, whether the answer is cached and which engine is asked first. */
  onMeta: (meta: { scope: Answer['scope']; engine: Answer['engine']; cached: boolean }) => void = () => undefined,
): Promise<Answer> {
  const { learnerId, now, query: standalone, ...asked } = input;
  const ask = { ...asked, query: standalone ?? asked.question };
  if (offensive(ask.question)) {
    throw new AppError('validation_failed', 'Please ask without offensive words', {
      errors: [{ field: 'json/question', message: 'holds words this course does not answer; ask it another way' }],
    });
  }
  const [lessonCourse, namedCourse] = await Promise.all([
    ask.lessonSlug === undefined ? null : deps.content.lessonCourse(ask.lessonSlug),
    ask.course === undefined ? null : deps.content.course(ask.course),
  ]);
  if (ask.lessonSlug !== undefined && lessonCourse === null) {
    throw new AppError('not_found', `No lesson ${ask.lessonSlug}`, {
      errors: [{ field: 'json/lessonSlug', message: 'is not a lesson of this course' }],
    });
  }
  if (ask.course !== undefined && namedCourse === null) throw noSuchCourse(ask.course, 'json/course');
  // Scope course: the course asked for, else the lesson's, else the whole catalog's lessons.
  const courseId = ask.scope === 'course' ? (ask.course ?? lessonCourse ?? undefined) : undefined;
  const hash = await sha256Hex(
    JSON.stringify([normalizeQuestion(ask.query), ask.scope, courseId ?? null, ask.lessonSlug ?? null, ask.format]),
  );
  // The engine's cached answer and the chunks' generation are read at once: an answer
  // counts only when it was built at the generation the chunks are at now (a push moves it on).
  const engineAndCache = async () => {
    // Consent to a model matters only where one is configured: without one, no call to the learner's object.
    const profile = deps.textGenerator ? await deps.learner(learnerId).profile(learnerId) : null;
    // A learner who declined a language model is answered by the offline engine, cache included;
    // so is one whom a flag or an experiment on `answers.engine` puts on it.
    const generator =
      profile?.consent.model && deps.textGenerator && (await decide(deps, learnerId, 'answers.engine', 'auto')).value === 'auto'
        ? deps.textGenerator
        : null;
    const key = `answers:${generator ? `model:${generator.model}:${ANSWER_PROMPT_VERSION}` : OFFLINE_VERSION}:${hash}`;
    return { generator, key, cached: await deps.cache.getJson(key, CachedAnswerSchema) };
  };
  const [generation, { generator, key, cached }] = await Promise.all([deps.search.generation(), engineAndCache()]);
  const hit = cached?.generation === generation ? cached.answer : null;
  onMeta({ scope: ask.scope, engine: hit?.engine ?? (generator ? 'model' : 'offline'), cached: hit !== null });
  // Each learner gets their own id for the same answer: feedback is theirs to give.
  const withId = async (answer: Answer): Promise<Answer> => {
    const lesson = answer.citations.find((c) => c.lessonSlug)?.lessonSlug ?? answer.suggestions[0]?.lessonSlug;
    const ref = { k: hash.slice(0, 16), e: answer.engine, l: lesson ?? ask.lessonSlug ?? null };
    return { ...answer, answerId: await signAnswerRef(deps.config.LEARNER_TOKEN_SECRET, learnerId, ref) };
  };
  // A repeat costs no model call: its usage is nothing.
  if (hit) return withId({ ...hit, question: ask.question, cached: true, usage: NO_USAGE });

  const { passages, related, corpus } = await retrieve(deps, { ...ask, courseId });
  const drafted = generator
    ? await modelDraft(deps, generator, {
        learnerId,
        now,
        question: ask.query,
        passages,
        corpus,
        courseId: courseId ?? lessonCourse ?? undefined,
      })
    : { sentences: extractiveAnswer(ask.query, passages, corpus), engine: 'offline' as const, note: null, usage: NO_USAGE };
  const { kept, removed } = verifyAnswer(drafted.sentences, passages);
  if (removed > 0) deps.logger.log('warn', 'answers.unsupported_removed', { engine: drafted.engine, removed });
  const { answer, citations } = composeAnswer(kept, passages, ask.format);
  const cited = new Set(citations.flatMap((c) => (c.lessonSlug ? [c.lessonSlug] : [])));
  const result: Answer = {
    answerId: '',
    question: ask.question,
    scope: ask.scope,
    answer,
    covered: citations.length > 0,
    citations,
    suggestions: related.filter((s) => !cited.has(s.lessonSlug)).slice(0, SUGGESTIONS),
    engine: drafted.engine,
    engineNote: drafted.note,
    cached: false,
    usage: drafted.usage,
  };
  // An offline answer standing in for the model (budget, failure) is not kept under the model's key.
  if (drafted.engine === 'offline' && generator) return withId(result);
  // Shared by everyone who asks the same: the words this learner typed are not kept (they go with an erase).
  await deps.cache.putJson(key, { generation, answer: { ...result, question: '' } }, { ttlSeconds: CACHE_TTL_SECONDS });
  return withId(result);
}

/** An answer as the cache keeps it, with the chunks' generation it was built at. */
const CachedAnswerSchema = z.object({ generation: z.string(), answer: AnswerSchema });

const NO_USAGE = { promptTokens: 0, completionTokens: 0, costUsd: 0 };

interface Draft {
  sentences: AnswerSentence[];
  engine: 'model' | 'offline';
  /** Why the offline engine answered although a model is configured. */
  note: string | null;
  usage: Answer['usage'];
}

/**
 * The model's draft, within the learner's and the platform's daily model budget (the
 * one personalization draws on). The offline engine answers instead, saying why, when
 * the budget is spent, the model fails, or its answer shows signs of being steered by
 * the question or a passage (the canary, its instructions, a link the passages lack).
 * Raw HTML in the answer is dropped; citations are verified by the caller.
 */
async function modelDraft(
  deps: AnswerDeps,
  generator: TextGenerator,
  /** `courseId`: the course the question is about (its budget hits count there), if one. */
  input: {
    learnerId: string;
    now: Date;
    question: string;
    passages: Passage[];
    corpus: CorpusWords;
    courseId?: string | undefined;
  },
): Promise<Draft> {
  const { learnerId, now, question, passages, corpus, courseId } = input;
  const offline = (note: string, usage = NO_USAGE): Draft => ({
    sentences: extractiveAnswer(question, passages, corpus),
    engine: 'offline',
    note,
    usage,
  });
  if (passages.length === 0) return { sentences: [], engine: 'model', note: null, usage: NO_USAGE };
  const day = budgetDay(now);
  const reserved = await deps.personalize.reserveGeneration(learnerId, day, generationLimits(deps.config), 'answers', courseId);
  if (reserved !== 'reserved') {
    return offline(
      reserved === 'learner_spent'
        ? `You have used today's ${deps.config.GENERATION_DAILY_BUDGET} model answers and personalized lessons, so this answer was built offline. The model is back tomorrow (UTC).`
        : "The platform has used today's model budget, so this answer was built offline. The model is back tomorrow (UTC).",
    );
  }
  const prompt = answerPrompt(question, passages);
  deps.meter.modelCalls++;
  let generation;
  try {
    generation = await generator.generate(prompt.messages, { feature: 'answers' });
  } catch (error) {
    if (!(error instanceof GenerationError)) throw error;
    // Nothing usable came back, so the learner is not charged for it.
    await deps.personalize.releaseGeneration(learnerId, day);
    deps.logger.log('warn', 'answers.model_failed', { kind: error.kind, attempts: error.attempts, error: error.message });
    return offline('The model is unavailable right now, so this answer was built offline.');
  }
  const usage = {
    promptTokens: generation.promptTokens,
    completionTokens: generation.completionTokens,
    costUsd: estimateCostUsd(generation, {
      inputPerMTok: deps.config.OPENAI_INPUT_USD_PER_MTOK,
      outputPerMTok: deps.config.OPENAI_OUTPUT_USD_PER_MTOK,
    }),
  };
  const steered = steeringSign(prompt.data, generation.text, prompt.guard, 'passages');
  if (steered) {
    deps.logger.log('warn', 'answers.output_rejected', { reason: steered });
    return offline("The model's answer failed a safety check, so this answer was built offline.", usage);
  }
  const text = withoutMarkup(generation.text);
  const sentences = text.trim().startsWith(NOT_COVERED) ? [] : parseAnswer(text);
  return { sentences, engine: 'model', note: null, usage };
}

/** A chunk's text as plain prose; remembered for 2,000 chunks by id (it holds the chunk's content hash). */
const proseOf = remembered(
  2_000,
  (row: SearchHitRow) => withoutMarkup(chunkProse(row.text, row.headingPath)),
  (row) => row.id,
);

/** A chunk as a passage numbered `n`, its text as plain prose. */
function passageOf(row: SearchHitRow, n: number): Passage {
  return {
    n,
    kind: row.itemKind,
    itemId: row.itemId,
    courseId: row.courseId,
    title: row.title,
    headingPath: row.headingPath,
    anchor: row.anchor,
    page: row.page,
    text: proseOf(row),
  };
}

/**
 * The passages to answer from and the lessons related to the question. Scope lesson:
 * that lesson's chunks holding a query word, in order. Otherwise the hybrid search's
 * best chunks (one course's lessons, or the catalog's, for scope course), those of the current lesson moved up.
 */
async function retrieve(
  deps: AnswerDeps,
  ask: AskRequest & { query: string; courseId: string | undefined },
): Promise<{ passages: Passage[]; related: Suggestion[]; corpus: CorpusWords }> {
  // A claim is looked up without its "…, right?", a comparison by its sides.
  const query = claimOf(ask.query) ?? comparedPart(ask.query) ?? ask.query;
  const filter = ask.scope === 'all' ? {} : { sourceType: 'lesson', courseId: ask.courseId };
  // A definition is looked up where a lesson introduces the term too (in bold), however it ranks.
  const term = ask.scope === 'lesson' ? null : definedTerm(ask.query);
  // The ranked chunks come with their text: no snippets to build, and no second read of them.
  const [{ found, corpus }, defining] = await Promise.all([
    rankChunks(deps, { query, limit: RETRIEVED, group: 'chunk', filter }),
    term ? deps.search.definingChunks(term, filter, DEFINING_CHUNKS) : Promise.resolve([]),
  ]);
  const lessons = found.filter((h) => h.row.itemKind === 'lesson').map((h) => h.row);
  const related = [...new Map(lessons.map((h) => [h.itemId, h])).values()].map((h) => ({
    lessonSlug: h.itemId,
    title: h.title,
    href: lessonPageHref(h.courseId, h.itemId),
  }));
  if (ask.scope === 'lesson' && ask.lessonSlug) {
    const stemOf = memoStemmer();
    const terms = queryTerms(query, stemOf);
    const rows = (await deps.search.itemChunks('lesson', ask.lessonSlug)).filter((r) => supports(terms, r.text, stemOf));
    return { passages: rows.slice(0, PASSAGES).map((r, i) => passageOf(r, i + 1)), related, corpus };
  }
  const unranked = defining.filter((id) => !found.some((h) => h.row.id === id));
  // Ranked with the best found: preferred to it only when it says plainly what the term is (see `definesTerm`).
  const best = found[0]?.score ?? 1;
  const introducing = (unranked.length > 0 ? await deps.search.hydrate(unranked) : []).map((row) => ({
    row: { ...row, score: best, via: [] },
    score: best,
  }));
  // A term is taught in the lessons named after it ("what is a join?": the join lessons, not one that uses joins).
  const stemOf = memoStemmer();
  const termStems = term ? tokenize(term).map((t) => stemOf(t.word)) : [];
  const titled = (title: string) => termStems.length > 0 && titleHolds(title, termStems, stemOf);
  const candidates = [...found, ...introducing].map((h, i) => {
    const passage = passageOf(h.row, i + 1);
    const score =
      h.score *
      (h.row.itemId === ask.lessonSlug ? CURRENT_LESSON_BIAS : 1) *
      (term && titled(h.row.title) ? TITLE_BIAS : 1) *
      (term && definesTerm(term, passage.text) ? DEFINITION_BIAS : 1);
    return { passage, score };
  });
  const ranked = candidates.sort((a, b) => b.score - a.score).slice(0, PASSAGES);
  return { passages: ranked.map((h, i) => ({ ...h.passage, n: i + 1 })), related, corpus };
}
