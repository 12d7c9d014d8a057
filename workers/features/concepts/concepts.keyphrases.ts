import { sentenceCase } from './concepts.labels';

/** A key concept of a text: its id (see `conceptIdOf`), how the text most often writes it, its weight in (0, 1]. */
export interface KeyPhrase {
  id: string;
  label: string;
  weight: number;
}

/** `limit`: most phrases to return (default 8); `headings`: section titles, a phrase found in one counts double. */
export type KeyPhraseOptions = { limit?: number; headings?: string[] };

const DEFAULT_LIMIT = 8;
const MAX_ID_LENGTH = 120;
const HEADING_BOOST = 2;
const EARLY_BOOST = 1.5;
const EARLY_SHARE = 0.2;

// Function words, then verbs common in teaching prose, then filler of lesson text.
const STOP_WORDS = new Set(
  `a about above across after again against all almost along already also although always am among an and another any anyone
  anything anyway anywhere are around as at away back be became because become becomes been before being below besides between
  beside despite except outside beyond both but by can cannot could did do does doing done down during each either else enough
  etc even ever every everything few for from further had has have having he her here hers herself him himself his how however
  i if in indeed inside instead into is it its itself just least less let lets like many may maybe me might mine more moreover
  most mostly much must my myself near neither never nevertheless next no nobody none nor not nothing now of off often on once
  one only onto or other others otherwise our ours ourselves out over own per perhaps please quite rather really same several
  shall she should since so some somehow someone something sometimes somewhat soon still such than that the their theirs them
  themselves then there thereby therefore these they this those though through throughout thus to today together too toward
  towards two three four five six seven eight nine ten under unless unlike until up upon us very via was we well were what
  whatever when whenever where whereas wherever whether which while who whoever whole whom whose why will with within without
  would yet you your yours yourself yourselves
  add adds added allow appear appears belong belongs decide decides depend depends differ differs exist exists occur occurs
  refer refers remain remains allow allows allowed apply applies applied ask asks asked assume become call calls called came
  come comes compute computes computed consider considers contain contains contained cover covers covered create creates
  created describe describes described discuss does get gets getting got give gives given gave go goes going gone happen
  happens help helps helped imagine include includes including introduce introduces keep keeps kept know knows known learn
  learns learned look looks looked made make makes making mean means meant need needs needed notice produce produces provide
  provides provided put puts ran remember require requires required returns returned runs said say says see seen seem seems
  show shows shown suppose take takes taken took tell tells think try tries tried understand use used uses using want wants
  wanted went work works worked write writes written wrote
  actually basically certain chapter chapters common different e easy eg example examples first following follows good great
  ie important kind kinds last lesson lessons lot lots new note notes ok okay part parts second section sections simple simply
  sort third thing things usually various way ways yes`.split(/\s+/),
);

/**
 * General nouns that are no concept on their own, in any subject: a lone one is dropped
 * ("output" and "step" are not something to learn; "output column" still can be).
 */
const GENERIC_NOUNS = new Set(
  `amount answer area bit bottom case day detail end fact form idea input level line matter name number output page
  people person piece place point problem question reason rest result side start status step time top word year`.split(/\s+/),
);

const ARTICLES = new Set(['a', 'an', 'the']);
const DETERMINERS = new Set([...ARTICLES, ...'all each every few its many their these this those your'.split(' ')]);
/** Words whose trailing "s" is not a plural ending. */
const NOT_PLURAL = new Set(['alias', 'bias', 'canvas', 'atlas', 'lens', 'news', 'series', 'species', 'analytics', 'physics']);
const KEEP_ES = new Set(['cache', 'niche', 'ache', 'avalanche']);
/** Latin letters that Unicode normalization does not reduce to ASCII. */
const ASCII_FOLD: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd' };

function singularize(word: string): string {
  if (word.length <= 3 || NOT_PLURAL.has(word) || /(?:ss|us|is)$/.test(word) || !word.endsWith('s')) return word;
  if (/ies$/.test(word) && word.length > 4) return `${word.slice(0, -3)}y`;
  if (/(?:ss|sh|ch|x|z)es$/.test(word) && !KEEP_ES.has(word.slice(0, -1))) return word.slice(0, -2);
  return word.slice(0, -1);
}

const isUsable = (word: string): boolean => word.length >= 2 && /[a-z]/.test(word) && !STOP_WORDS.has(word);

/**
 * Concept id of a phrase: its ASCII words in kebab-case, the last one singularized, a leading
 * article dropped ("The WHERE clauses" -> "where-clause"). Accents are folded
 * ("Café" -> "cafe"); words in other scripts are dropped, since ids are ASCII slugs. Null when no
 * usable word is left. Long phrases are cut at a word boundary to fit 120 characters.
 */
