import { stemmer } from 'stemmer';
import { remembered } from '../../platform/memo';

/**
 * Words that say nothing about what a result is about: English function words, and
 * words naming the course's own structure ("lesson", "chapter"), which every lesson
 * matches. They still rank (BM25 weighs them by rarity, and "why" or "without" help a
 * paraphrased question find its passage); they only never make a result relevant alone.
 */
const STOP_WORDS = new Set(
  (
    'a about also am an and are as at be because been being but by can could did do does doing done for from get ' +
    'gets got had has have having he her here hers him his how i if in into is it its itself just let me might mine ' +
    'much must my myself no nor not now of on or our ours shall she should so some such than that the their theirs ' +
    'them then there these they this those through to too until upon us very via was we were what whatever when ' +
    'where whether which while who whom whose why will with would yet you your yours yourself ' +
    'chapter chapters course courses lesson lessons'
  ).split(' '),
);

/** Whether a (lower-case) word is a function word or names the course's structure. */
export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word);
}

const STOP_STEMS = new Set([...STOP_WORDS].map((w) => stemmer(w)));

/** Whether an index stem is a stop word's ("would", "lesson"): never what a misspelt content word meant. */
export function isStopStem(stem: string): boolean {
  return STOP_STEMS.has(stem);
}

/** A word of a text with its place: `word` is lower case, without diacritics. */
export interface Token {
  word: string;
  raw: string;
  index: number;
}

/**
 * The words of a text as the full-text index splits them (unicode61: runs of letters
 * and digits, case and diacritics folded), with their offsets in `text`.
 */
export function tokenize(text: string): Token[] {
  // Plain ASCII has no diacritics to fold: most course text is, and folding is the costly part.
  const fold = /\P{ASCII}/u.test(text) ? foldWord : (word: string) => word.toLowerCase();
  return [...text.matchAll(/[\p{L}\p{N}]+/gu)].map((m) => ({ word: fold(m[0]), raw: m[0], index: m.index }));
}

