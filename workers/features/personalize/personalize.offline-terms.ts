import type { LessonContext } from './personalize.domain';
import { countWords, type LessonDoc, type LessonSentence } from './personalize.offline-sections';

/** A concept of the lesson as it is written in the text. */
export interface ConceptTerm {
  id: string;
  /** The term as the lesson first writes it ("NULL", "WHERE clause"), else the concept's label. */
  display: string;
  /** Matches the term in plain text (case-insensitive, plural allowed); group 1 is the term itself. */
  pattern: RegExp;
  /** The first teaching section (not the intro) that uses the term, or -1. */
  firstSection: number;
}

const MIN_POINT_WORDS = 6;
const MAX_POINT_WORDS = 40;
const MAX_DEFINITION_WORDS = 60;
const MIN_KEY_POINTS = 3;
const MAX_KEY_POINTS = 5;
/** Sentences that lean on the one before them read badly on their own. */
const LEANS_BACK = /^(it|this|that|these|those|they|so|then|also|but|and|or|here|there)\b/i;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Finds how each concept is written in the lesson, so key terms read like the text around them. */
export function conceptTerms(concepts: LessonContext['concepts'], doc: LessonDoc): ConceptTerm[] {
  const texts = [...doc.sentences.map((s) => ({ plain: s.plain, section: s.section })), ...headingTexts(doc)];
  return concepts.map((concept) => {
    const phrases = [...new Set([concept.label, concept.id.replace(/-/g, ' ')].map((p) => p.trim().toLowerCase()))].filter(
      Boolean,
    );
    const alternatives = phrases.map((p) => escapeRegExp(p).replace(/\s+/g, '\\s+')).join('|');
    const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(${alternatives})(?:e?s)?(?![\\p{L}\\p{N}])`, 'iu');
    const first = doc.sentences.map((s) => pattern.exec(s.plain)?.[1]).find(Boolean);
    const written = first ?? concept.label;
    const display = /^\p{Ll}/u.test(written) ? written.charAt(0).toUpperCase() + written.slice(1) : written;
    const teaching = texts.filter((t) => t.section > 0 && pattern.test(t.plain)).map((t) => t.section);
    return { id: concept.id, display, pattern, firstSection: teaching.length ? Math.min(...teaching) : -1 };
  });
}

function headingTexts(doc: LessonDoc): { plain: string; section: number }[] {
  return doc.sections.flatMap((s, i) => (s.heading ? [{ plain: s.heading.text, section: i }] : []));
}

/** A sentence that points at its surroundings ("a column like this", "that shape") means nothing on its own. */
const POINTS_AWAY = /\b(this|these|those|such)\b|\blike (this|that)\b|\bthat \p{L}+[.!?]$/iu;

/** A sentence ending in a colon leads into an example; one this long still defines on its own. */
const MIN_COLON_DEFINITION_WORDS = 8;

/**
 * The sentence that best defines the term, as written (a closing colon made a full
 * stop). Strong forms first: the term in bold or italics, named with "is called" /
 * "known as", opening the sentence as the subject of "is", "are" or "means", or as a
 * label ("Lost update: two sessions …"). Failing those, a sentence the term opens as
 * the subject of a verb ("ROLLBACK throws away every change since BEGIN"). Short
 * lead-ins ending in a colon do not stand alone and never count.
 */
export function definingSentence(term: ConceptTerm, doc: LessonDoc): string | null {
  const core = term.pattern.source;
  // The term as a sentence's subject, maybe with an article, call parentheses or an aside: "EXISTS (subquery)".
  const subjectOf = `^(?:an?\\s+|the\\s+)?${core}(?:\\s*\\([^)]*\\))?`;
  const emphasized = new RegExp(`(?<![\\p{L}\\p{N}_])(\\*\\*|\\*|_)${core}\\1(?![\\p{L}\\p{N}_])`, 'iu');
  const named = new RegExp(
    `\\b(?:is|are)\\s+called\\s+(?:an?\\s+|the\\s+)?${core}|\\bknown\\s+as\\s+(?:an?\\s+|the\\s+)?${core}`,
    'iu',
  );
  const subject = new RegExp(`${subjectOf}\\s+(?:is|are|means)\\b`, 'iu');
  const label = new RegExp(`^${core}:\\s+(.)`, 'iu');
  // The term as the subject of a verb in the third person ("sorts", "keeps"); not "has" or "does", which say little.
  const acts = new RegExp(`${subjectOf}\\s+(?!has\\b|does\\b|was\\b)[a-z]+s\\b`, 'iu');
  const strong = (s: LessonSentence) =>
    emphasized.test(s.markdown.replace(/`/g, '')) ||
    named.test(s.plain) ||
    subject.test(s.plain) ||
    /^\p{Ll}$/u.test(label.exec(s.plain)?.[2] ?? '');
  const candidates = doc.sentences.filter((s) => {
    const words = countWords(s.plain);
    if (!term.pattern.test(s.plain) || words > MAX_DEFINITION_WORDS || POINTS_AWAY.test(s.plain)) return false;
    return !s.plain.endsWith(':') || words >= MIN_COLON_DEFINITION_WORDS;
  });
  const found =
    candidates.find(strong) ?? candidates.find((s) => countWords(s.plain) >= MIN_COLON_DEFINITION_WORDS && acts.test(s.plain));
  return found ? found.markdown.replace(/:$/, '.') : null;
}