export function conceptIdOf(phrase: string): string | null {
  const words = asciiWords(phrase);
  while (words.length > 1 && ARTICLES.has(words[0] ?? '')) words.shift();
  if (!words.some(isUsable)) return null;
  while (words.length > 1 && words.join('-').length > MAX_ID_LENGTH) words.pop();
  const last = words.length - 1;
  words[last] = singularize((words[last] ?? '').slice(0, MAX_ID_LENGTH));
  return words.join('-');
}

function asciiWords(text: string): string[] {
  const folded = text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  const ascii = folded.replace(/[ßæœøłđ]/g, (c) => ASCII_FOLD[c] ?? '').replace(/['’](?:s\b)?/g, '');
  return ascii.split(/[^\p{L}\p{N}]+/u).filter((w) => /^[a-z0-9]+$/.test(w));
}

/** Markdown as prose without code, URLs, link targets or markup; a newline ends each block, never a wrapped line. */
function plainText(markdown: string): string {
  const withoutFrontMatter = markdown.replace(/\r\n?/g, '\n').replace(/^---\n[\s\S]*?\n---(?:\n|$)/, '');
  const lines = withoutFrontMatter.split('\n');
  const out: string[] = [];
  let fence: string | null = null;
  for (const line of lines) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence !== null) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length) fence = null;
    } else if (marker) {
      fence = marker;
      out.push('\n');
    } else if (/^\s*\[[^\]]+\]:\s*\S/.test(line)) out.push('\n');
    else if (/^\s{0,3}(?:#{1,6}\s|>|[-*+]\s|\d+[.)]\s|\|)/.test(line)) out.push('\n', line, '\n');
    else out.push(line.trim() === '' ? '\n' : ` ${line}`);
  }
  return out
    .join('')
    .replace(/`+[^`]*`+/g, ' | ')
    .replace(/!?\[([^\]]*)\](?:\([^)]*\)|\[[^\]]*\])/g, ' | $1 | ')
    .replace(/<[^>]*>|\b(?:https?|ftp):\/\/\S+|\bwww\.\S+|\S+@\S+\.\w+/g, ' | ')
    .replace(/\S*[\p{L}\p{N}]_[\p{L}\p{N}]\S*/gu, ' | ')
    .replace(/&#?\w+;/g, ' ');
}

/** A content word: as written, its id as a phrase of its own, and its ASCII form inside a longer phrase. */
type Word = { text: string; key: string; plain: string; position: number };

/** Runs of content words between stop words, punctuation and block boundaries, plus the count of all words. */
function contentRuns(text: string): { runs: Word[][]; total: number } {
  const runs: Word[][] = [[]];
  const forms = new Map<string, { key: string; plain: string } | null>();
  let total = 0;
  for (const [, token, boundary] of text.matchAll(/([\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*)|([^\p{L}\p{N} \t])/gu)) {
    if (token !== undefined) total++;
    const run = runs.at(-1) ?? [];
    // "The planner picks a plan": a plural-looking word after a noun and before a determiner is a verb.
    if (DETERMINERS.has(token?.toLowerCase() ?? '') && run.length > 1 && /[^su]s$/i.test(run.at(-1)?.text ?? '')) run.pop();
    if (token !== undefined && !forms.has(token)) forms.set(token, formsOf(token));
    const form = token === undefined ? null : forms.get(token);
    if (boundary !== undefined || !form) runs.push([]);
    else runs.at(-1)?.push({ text: token ?? '', ...form, position: total - 1 });
  }
  return { runs: runs.filter((r) => r.length > 0), total };
}

function formsOf(token: string): { key: string; plain: string } | null {
  const word = token.replace(/['’]s$/i, '');
  if (/['’]/.test(word) || STOP_WORDS.has(word.toLowerCase()) || !/\p{L}/u.test(word) || word.length < 2) return null;
  const key = conceptIdOf(word);
  return key !== null && isUsable(key) ? { key, plain: asciiWords(word).join('-') } : null;
}

/** Same as `conceptIdOf` of the words' text, from the forms computed once per word. */
function idOf(gram: Word[]): string | null {
  const id = gram.map((w, i) => (i === gram.length - 1 ? w.key : w.plain)).join('-');
  return id.length <= MAX_ID_LENGTH ? id : conceptIdOf(gram.map((w) => w.text).join(' '));
}

/** `first`: position of the first mention; `whole`: some mention is a whole run, not a slice of a longer one. */
type Candidate = { id: string; count: number; surfaces: Map<string, number>; words: string[]; first: number; whole: boolean };

/** Up to `limit` key phrases of a text (markdown or plain), best first; weights in (0, 1], the best is 1. */
export function extractKeyPhrases(text: string, options: KeyPhraseOptions = {}): KeyPhrase[] {
  const limit = Math.floor(options.limit ?? DEFAULT_LIMIT);
  const { runs, total } = contentRuns(plainText(text));
  if (!(limit >= 1) || runs.length === 0) return [];

  // RAKE word scores: degree / frequency is the mean length of the runs a word occurs in, capped at 3 words.
  const wordDegree = new Map<string, number>();
  const wordFrequency = new Map<string, number>();
  const candidates = new Map<string, Candidate>();
  for (const run of runs) {
    for (const word of run) {
      wordDegree.set(word.key, (wordDegree.get(word.key) ?? 0) + Math.min(run.length, 3));
      wordFrequency.set(word.key, (wordFrequency.get(word.key) ?? 0) + 1);
    }
    for (const gram of nGrams(run)) {
      const surface = gram.map((w) => w.text).join(' ');
      const id = idOf(gram);
      if (id === null) continue;
      const words = gram.map((w) => w.key);
      const candidate: Candidate = candidates.get(id) ?? { id, count: 0, surfaces: new Map(), words, first: total, whole: false };
      candidate.first = Math.min(candidate.first, gram[0]?.position ?? total);
      candidate.count++;
      candidate.surfaces.set(surface, (candidate.surfaces.get(surface) ?? 0) + 1);
      candidate.whole ||= gram.length === run.length;
      candidates.set(id, candidate);
    }
  }

  const headingIds = new Set((options.headings ?? []).flatMap((h) => contentRuns(plainText(h)).runs.flatMap(nGrams).map(idOf)));
  // A lone word needs a third mention (lone words are rarely concepts); a multi-word slice of a longer
  // run needs a second one, since it is an arbitrary cut. Generic nouns and the names of an example's
  // people, books and places are not concepts.
  const names = [...candidates.values()].filter((c) => c.words.length > 1 && titleCased(c) && !headingIds.has(c.id));
  const nameWords = new Set(names.flatMap((c) => c.words));
  const notConcept = (c: Candidate) =>
    names.includes(c) || (c.words.length === 1 && (GENERIC_NOUNS.has(c.id) || (nameWords.has(c.id) && titleCased(c))));
  const ranked = [...candidates.values()]
    .filter((c) => c.count >= (c.words.length === 1 ? 3 : 2) || (c.words.length > 1 && c.whole))
    .filter((c) => !notConcept(c))
    .map((c) => {
      const rake = c.words.reduce((sum, w) => sum + (wordDegree.get(w) ?? 0) / (wordFrequency.get(w) ?? 1), 0);
      const boost = (headingIds.has(c.id) ? HEADING_BOOST : 1) * (c.first < EARLY_SHARE * total ? EARLY_BOOST : 1);
      return { ...c, score: c.count * rake * boost };
    })
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  // "window" is no concept of its own when half or more of its mentions are inside "window function".
  const kept: typeof ranked = [];
  for (const c of ranked) {
    if (kept.length === limit) break;
    const inside = kept.some((k) => k.count * 2 >= c.count && k.score > c.score && `-${k.id}-`.includes(`-${c.id}-`));
    if (!inside) kept.push(c);
  }
  const best = kept[0]?.score ?? 1;
  return kept.map((c) => ({
    id: c.id,
    label: sentenceCase(labelOf(c.surfaces)),
    weight: Math.max(0.001, Math.round((c.score / best) * 1000) / 1000),
  }));
}

/**
 * Whether every mention is in title case ("Rosa Martin", "Kofi Mensah's"). A phrase of two or
 * more such words that no heading names is a name in the lesson's example, not a concept, and
 * so is a lone word of such a name ("Tom" of "Tom Okafor") always written capitalized. Other
 * capitalized words (Python, Git) and names with inner capitals or acronyms (GitHub Actions,
 * SQL Server) are kept.
 */
function titleCased(c: Candidate): boolean {
  return [...c.surfaces.keys()].every((s) => s.split(' ').every((w) => /^\p{Lu}\p{Ll}+(?:['’]s)?$/u.test(w)));
}

/** Every slice of one to three words of a run. */
const nGrams = (run: Word[]): Word[][] => [1, 2, 3].flatMap((n) => run.slice(n - 1).map((_, i) => run.slice(i, i + n)));

/** The most frequent writing, compared case-insensitively and in lower case if the text ever writes it so. */
function labelOf(surfaces: Map<string, number>): string {
  const entries = [...surfaces];
  const total = (s: string) => entries.reduce((n, [t, c]) => (t.toLowerCase() === s.toLowerCase() ? n + c : n), 0);
  const lower = (s: string) => Number(s === s.toLowerCase());
  entries.sort(([a, m], [b, n]) => total(b) - total(a) || lower(b) - lower(a) || n - m);
  return entries[0]?.[0] ?? '';
}