function foldWord(word: string): string {
  return word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * Function words a text writes in capitals, as a keyword of code (WHERE, HAVING, IS NULL's
 * IS), in lower case: they carry its meaning ("the difference between WHERE and HAVING").
 * None when the whole text is in capitals: that is shouting, not code.
 */
export function capitalKeywords(text: string, tokens: readonly Token[] = tokenize(text)): Set<string> {
  if (!/\p{Ll}/u.test(text)) return new Set();
  return new Set(tokens.filter(isCapitalKeyword).map((t) => t.word));
}

/** Whether a word is a function word written in capitals, as a keyword (WHERE, IS; not Where or where). */
export function isCapitalKeyword(token: Token): boolean {
  return token.raw.length > 1 && /^[A-Z]+$/.test(token.raw) && STOP_WORDS.has(token.word);
}

/** Two things compared: "X vs Y", "X versus Y", "X instead of Y", "the difference between X and Y" (X and Y may say "clause"). */
const COMPARED =
  /\b(\p{L}+)(?:\s+(?:clauses?|keywords?|statements?|operators?))?\s+(?:vs\.?|versus|instead\s+of)\s+(\p{L}+)|\bdifferences?\s+between\s+(\p{L}+)(?:\s+(?:clauses?|keywords?|statements?|operators?))?\s+and\s+(\p{L}+)/giu;
/** Function words that are never a compared keyword ("this vs that", "between you and me"). */
const NEVER_COMPARED = new Set(
  'a an the i me my you your it its this that these those we us our they them he she one'.split(' '),
);

/**
 * Function words a query compares, in whatever case: "where vs having" and "the difference
 * between where and having" compare keywords, not English, as "WHERE vs HAVING" does.
 */
export function comparedKeywords(query: string): string[] {
  return [...query.matchAll(COMPARED)].flatMap((m) =>
    m
      .slice(1)
      .flatMap((side) => (side === undefined ? [] : [side.toLowerCase()]))
      .filter((side) => STOP_WORDS.has(side) && !NEVER_COMPARED.has(side)),
  );
}

/** What of a query can make a chunk relevant. */
export interface QueryTerms {
  /** Stems of the query's content words: a chunk holding any of them is supported. */
  stems: ReadonlySet<string>;
  /**
   * Function words the query writes in capitals (`capitalKeywords`: WHERE, HAVING), and
   * for a query of function words only without any, all its words in capitals: a chunk
   * is supported where it writes them so, as keywords (`NOT IN`, `AS`), never where they
   * are ordinary prose ("no such", "how to"). Capitals the learner wrote: any one of
   * them supports a chunk; a query of function words only: every one must.
   */
  keywords: readonly string[];
  /** Whether a chunk writing any one keyword is supported (else it must write every one). */
  anyKeyword: boolean;
}

/**
 * The terms a result must hold for `query` to support it. Single characters ("a", "2")
 * are left out: nearly every chunk has them.
 */
export function queryTerms(query: string, stemOf: (word: string) => string = rememberedStem): QueryTerms {
  const tokens = tokenize(query);
  const words = [...new Set(tokens.map((t) => t.word))].filter((w) => w.length > 1);
  const content = words.filter((w) => !STOP_WORDS.has(w));
  const capitals = [...new Set([...capitalKeywords(query, tokens), ...comparedKeywords(query)])];
  return {
    stems: new Set(content.map(stemOf)),
    keywords: (capitals.length > 0 ? capitals : content.length === 0 ? words : []).map((w) => w.toUpperCase()),
    anyKeyword: capitals.length > 0,
  };
}

/** What a question asks about: its content words' stems, and the keywords it writes in capitals (as written). */
export function askedTerms(terms: QueryTerms): Set<string> {
  return new Set([...terms.stems, ...(terms.anyKeyword ? terms.keywords : [])]);
}

/** Whether a query has anything a result could be relevant to. */
export function hasTerms(terms: QueryTerms): boolean {
  return terms.stems.size > 0 || terms.keywords.length > 0;
}

/** What `supports` reads of a chunk: the stems of its words, and its words as written. */
export interface ChunkWords {
  stems: ReadonlySet<string>;
  written: ReadonlySet<string>;
}

/** The words of a chunk's text as `supports` reads them. */
export function chunkWords(chunkText: string, stemOf: (word: string) => string = rememberedStem): ChunkWords {
  const tokens = tokenize(chunkText);
  return { stems: new Set(tokens.map((t) => stemOf(t.word))), written: new Set(tokens.map((t) => t.raw)) };
}

/**
 * Whether a chunk (its text, or its words read once by `chunkWords`) holds what the query
 * is about: a content word's stem, or its keywords in capitals (see `QueryTerms.keywords`).
 */
export function supports(
  terms: QueryTerms,
  chunk: string | ChunkWords,
  stemOf: (word: string) => string = rememberedStem,
): boolean {
  const { stems, written } = typeof chunk === 'string' ? chunkWords(chunk, stemOf) : chunk;
  if ([...terms.stems].some((s) => stems.has(s))) return true;
  if (terms.keywords.length === 0) return false;
  return terms.anyKeyword ? terms.keywords.some((k) => written.has(k)) : terms.keywords.every((k) => written.has(k));
}

/** The stemmer remembering its answers across requests (at most 50,000 words): texts repeat most of their words, and a course's vocabulary is small. */
const rememberedStem = remembered(50_000, stemmer);

/** A stemmer that remembers its answers: a chunk repeats most of its words. */
export function memoStemmer(): (word: string) => string {
  return rememberedStem;
}

/**
 * The least vector similarity that supports a chunk holding no query word, by embedder
 * id prefix, measured on the sample course against its 48 evaluation questions and
 * queries about other subjects. Hashing embedder (`search.quality.test.ts` checks it):
 * its similarity is mostly shared function words, so unrelated queries reached 0.59
 * ("the the the xyzzyqq"; 0.67 for "the"), while no answer sharing no word with its
 * question scored above 0.26: no threshold tells them apart, and the floor sits above
 * all the noise. USE lite (the local semantic server's model, measured in Node):
 * unrelated queries at most 0.47; answers sharing no word scored 0.24-0.49, and with the
 * floor vector-only recall@5 went from 0.56 to 0.54 and MRR from 0.40 to 0.42.
 */
const VECTOR_FLOORS: readonly (readonly [prefix: string, floor: number])[] = [
  ['hash-v2-', 0.7],
  ['openai:use-lite-en:', 0.5],
];

/**
 * The vector floor of an embedder. One not measured has none to go by: a guess would
 * either pass noise or hide paraphrases, so its vector hits need a query word too
 * until it is measured and listed above.
 */
export function vectorFloor(embedderId: string): number {
  return VECTOR_FLOORS.find(([prefix]) => embedderId.startsWith(prefix))?.[1] ?? Number.POSITIVE_INFINITY;
}

/** How many typos a word of this length may hold and still be recognized: one, two from 7 letters on. */
export function typoReach(word: string): number {
  return word.length >= 7 ? 2 : 1;
}

/** Where each letter sits on a QWERTY keyboard (column, row), its rows staggered as the keys are. */
const KEYS = new Map(
  ['qwertyuiop', 'asdfghjkl', 'zxcvbnm'].flatMap((row, y) =>
    [...row].map((key, x) => [key, [x + [0, 0.25, 0.75][y]!, y]] as const),
  ),
);
const VOWELS = new Set('aeiou');

/**
 * What mistyping `a` for `b` costs: one edit for a neighbouring key ("sirt" for "sort")
 * or one vowel for another ("seperate"), two for any other letter, so "yolk" is not a
 * slip for "york" (l and r lie apart).
 */
function substitution(a: string, b: string): number {
  if (a === b) return 0;
  if (VOWELS.has(a) && VOWELS.has(b)) return 1;
  const p = KEYS.get(a);
  const q = KEYS.get(b);
  return p && q && Math.hypot(p[0] - q[0], p[1] - q[1]) < 1.3 ? 1 : 2;
}

/**
 * Edit distance between two short words as typing slips: a letter left out or added and
 * two neighbouring letters swapped ("wehre") cost one edit each, a letter replaced one
 * or two (see `substitution`). Stops past `max`.
 */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      let cost = Math.min(
        (previous[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + substitution(a[i - 1] ?? '', b[j - 1] ?? ''),
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) cost = Math.min(cost, (before[j - 2] ?? 0) + 1);
      row[j] = cost;
    }
    // A swap reaches back two rows: stop only when neither this row nor the last can come back under `max`.
    if (Math.min(...row) > max && Math.min(...previous) + 1 > max) return max + 1;
    before = previous;
    previous = row;
  }
  return previous[b.length] ?? max + 1;
}

/**
 * Lessons to offer when a query found nothing: those whose title has a word within one
 * typo (two for words of 7 letters or more) of a content word of the query ("windw",
 * "trasaction"), best first; when none is close, the first lesson of each part, as
 * places to start. At most `limit`.
 */
export function nearLessons<T extends { title: string }>(
  query: string,
  lessons: readonly T[],
  starts: readonly T[],
  limit = 3,
): T[] {
  const words = tokenize(query)
    .map((t) => t.word)
    .filter((w) => w.length >= 4 && !STOP_WORDS.has(w));
  const scored = lessons.flatMap((lesson) => {
    const titleWords = tokenize(lesson.title).map((t) => t.word);
    const within = words.flatMap((w) => {
      const max = typoReach(w);
      return titleWords.map((t) => editDistance(w, t, max)).filter((d) => d <= max);
    });
    const best = Math.min(...within, Number.POSITIVE_INFINITY);
    return best <= 2 ? [{ lesson, best }] : [];
  });
  const near = scored.sort((a, b) => a.best - b.best).map((s) => s.lesson);
  return (near.length > 0 ? near : starts).slice(0, limit);
}