/**
 * A deterministic extractive summary: the best sentence of each teaching section
 * (an opening sentence scores, each concept it names scores more, bold scores a
 * little), then the best of the rest, up to five, shown in the lesson's order.
 */
export function keyPointSentences(doc: LessonDoc, sections: number[], terms: ConceptTerm[]): string[] {
  const wanted = Math.min(MAX_KEY_POINTS, Math.max(MIN_KEY_POINTS, sections.length));
  const scored = withLeadIns(doc.sentences)
    .map((sentence, order) => ({ sentence, order, score: scoreSentence(sentence, terms) }))
    .filter((s) => sections.includes(s.sentence.section) && usableAsPoint(s.sentence));
  const byScore = (a: (typeof scored)[number], b: (typeof scored)[number]) => b.score - a.score || a.order - b.order;
  const bestPerSection = sections.flatMap((section) => {
    const best = scored.filter((s) => s.sentence.section === section).sort(byScore)[0];
    return best ? [best] : [];
  });
  const picked = bestPerSection.sort(byScore).slice(0, wanted);
  const rest = scored.filter((s) => !picked.includes(s)).sort(byScore);
  picked.push(...rest.slice(0, wanted - picked.length));
  return picked.sort((a, b) => a.order - b.order).map((s) => s.sentence.markdown);
}

const MAX_GAPS = 4;

/**
 * Up to four sentences of the teaching sections, each with one key term taken out
 * (a different term each, in the lesson's order), for recall practice: the learner
 * names the term, then checks. A sentence must stand alone, as for key points.
 */
export function recallGaps(doc: LessonDoc, sections: number[], terms: ConceptTerm[]): { question: string; answer: string }[] {
  const used = new Set<string>();
  const gaps: { question: string; answer: string; order: number; score: number }[] = [];
  const candidates = withLeadIns(doc.sentences)
    .map((sentence, order) => ({ sentence, order, score: scoreSentence(sentence, terms) }))
    .filter((c) => sections.includes(c.sentence.section) && usableAsPoint(c.sentence))
    .sort((a, b) => b.score - a.score || a.order - b.order);
  for (const { sentence, order, score } of candidates) {
    if (gaps.length === MAX_GAPS) break;
    const term = terms.find((t) => !used.has(t.id) && t.pattern.test(sentence.plain));
    if (!term) continue;
    // The term with any emphasis or code marks around it, so the gap leaves no empty `**` behind.
    const marked = new RegExp(`(\\*\\*|\\*|_|\`)?${term.pattern.source}\\1`, 'iu');
    const question = sentence.markdown.replace(marked, '_____');
    if (question === sentence.markdown) continue;
    used.add(term.id);
    gaps.push({ question: `“${question}”`, answer: term.display, order, score });
  }
  return gaps.sort((a, b) => a.order - b.order).map(({ question, answer }) => ({ question, answer }));
}

/** A short all-bold sentence ("**NULL spreads.**") is a label for the next one: keep them together. */
function withLeadIns(sentences: LessonSentence[]): LessonSentence[] {
  const out: LessonSentence[] = [];
  sentences.forEach((sentence, i) => {
    const previous = sentences[i - 1];
    if (previous && isLeadIn(previous) && previous.section === sentence.section) {
      out.push({
        ...sentence,
        markdown: `${previous.markdown} ${sentence.markdown}`,
        plain: `${previous.plain} ${sentence.plain}`,
        firstInSection: previous.firstInSection,
      });
    } else if (!isLeadIn(sentence)) out.push(sentence);
  });
  return out;
}

function isLeadIn(sentence: LessonSentence): boolean {
  return /^\*\*[^*]+\*\*$/.test(sentence.markdown) && countWords(sentence.plain) <= MIN_POINT_WORDS;
}

function scoreSentence(sentence: LessonSentence, terms: ConceptTerm[]): number {
  const named = terms.filter((t) => t.pattern.test(sentence.plain)).length;
  const bold = sentence.markdown.includes('**') ? 3 : 0;
  return bold + 2 * named + (sentence.firstInSection ? 1 : 0) - (LEANS_BACK.test(sentence.plain) ? 4 : 0);
}

/** A point must stand alone: a whole sentence of sensible length, not a list fragment or a lead into code. */
function usableAsPoint(sentence: LessonSentence): boolean {
  const words = countWords(sentence.plain);
  return (
    words >= MIN_POINT_WORDS &&
    words <= MAX_POINT_WORDS &&
    /^[\p{Lu}\p{N}`*_"“(]/u.test(sentence.markdown) &&
    /[.!?][)"'”’*_]*$/.test(sentence.markdown) &&
    !/^(question|answer|step \d+|note)\b/i.test(sentence.plain)
  );
}
