import { lessonPageHref } from '../content/content.catalog';
import { remembered } from '../../platform/memo';
import {
  askedTerms,
  comparedKeywords,
  isCapitalKeyword,
  isStopWord,
  memoStemmer,
  queryTerms,
  tokenize,
} from '../search/search.relevance';
import { queryWords } from '../search/search.domain';
import { sourceFileUrl } from '../sources/sources.domain';
import { plainText as canonicalText } from '../../platform/words';
import type { CorpusWords } from '../search/search.query';
import type { Citation } from './answers.schemas';

/** What an answer says when no passage supports one. */
export const NOT_COVERED = 'The course does not cover this.';

/** Most sentences an offline answer quotes, and most from one passage. */
const MAX_SENTENCES = 3;
const MAX_PER_PASSAGE = 2;
/** Sentences shorter or longer than these (in words) are headings, captions or run-on lists, not answers. */
const MIN_WORDS = 5;
const MAX_WORDS = 70;
/**
 * A whole sentence of prose, as an answer quotes it: begun as a sentence begins (or with
 * code: `books.author_id is nullable`), ended as one ends. Not a table's row ("all_rows, with_year, genres"), nor a fragment a split left
 * ("your code checks every statement", whose condition went with the sentence before).
 */
const PROSE = /^(?:[\p{Lu}\p{N}"'`(“‘]|[\p{Ll}_]+[._(])[\s\S]*[.!?…:]["'”’)\]]*$/u;
/** How much less of the question's weight than the best sentence a quoted sentence may hold. */
const PARTIAL_MARGIN = 0.25;
/** How much of a question word's weight a sentence holds when only its passage's title or headings hold the word. */
const HEADING_CREDIT = 0.5;
/** Least share of the question's content words the passages must hold for the question to be about them. */
const MIN_PRESENT = 0.4;
/**
 * Least share of an answer sentence's content words its cited passage must hold for
 * the citation to stand (stems, so "rows" in the passage supports "row").
 */
const MIN_SUPPORT = 0.6;

/**
 * Words that ask to compare two things ("the difference between WHERE and HAVING",
 * "WHERE vs HAVING", "HAVING instead of WHERE"). Not "compare": in a course about
 * queries, "compare a value with NULL" asks about comparing, not for a comparison.
 */
const COMPARING = ['difference', 'differ', 'versus', 'vs', 'instead'].map(memoStemmer());
/** Stems of the words of a comparison that name neither side ("between", "when should I use"). */
const COMPARISON_FRAME = new Set(
  [...COMPARING, 'different', 'between', 'use', 'using', 'better', 'rather', 'prefer', 'choose'].map(memoStemmer()),
);

/**
 * Stems of words that frame a question without naming what it is about ("Why is a
 * title a *bad choice* for a key?", "add a *new* column to a table that *already*
 * *exists*", "*make* my query faster"): an answer need not hold them.
 */
const QUESTION_FRAME = new Set(
  [
    'already',
    'bad',
    'best',
    'choice',
    'exactly',
    'fine',
    'good',
    'happen',
    'idea',
    'make',
    'new',
    'ok',
    'okay',
    'possible',
    'really',
    'thing',
    'way',
    'wrong',
  ].map(memoStemmer()),
);

/** The stems a question is about: without its framing words (`QUESTION_FRAME`), unless it has nothing else. */
function aboutWords(stems: Set<string>): Set<string> {
  const about = new Set([...stems].filter((s) => !QUESTION_FRAME.has(s)));
  return about.size > 0 ? about : stems;
}

/** A retrieved passage, numbered as an answer may cite it. */
export interface Passage {
  n: number;
  kind: 'lesson' | 'source';
  itemId: string;
  /** A lesson's course; null for an uploaded source. */
  courseId: string | null;
  title: string;
  headingPath: readonly string[];
  anchor: string;
  page: number | null;
  /** The passage as plain prose: what quotes are taken from and checked against. */
  text: string;
}

/** One sentence of an answer and the passages it cites (their `n`). */
export interface AnswerSentence {
  text: string;
  cites: number[];
}

/** The sentences of plain prose: split after . ! ? before a capital, digit or quote, and at ` · ` block joins. */
export function sentencesOf(prose: string): string[] {
  return prose
    .split(/(?<=[.!?])\s+(?=[A-Z0-9"'`(“])|\s+·\s+/u)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * Stems of a text's content words (no function words, no single characters), and the
 * function words it writes in capitals as they are written (WHERE, HAVING: keywords,
 * as a question's `QueryTerms.keywords` names them).
 */
function contentStems(text: string, stemOf: (word: string) => string): Set<string> {
  return new Set(
    tokenize(text).flatMap((t) => {
      if (t.word.length < 2) return [];
      if (!isStopWord(t.word)) return [stemOf(t.word)];
      return isCapitalKeyword(t) ? [t.raw] : [];
    }),
  );
}

/** A sentence of a passage as the engine and the verifier read it: its content stems and how many words it has. */
interface ReadSentence {
  text: string;
  stems: Set<string>;
  words: number;
}

/**
 * A passage's text read into sentences (the engine drafts from them, the verifier checks
 * against them), and the stems of all of them; remembered for 1,000 texts, as the same
 * chunks answer many questions.
 */
const readPassage = remembered(1_000, (text: string): { sentences: ReadSentence[]; stems: Set<string> } => {
  const stemOf = memoStemmer();
  const sentences = sentencesOf(text).map((s) => ({ text: s, stems: contentStems(s, stemOf), words: tokenize(s).length }));
  return { sentences, stems: new Set(sentences.flatMap((s) => [...s.stems])) };
});

/**
 * The offline engine: the sentences of the passages that answer the question, each
 * citing its passage. Nothing when the passages hold under 40% of the question's
 * content words (`heldShare`: by count and by rarity in the whole index, from
 * `corpus`): the question is about something else. A sentence is weighed by the
 * question's words the passages hold that it holds too (rarer among the passages'
 * sentences weighs more; a word only its passage's title or headings hold counts half)
 * and must hold at least half of that weight (all of it when the passages hold one
 * word of the question; two words of its own when it needs its headings to get there),
 * and no less than the best sentence's share minus a quarter; earlier passages, ranked
 * better by retrieval, are preferred. At most three sentences, two from one passage, in
 * the order the passages and the text give them. A question stating a claim the
 * passages contradict (or confirm) gets the sentence that shows it first, led by "Not
 * quite:" (or "Yes:"), see `checkClaim`.
 */
export function extractiveAnswer(question: string, passages: readonly Passage[], corpus?: CorpusWords): AnswerSentence[] {
  const stemOf = memoStemmer();
  // A definition is about its whole term, framing words included ("a new table"), and nothing
  // else ("what *exactly* is…"); other questions are about their words but the framing ones.
  const term = definedTerm(question);
  // "…, right?" asks nothing about "right".
  const terms = queryTerms(claimOf(question) ?? question, stemOf);
  // Keywords the learner wrote in capitals weigh as words ("WHERE and HAVING"); a misspelt
  // word as the word the index read it as ("runing": "run").
  const all = new Set([...askedTerms(terms)].map((s) => corpus?.corrected.get(s) ?? s));
  const termWords = term ? contentStems(term, stemOf) : null;
  const asked = termWords ? new Set([...all].filter((s) => termWords.has(s))) : aboutWords(all);
  if (namesSomethingElse(question, corpus, stemOf) || namesUnshownStatement(question, passages)) return [];
  // A comparison is about its sides: "difference" or "between" need not be in the answer, each side must.
  const sides = comparedSides(asked);
  const stems = sides ?? asked;
  if (stems.size === 0) return [];
  const candidates = passages.flatMap((passage, rank) => {
    // A passage's title and headings say what each of its sentences is about ("Subqueries in FROM").
    const context = contentStems([passage.title, ...passage.headingPath].join(' · '), stemOf);
    return readPassage(passage.text).sentences.map(({ text, stems: own, words }, index) => ({
      passage,
      rank,
      index,
      text,
      stems: own,
      words,
      context,
    }));
  });
  // Words no passage holds tell nothing about which sentence answers; too many of them and the question is about something else.
  const present = [...stems].filter((s) => candidates.some((c) => c.stems.has(s)));
  if (heldShare(present, stems, (s) => rarity(s, corpus, stemOf)) < MIN_PRESENT || (sides && present.length < 2)) return [];
  // A definition is of the whole term: passages about conditions do not define a "sargable condition".
  const defined = sides ? null : term;
  if (defined && [...(termWords ?? [])].some((s) => !present.includes(s))) return [];
  const idf = new Map(
    present.map((s) => [s, Math.log(1 + candidates.length / (1 + candidates.filter((c) => c.stems.has(s)).length))]),
  );
  const total = [...idf.values()].reduce((sum, w) => sum + w, 0);
  // A sentence holds half the question at least (in a comparison, one side is enough).
  const needed = present.length === 1 ? 1 : 0.5;
  // A comparison the question writes ("NULL = NULL") is answered by the sentences writing it, when there are any.
  const comparisons = sides ? [] : comparisonsIn(question);
  const writers = new Set(candidates.filter((c) => comparisons.some((e) => compact(c.text).includes(e))));
  const scored = candidates.flatMap((c) => {
    if (c.words < MIN_WORDS || c.words > MAX_WORDS || total === 0 || !PROSE.test(c.text)) return [];
    if (writers.size > 0 && !writers.has(c)) return [];
    const own = present.filter((s) => c.stems.has(s));
    const weigh = (held: (stem: string) => number) => present.reduce((sum, s) => sum + held(s) * (idf.get(s) ?? 0), 0) / total;
    const ownCoverage = weigh((s) => (c.stems.has(s) ? 1 : 0));
    const coverage = weigh((s) => (c.stems.has(s) ? 1 : c.context.has(s) ? HEADING_CREDIT : 0));
    // Headings complete a sentence's match, they do not make it: one that needs them holds two of the question's words itself.
    const answers =
      writers.has(c) || (coverage >= needed && (ownCoverage >= needed || own.length >= Math.min(2, present.length)));
    return (sides ? coverage > 0 : answers) ? [{ ...c, coverage, score: coverage / (1 + 0.15 * c.rank) }] : [];
  });
  const byScore = (a: (typeof scored)[number], b: (typeof scored)[number]) =>
    b.score - a.score || a.rank - b.rank || a.index - b.index;
  const chosen: typeof scored = [];
  const choose = (c: (typeof scored)[number]) => {
    if (chosen.length >= MAX_SENTENCES) return;
    if (chosen.filter((k) => k.passage.n === c.passage.n).length >= MAX_PER_PASSAGE) return;
    if (chosen.some((k) => k.text === c.text)) return;
    chosen.push(c);
  };
  if (sides) {
    // From the passage that speaks of most sides first: the best sentence naming every
    // side, then the best one for each side not named yet.
    const spoken = new Map(
      passages.map((p) => [p.n, present.filter((s) => scored.some((c) => c.passage.n === p.n && c.stems.has(s))).length]),
    );
    const bySides = (a: (typeof scored)[number], b: (typeof scored)[number]) =>
      (spoken.get(b.passage.n) ?? 0) - (spoken.get(a.passage.n) ?? 0) || byScore(a, b);
    const both = scored.filter((c) => present.every((s) => c.stems.has(s))).sort(bySides)[0];
    if (both) choose(both);
    for (const side of present) {
      if (chosen.some((c) => c.stems.has(side))) continue;
      const best = scored.filter((c) => c.stems.has(side)).sort(bySides)[0];
      if (best) choose(best);
    }
  } else {
    // A definition leads with the sentence saying what the term is, when one does ("A foreign key is…", "… is called a foreign key").
    const nouns = defined ? tokenize(defined).map((t) => t.word) : [];
    const definers = scored.flatMap((c) => {
      const plainness = nouns.length > 0 ? definition(c.text, nouns) : 0;
      return plainness > 0 ? [{ c, plainness }] : [];
    });
    const lead = definers.sort((a, b) => b.plainness - a.plainness || byScore(a.c, b.c))[0]?.c;
    if (lead) choose(lead);
    // Sentences holding much less of the question than the best one answer only part of it.
    const best = Math.max(0, ...scored.map((c) => c.coverage));
    for (const c of scored.filter((k) => k.coverage >= best - PARTIAL_MARGIN).sort(byScore)) choose(c);
  }
  const [first, ...rest] = chosen;
  const ordered = first && defined && !sides ? [first, ...rest.sort(inTextOrder)] : chosen.sort(inTextOrder);
  const sentences = ordered.map((c) => ({ text: c.text, cites: [c.passage.n] }));
  // A claim in the question is answered first: said to be wrong, or confirmed, by the sentence that shows it.
  const claim = checkClaim(question, passages);
  if (!claim) return sentences;
  const lead = { ...claim.sentence, text: `${claim.verdict === 'contradicted' ? 'Not quite:' : 'Yes:'} ${claim.sentence.text}` };
  // The lead may join several sentences (an ordered list): none of them is said twice.
  return [lead, ...sentences.filter((s) => !claim.sentence.text.includes(s.text))].slice(0, MAX_SENTENCES);
}

/** Sentences in the order the passages (best ranked first) and their text give them. */
function inTextOrder(a: { rank: number; index: number }, b: { rank: number; index: number }): number {
  return a.rank - b.rank || a.index - b.index;
}

const ARTICLES = new Set(['a', 'an', 'the']);
/** Words after which a sentence names the term it defines ("is called a foreign key", "known as a surrogate key"). */
const NAMING_WORDS = new Set(['called', 'named', 'termed']);
/** Verbs by which a sentence beginning with a term says what it is ("A primary key is…", "Normalization means…"). */
const COPULAS = new Set(['is', 'are', 'means', 'mean', 'refers']);
/** How plainly a sentence that says what a term is does so (see `definition`). */
const SAYS_WHAT = 3;

/** Whether a sentence's word is a term's word, or its plural or singular ("joins" for "join"; not "joining"). */
function sameNoun(word: string, termWord: string): boolean {
  if (word === '') return false;
  const [short, long] = word.length <= termWord.length ? [word, termWord] : [termWord, word];
  return long === short || long === `${short}s` || long === `${short}es`;
}

/**
 * How plainly a sentence says what `term` (its words, lower case, in order) is:
 * SAYS_WHAT when it begins with the term and "is", "are" or "means" ("A foreign key
 * is…") or names it ("… is called a foreign key", "known as a surrogate key"), 2 when it
 * begins with the term otherwise ("Joins combine…"), 1 when it begins with a kind of it
 * ("An inner join shows…"), else 0. The term's own words, singular or plural, count: a
 * verb made from it ("Joining the wrong columns…") is not the term.
 */
function definition(text: string, term: readonly string[]): number {
  const words = tokenize(text).map((t) => t.word);
  const termAt = (i: number) => i >= 0 && term.every((w, k) => sameNoun(words[i + k] ?? '', w));
  const start = ARTICLES.has(words[0] ?? '') ? 1 : 0;
  const named = words.some((_, i) => {
    if (!termAt(i)) return false;
    const before = ARTICLES.has(words[i - 1] ?? '') ? i - 2 : i - 1;
    return NAMING_WORDS.has(words[before] ?? '') || (words[before] === 'as' && words[before - 1] === 'known');
  });
  if (named || (termAt(start) && COPULAS.has(words[start + term.length] ?? ''))) return SAYS_WHAT;
  if (termAt(start)) return 2;
  return termAt(start + 1) ? 1 : 0;
}

/** Whether a passage says what `term` (a definition question's, see `definedTerm`) is (see `definition`). */
export function definesTerm(term: string, passageText: string): boolean {
  const words = tokenize(term).map((t) => t.word);
  return readPassage(passageText).sentences.some((s) => definition(s.text, words) === SAYS_WHAT);
}

/** Text as comparisons are matched in: lower case, no code ticks, no space around a comparison operator. */
function compact(text: string): string {
  return text
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/\s*(<>|!=|<=|>=|=|<|>)\s*/g, '$1')
    .replace(/\s+/g, ' ');
}

/** The comparisons a question writes, compacted: `NULL = NULL`, `price >= 10`, `genre <> 'poetry'`. */
function comparisonsIn(question: string): string[] {
  return compact(question).match(/[\w.'"()]+(?:<>|!=|<=|>=|=|<|>)[\w.'"()]+/g) ?? [];
}

/**
 * The share of a question's words the passages hold: the mean of their share by count and
 * their share by rarity in the whole index. Rarity alone overrates ordinary words a
 * technical course seldom writes ("happens", "something"); a count alone lets the
 * course's common words ("write", "app") carry a question about a Dockerfile.
 */
function heldShare(held: readonly string[], asked: ReadonlySet<string>, weigh: (stem: string) => number): number {
  const weight = (list: Iterable<string>) => [...list].reduce((sum, s) => sum + weigh(s), 0);
  return (held.length / asked.size + weight(held) / weight(asked)) / 2;
}

/**
 * How much a question's word (a stem, or a keyword in capitals) says about what the question
 * is about: the rarer in the whole index, the more (inverse document frequency); a word
 * the index never holds says most. All words weigh the same without the index's counts.
 */
function rarity(stem: string, corpus: CorpusWords | undefined, stemOf: (word: string) => string): number {
  if (!corpus || corpus.chunks === 0) return 1;
  const documents = corpus.documents.get(stem) ?? corpus.documents.get(stemOf(stem.toLowerCase())) ?? 0;
  return Math.log(1 + corpus.chunks / (1 + documents));
}

/** Words that name the tool a question is about when one follows them ("with pandas", "from Java", "in React"). */
const NAMING = new Set(['with', 'in', 'from', 'using', 'via']);
/** Words that ask for a way of saying, not for a tool ("in plain English", "in a nutshell"). */
const SAYING = new Set(['english', 'layman', 'laymans', 'nutshell', 'eli5']);

/**
 * Whether the question names a tool, language or product the whole index never
 * mentions, not even as a misspelling of a word it has: a word after "with", "in",
 * "from", "using" or "via" ("with pandas", "from Java"). Then the question is about
 * that, whatever else of it the course holds: "connect to PostgreSQL from Java" is not
 * answered from sentences that mention PostgreSQL. Identifiers (order_items), numbers
 * and function words are never such a name.
 */
function namesSomethingElse(question: string, corpus: CorpusWords | undefined, stemOf: (word: string) => string): boolean {
  if (!corpus || corpus.chunks === 0) return false;
  // Words as the search looked them up (`queryWords`: identifiers such as order_items whole).
  const looked = new Set(queryWords(question));
  const words = (question.match(/[\p{L}\p{N}_]+/gu) ?? []).map((w) => w.toLowerCase());
  return words.some((word, i) => {
    if (!NAMING.has(words[i - 1] ?? '') || !looked.has(word) || SAYING.has(word)) return false;
    if (word.length < 3 || isStopWord(word) || /[\p{N}_]/u.test(word)) return false;
    const stem = stemOf(word);
    return (corpus.documents.get(stem) ?? 0) === 0 && !corpus.corrected.has(stem);
  });
}

/** What a schema statement creates, changes or drops (and the words that qualify it: CREATE UNIQUE INDEX). */
const SCHEMA_OBJECTS =
  'TABLE|VIEW|INDEX|TRIGGER|PROCEDURE|FUNCTION|SEQUENCE|SCHEMA|DATABASE|TYPE|USER|ROLE|EXTENSION|DOMAIN|POLICY|EVENT';
const SCHEMA_STATEMENT = new RegExp(
  `\\b(?:CREATE|ALTER|DROP)(?:\\s+(?:OR\\s+REPLACE|UNIQUE|TEMP|TEMPORARY|VIRTUAL|MATERIALIZED))*\\s+(?:${SCHEMA_OBJECTS})\\b`,
  'g',
);

/**
 * Whether the question names, in capitals, a schema statement none of the passages
 * shows ("the syntax of CREATE TRIGGER" when the course only mentions triggers in
 * passing): sentences around the word are no answer to how the statement is written.
 */
function namesUnshownStatement(question: string, passages: readonly Passage[]): boolean {
  const named = [...question.matchAll(SCHEMA_STATEMENT)].map((m) => m[0].replace(/\s+/g, ' ').toLowerCase());
  if (named.length === 0) return false;
  const shown = passages.map((p) => p.text.replace(/\s+/g, ' ').toLowerCase());
  return named.some((statement) => !shown.some((text) => text.includes(statement)));
}

/** Most words of a term a definition question asks about ("what is a sargable condition?"). */
const DEFINED_WORDS = 3;
const DEFINITION =
  /^\s*(?:what(?:\s+(?:exactly|actually|really))?(?:'s|’s|\s+is|\s+are)(?:\s+(?:exactly|actually|really))?|define|meaning\s+of)\s+(?:(?:an?|the)\s+)?([\p{L}\p{N}_-]+(?:\s+[\p{L}\p{N}_-]+)*?)(?:\s+mean)?\s*\??\s*$/iu;
const DEFINITION_MEANS =
  /^\s*what\s+does\s+(?:(?:an?|the)\s+)?([\p{L}\p{N}_-]+(?:\s+[\p{L}\p{N}_-]+)*?)\s+(?:mean|do)\s*\??\s*$/iu;

/**
 * The term a definition question asks about ("What is a sargable condition?", "what
 * exactly is a schema?", "define cardinality", "what does idempotent mean?", "what does
 * COALESCE do?"), when it is a term of at most three words (without a leading
 * "database", "SQL" or "SQLite": a database schema is the schema); else null (a longer
 * question asks more than a definition).
 */
export function definedTerm(question: string): string | null {
  const term = (DEFINITION_MEANS.exec(question) ?? DEFINITION.exec(question))?.[1];
  if (!term || term.split(/\s+/).length > DEFINED_WORDS) return null;
  // In a course about databases, a "database schema" is the schema.
  return term.replace(/^(?:database|sql|sqlite)\s+(?=\S)/i, '');
}

/**
 * What a comparing question compares: its terms without the words of the comparison,
 * when it asks one ("difference", "vs", "instead") and two terms or more are left; else null.
 */
function comparedSides(terms: ReadonlySet<string>): Set<string> | null {
  if (!COMPARING.some((stem) => terms.has(stem))) return null;
  const sides = new Set([...terms].filter((t) => !COMPARISON_FRAME.has(t)));
  return sides.size >= 2 ? sides : null;
}

/**
 * A comparing question without the words of the comparison ("What is the difference
 * between WHERE and HAVING?" is looked up as "What is the WHERE and HAVING?"), so
 * retrieval finds the passages about its sides rather than those saying "difference";
 * null when the question compares nothing.
 */
export function comparedPart(question: string): string | null {
  const stemOf = memoStemmer();
  if (!comparedSides(askedTerms(queryTerms(question, stemOf)))) return null;
  // Keywords compared in lower case ("where vs having") stay keywords once the comparison's words are gone.
  const compared = new Set(comparedKeywords(question));
  const kept = (word: string) => (compared.has(word.toLowerCase()) ? word.toUpperCase() : word);
  return question
    .replace(/[\p{L}\p{N}]+/gu, (word) => (COMPARISON_FRAME.has(stemOf(word.toLowerCase())) ? '' : kept(word)))
    .replace(/\s+/g, ' ')
    .trim();
}

/** An answer's text split into sentences, each with the markers [n] it carries (removed from its text). */
export function parseAnswer(text: string): AnswerSentence[] {
  return sentencesOf(text.replace(/\s+/g, ' ')).flatMap((sentence) => {
    const cites = [...sentence.matchAll(/\[(\d{1,3})\]/g)].map((m) => Number(m[1]));
    const plain = sentence
      .replace(/\s*\[\d{1,3}\]/g, '')
      .replace(/\s+([.!?,;:])/g, '$1')
      .trim();
    return plain === '' ? [] : [{ text: plain, cites: [...new Set(cites)] }];
  });
}

/** A sentence that stands, with each citation it keeps and the quote of that passage it rests on. */
export interface VerifiedSentence {
  text: string;
  cites: { n: number; quote: string }[];
}

/**
 * Keeps the sentences the passages support, whatever wrote them: a citation stands when
 * it names a retrieved passage holding at least 60% of the sentence's content words;
 * its quote is the passage's sentence sharing most of them (so it appears in the
 * passage word for word). A sentence with no citation left is removed.
 */
export function verifyAnswer(
  sentences: readonly AnswerSentence[],
  passages: readonly Passage[],
): { kept: VerifiedSentence[]; removed: number } {
  const stemOf = memoStemmer();
  const byN = new Map(passages.map((p) => [p.n, readPassage(p.text)]));
  const kept: VerifiedSentence[] = [];
  for (const sentence of sentences) {
    const own = contentStems(sentence.text, stemOf);
    if (own.size === 0) continue;
    const cites = sentence.cites.flatMap((n) => {
      const passage = byN.get(n);
      if (!passage) return [];
      const held = [...own].filter((s) => passage.stems.has(s)).length;
      if (held / own.size < MIN_SUPPORT) return [];
      const best = passage.sentences.reduce(
        (top, c) => {
          const shared = [...own].filter((s) => c.stems.has(s)).length;
          return shared > top.shared ? { quote: c.text, shared } : top;
        },
        { quote: '', shared: -1 },
      );
      return best.quote ? [{ n, quote: best.quote }] : [];
    });
    if (cites.length > 0) kept.push({ text: sentence.text, cites });
  }
  return { kept, removed: sentences.length - kept.length };
}

/** The link to a passage: a lesson's heading, or a source's file (at its page). */
export function passageHref(p: Pick<Passage, 'kind' | 'itemId' | 'courseId' | 'anchor' | 'page'>): string {
  return p.kind === 'lesson' ? lessonPageHref(p.courseId, p.itemId, p.anchor) : sourceFileUrl(p.itemId, p.page);
}

/**
 * The answer's text and its citations, numbered 1, 2, ... in order of first use;
 * "The course does not cover this." with none when nothing was kept. Plain text
 * drops markdown emphasis and code ticks.
 */
export function composeAnswer(
  kept: readonly VerifiedSentence[],
  passages: readonly Passage[],
  format: 'markdown' | 'text',
): { answer: string; citations: Citation[] } {
  if (kept.length === 0) return { answer: NOT_COVERED, citations: [] };
  const numbers = new Map<number, number>();
  const citations: Citation[] = [];
  const parts = kept.map((sentence) => {
    const markers = sentence.cites.map(({ n, quote }) => {
      let shown = numbers.get(n);
      const passage = passages.find((p) => p.n === n);
      if (shown === undefined && passage) {
        shown = numbers.size + 1;
        numbers.set(n, shown);
        citations.push({
          n: shown,
          kind: passage.kind,
          ...(passage.kind === 'lesson'
            ? { lessonSlug: passage.itemId, anchor: passage.anchor }
            : { sourceId: passage.itemId, page: passage.page }),
          title: passage.title,
          headingPath: [...passage.headingPath],
          href: passageHref(passage),
          quote,
        });
      }
      return shown === undefined ? '' : ` [${shown}]`;
    });
    const text = format === 'text' ? plainText(sentence.text) : sentence.text;
    return `${text}${[...new Set(markers)].join('')}`;
  });
  return { answer: parts.join(' '), citations };
}

/** Markdown emphasis, code ticks and link syntax taken out of a sentence. */
function plainText(text: string): string {
  return text
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__|\*|_|`)(?=\S)([^*_`]*?\S)\1/g, '$2')
    .replace(/`/g, '');
}

/** A question as the answer cache keys it: case, spacing and end punctuation aside. */
export function normalizeQuestion(question: string): string {
  return canonicalText(question)
    .toLowerCase()
    .replace(/[\s?!.]+$/, '')
    .trim();
}

/** Words by which a follow-up refers back to what was asked before. */
const REFERRING = new Set([
  'it',
  'its',
  'that',
  'this',
  'these',
  'those',
  'they',
  'them',
  'their',
  'one',
  'ones',
  'same',
  'there',
]);

/**
 * A follow-up as a question that stands alone, for retrieval: when it refers back
 * ("why is it slow?"), goes on from the last one ("and in descending order?", "what
 * about ...") or holds fewer than two content words, the content words of the previous question (itself standalone) that
 * it lacks are added after it. Otherwise it is a new question and stays as it is.
 */
export function standaloneQuestion(previous: string | null, followUp: string): string {
  if (previous === null) return followUp;
  const stemOf = memoStemmer();
  const words = tokenize(followUp).map((t) => t.word);
  const own = queryTerms(followUp, stemOf).stems;
  const continues = /^\s*(and|or|but|also|so|then|what about|how about)\b/i.test(followUp);
  if (own.size >= 2 && !continues && !words.some((w) => REFERRING.has(w))) return followUp;
  const added = [
    ...new Set(
      tokenize(previous)
        .map((t) => t.word)
        .filter((w) => w.length > 1 && !isStopWord(w) && !own.has(stemOf(w))),
    ),
  ];
  return added.length === 0 ? followUp : `${followUp} (${added.join(' ')})`;
}

/**
 * Text with no HTML left in it: comments (closed or not) and tags removed until none
 * is left (so `<<script>script>` does not rebuild one), then any `<` that would open a
 * tag (`<img` never closed) dropped. Comparisons stay (`a < b`, `genre <> 'poetry'`).
 * Passages are cleaned before an engine sees them and a model's answer after, so
 * quotes and answers carry no markup a client could render.
 */
export function withoutMarkup(text: string): string {
  let current = text;
  for (;;) {
    // A tag goes without a trace, so the text around it cannot form a new one out of reach of the next pass.
    const next = current.replace(/<!--[\s\S]*?(?:-->|$)/g, ' ').replace(/<\/?[A-Za-z][^<>]*>/g, '');
    if (next === current) break;
    current = next;
  }
  return current
    .replace(/<(?=[A-Za-z!/?])/g, '')
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
}

/** A question that states something and asks to have it confirmed: "…, right?", "Is it true that …?", "I thought …". */
const CLAIM_TAG =
  /[,\s]+(?:right|correct|true|yes|is that (?:right|so|correct)|isn'?t (?:it|that)|aren'?t they|doesn'?t it|don'?t they)\s*\??\s*$/i;
const CLAIM_LEAD =
  /^\s*(?:is it (?:true|right|correct) that|am i right (?:that|in thinking that|in thinking)|i (?:think|thought|believe|heard|read)(?: that)?)\s+/i;

/** Words that state an order or a contrast, each with its opposite. */
const OPPOSITES = new Map<string, string[]>(
  (
    [
      [
        ['before', 'earlier', 'prior'],
        ['after', 'later'],
      ],
      [['first'], ['last']],
      [
        ['faster', 'quicker', 'cheaper'],
        ['slower', 'costlier'],
      ],
      [['ascending'], ['descending']],
      [
        ['includes', 'include', 'included', 'keeps', 'keep', 'kept'],
        [
          'excludes',
          'exclude',
          'excluded',
          'removes',
          'remove',
          'removed',
          'drops',
          'drop',
          'dropped',
          'discards',
          'discard',
          'ignores',
          'ignore',
          'ignored',
        ],
      ],
      [['always'], ['never']],
      [
        ['allowed', 'allows', 'allow', 'permitted'],
        ['forbidden', 'forbids', 'forbid', 'refused', 'refuses', 'rejects', 'rejected'],
      ],
    ] as [string[], string[]][]
  ).flatMap(([one, other]) => [...one.map((w) => [w, other] as const), ...other.map((w) => [w, one] as const)]),
);
/** Of the words above, those that order two things: "A before B" holds only with A first. */
const ORDERING = new Set(['before', 'earlier', 'prior', 'after', 'later']);
/** Least share of the claim's other content words a sentence must hold to speak about the same thing. */
const MIN_CLAIM_OVERLAP = 0.6;

/** The claim a question asks to have confirmed, without its "…, right?" or "Is it true that …"; null for other questions. */
export function claimOf(question: string): string | null {
  if (!CLAIM_TAG.test(question) && !CLAIM_LEAD.test(question)) return null;
  return question.replace(CLAIM_TAG, '').replace(CLAIM_LEAD, '').trim();
}

export interface ClaimCheck {
  /** Whether the course says the opposite of the claim, or says it too. */
  verdict: 'contradicted' | 'supported';
  sentence: AnswerSentence;
}

/**
 * The offline engine's check of a claim in a question ("WHERE runs after GROUP BY,
 * right?"): the claim's order or contrast word (before/after, includes/excludes…) is
 * looked for, with its opposite, in the passages' sentences that hold most of the
 * claim's other words (SQL keywords in capitals count as words). A sentence with the
 * opposite (between the claim's two sides, for an order) contradicts it; one with the
 * word itself supports it. Null when the question states nothing, or when the
 * passages both support and contradict it, or neither: the engine does not guess.
 */
export function checkClaim(question: string, passages: readonly Passage[]): ClaimCheck | null {
  const claim = claimOf(question);
  if (claim === null) return null;
  const stemOf = memoStemmer();
  const words = claimWords(claim, stemOf);
  // An order word says most ("WHERE removes rows after grouping" is about when): it is taken first.
  const ordering = words.findIndex((w) => ORDERING.has(w.word));
  const at = ordering >= 0 ? ordering : words.findIndex((w) => OPPOSITES.has(w.word));
  const relation = words[at];
  if (!relation) return null;
  const opposite = new Set(OPPOSITES.get(relation.word));
  const same = new Set([...OPPOSITES.keys()].filter((w) => OPPOSITES.get(w)?.some((o) => opposite.has(o))));
  // A side of the claim is its SQL keywords when it names some ("WHERE"), else its content words.
  const side = (part: typeof words) => {
    const meant = part.filter((w) => !OPPOSITES.has(w.word));
    const keywords = meant.filter((w) => w.keyword);
    return new Set((keywords.length > 0 ? keywords : meant).map((w) => w.stem));
  };
  const [before, after] = [side(words.slice(0, at)), side(words.slice(at + 1))];
  const others = new Set(words.filter((w) => !OPPOSITES.has(w.word)).map((w) => w.stem));
  const keywords = new Set(words.filter((w) => w.keyword).map((w) => w.stem));
  if (others.size === 0) return null;
  const ordered = ORDERING.has(relation.word) && before.size > 0 && after.size > 0;
  const found: Record<ClaimCheck['verdict'], AnswerSentence[]> = { contradicted: [], supported: [] };
  for (const passage of passages) {
    for (const text of sentencesOf(passage.text)) {
      const tokens = claimWords(text, stemOf);
      const holds = (stem: string) => tokens.some((t) => t.stem === stem);
      // About the same thing: every keyword the claim names, and most of its words.
      if (![...keywords].every(holds) || [...others].filter(holds).length / others.size < MIN_CLAIM_OVERLAP) continue;
      const says = (set: Set<string>) =>
        tokens.some((t, i) => {
          if (!set.has(t.word)) return false;
          if (!ordered) return true;
          // "A <word> B": the claim's first side before the word, its second side after it.
          return tokens.slice(0, i).some((x) => before.has(x.stem)) && tokens.slice(i + 1).some((x) => after.has(x.stem));
        });
      if (says(opposite)) found.contradicted.push({ text, cites: [passage.n] });
      else if (says(same)) found.supported.push({ text, cites: [passage.n] });
    }
    const listed = ordered ? orderIn(passage, before, after, stemOf) : null;
    if (listed) {
      const precedes = !ORDERING_LATER.has(relation.word);
      found[listed.precedes === precedes ? 'supported' : 'contradicted'].push({ text: listed.text, cites: [passage.n] });
    }
  }
  const [contradicted] = found.contradicted;
  const [supported] = found.supported;
  if (contradicted && !supported) return { verdict: 'contradicted', sentence: contradicted };
  if (supported && !contradicted) return { verdict: 'supported', sentence: supported };
  return null;
}

/** Of the order words, those that put the claim's first side second ("A after B"). */
const ORDERING_LATER = new Set(['after', 'later']);
/** A passage announcing an order ("run in a fixed logical order:", "the steps are"). */
const ORDER_CUE = /\b(?:order|sequence|steps?)\b/i;
/** Most sentences after the cue an ordered list is read over. */
const ORDER_SPAN = 8;

/**
 * Whether a passage that lists things in order (after a sentence announcing an order)
 * lists the claim's first side before its second, with the sentences from the
 * announcement to the later of the two as the text that shows it; null when it does
 * not list both.
 */
function orderIn(
  passage: Passage,
  first: ReadonlySet<string>,
  second: ReadonlySet<string>,
  stemOf: (word: string) => string,
): { precedes: boolean; text: string } | null {
  const sentences = sentencesOf(passage.text);
  const cue = sentences.findIndex((s) => ORDER_CUE.test(s));
  if (cue < 0) return null;
  const span = sentences.slice(cue, cue + ORDER_SPAN + 1).map((s) => claimWords(s, stemOf).map((w) => w.stem));
  const at = (side: ReadonlySet<string>) => span.findIndex((stems, i) => i > 0 && stems.some((stem) => side.has(stem)));
  const [a, b] = [at(first), at(second)];
  if (a < 0 || b < 0 || a === b) return null;
  return { precedes: a < b, text: sentences.slice(cue, cue + Math.max(a, b) + 1).join(' ') };
}

/** A text's words that carry meaning, with their stems: content words, and SQL keywords in capitals (WHERE; not BY or ON). */
function claimWords(text: string, stemOf: (word: string) => string): { word: string; stem: string; keyword: boolean }[] {
  return tokenize(text).flatMap((t) => {
    const keyword = /^[A-Z]{4,}$/.test(t.raw);
    return t.word.length > 1 && (keyword || !isStopWord(t.word) || OPPOSITES.has(t.word))
      ? [{ word: t.word, stem: stemOf(t.word), keyword }]
      : [];
  });
}
