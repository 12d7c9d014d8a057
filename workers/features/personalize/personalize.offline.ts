import { percent, plural } from '../../platform/words';
import type { Adaptation, LessonContext, Preferences } from './personalize.domain';
import { describeMeasured, measuredBy, type MeasuredEvidence } from './personalize.evidence';
import { conceptTerms, definingSentence, keyPointSentences, recallGaps, type ConceptTerm } from './personalize.offline-terms';
import {
  closeOpenFence,
  insertBlocks,
  putDomainFirst,
  readLesson,
  type LessonDoc,
  type LessonHeading,
} from './personalize.offline-sections';
import { isFragment, tryItPrompt } from './personalize.offline-practice';

/**
 * Part of every offline cache key: change it whenever the cached text changes, be it
 * the output of `adaptOffline` or the sanitizing the engine applies before caching.
 */
export const OFFLINE_ENGINE_VERSION = 'offline-v5';

const WORDS_PER_MINUTE = 200;
const CODE_LINES_PER_MINUTE = 12;
const ADVANCED_HEADING = /advanced|going further|deep dive|under the hood|performance|internals|optional/i;
/** Sections that practise or recap rather than teach; they are planned and mapped but never summarized. */
const PRACTICE_HEADING = /^(worked examples?|common mistakes|try it|exercises?|practice|answers?|summary|recap)\b/i;
const WORKED_EXAMPLE = /^worked examples?\b/i;

/** A block added to the lesson and, in words for the learner, why. */
interface Addition {
  lines: string[];
  note: string;
}

/**
 * Adapts a lesson to a learner without a language model: it only adds callouts,
 * prompts, plans and practice, and reorders example variants, so the result always
 * passes `checkAdaptation`. Each addition brings something the page does not already
 * show (the lesson header lists the objectives and links the prerequisites; "On this
 * page" lists the sections), and is left out when the lesson gives it nothing to say.
 * Deterministic: the same lesson and preferences give the same text.
 */
export function adaptOffline(lesson: LessonContext, prefs: Preferences): Adaptation {
  const reordered = putDomainFirst(closeOpenFence(lesson.markdown), prefs.exampleDomain);
  const doc = readLesson(reordered.markdown);
  const terms = conceptTerms(lesson.concepts, doc);
  const beginner = prefs.experience === 'none' || prefs.experience === 'basic';
  const expert = prefs.experience === 'expert';
  const shortSession = prefs.sessionMinutes < lesson.minutes;

  const measured = lesson.measured;
  const recapped = new Set(measured?.weakPrerequisites.map((w) => w.slug));
  const missed = measured ? missedSections(doc, terms, measured.missed) : new Set<number>();
  const top = [
    measured ? measuredRecap(measured.weakPrerequisites) : null,
    beginner ? recap(lesson, recapped) : null,
    measured ? examplesFirst(doc, terms, measured.missed) : null,
    prefs.style === 'visual' ? termMap(lesson, doc, terms) : null,
    expert ? skimNote(doc, terms) : measured ? shownSkim(doc, terms, measured.strong) : null,
    shortSession ? keyPoints(doc, terms, prefs.sessionMinutes) : null,
    shortSession ? splitPlan(lesson, doc, prefs.sessionMinutes) : null,
    expert ? null : keyTerms(terms, doc),
  ].flatMap((a) => (a ? [a] : []));
  const domain = reordered.moved > 0 ? `Examples from ${prefs.exampleDomain} first` : null;
  const optional = beginner ? optionalNotes(doc) : null;
  // Practice after every example for a hands-on learner; otherwise where their answers went wrong.
  const practice = prefs.style === 'hands-on' ? tryIts(doc) : missed.size > 0 ? tryIts(doc, missed) : null;
  const end = prefs.style === 'analytical' ? checkYourReasoning(doc, terms) : null;

  const body = insertBlocks(doc.lines, [...(optional?.inserts ?? []), ...(practice?.inserts ?? [])]);
  const markdown = [
    ...top.map((a) => a.lines.join('\n')),
    trimBlankLines(body).join('\n'),
    ...(end ? [end.lines.join('\n')] : []),
  ];
  return {
    markdown: `${markdown.join('\n\n')}\n`,
    adaptations: [...top.map((a) => a.note), domain, optional?.note, practice?.note, end?.note].flatMap((n) => (n ? [n] : [])),
  };
}

/** Drops blank lines at both ends, never the indentation of the first line (it may be code). */
function trimBlankLines(lines: string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && lines[start]?.trim() === '') start++;
  while (end > start && lines[end - 1]?.trim() === '') end--;
  return lines.slice(start, end);
}

function callout(title: string, body: string[]): string[] {
  return [`> **${title}**`, '>', ...body.map((line) => (line ? `> ${line}` : '>'))];
}

function link(heading: LessonHeading): string {
  return markdownLink(heading.text, `#${heading.anchor}`);
}

function markdownLink(text: string, href: string): string {
  return `[${text.replace(/[[\]\\]/g, '\\$&')}](${href})`;
}

/** What each prerequisite was about (those `except` names are recapped from measurements): the header links them by title only. */
function recap(lesson: LessonContext, except: ReadonlySet<string>): Addition | null {
  const summarized = lesson.prerequisites.filter((p) => p.summary.trim() && !except.has(p.slug));
  if (summarized.length === 0) return null;
  return {
    lines: callout('What to remember from earlier lessons', [
      'This lesson takes these for granted. If one is not fresh in your mind, look back before you start:',
      '',
      ...summarized.map((p) => `- **${p.title}**: ${p.summary.trim()}`),
    ]),
    note: `Added what to remember from ${plural(summarized.length, 'earlier lesson')}`,
  };
}

/**
 * A recap of each prerequisite lesson whose concept the learner's answers put below
 * WEAK, saying the measurement; whatever the experience they gave in onboarding.
 */
function measuredRecap(weak: MeasuredEvidence['weakPrerequisites']): Addition | null {
  if (weak.length === 0) return null;
  const lessons = [...new Map(weak.map((w) => [w.slug, w])).values()];
  return {
    lines: callout('Look back first', [
      'This lesson builds on ideas your answers show are not solid yet:',
      '',
      ...weak.map(
        (w) =>
          `- **${w.concept}** (${percent(w.pKnown)}, ${measuredBy(w)}), from ${markdownLink(w.title, `/lessons/${w.slug}`)}${w.summary.trim() ? `: ${w.summary.trim()}` : ''}`,
      ),
    ]),
    note: `Recap of ${lessons.map((l) => `“${l.title}”`).join(', ')}: measured mastery of ${weak.map(describeMeasured).join(', ')}`,
  };
}

/** Sections (not practice ones) that use one of `missed`'s concepts: where examples and prompts help most. */
function missedSections(doc: LessonDoc, terms: ConceptTerm[], missed: MeasuredEvidence['missed']): Set<number> {
  const ids = new Set(missed.map((m) => m.conceptId));
  const patterns = terms.filter((t) => ids.has(t.id)).map((t) => t.pattern);
  return new Set(doc.sentences.flatMap((s) => (patterns.some((p) => p.test(s.plain)) ? [s.section] : [])));
}

/**
 * For each concept of the lesson the learner has answered wrongly: where the lesson
 * explains it, and its worked examples to go through before the rest.
 */
function examplesFirst(doc: LessonDoc, terms: ConceptTerm[], missed: MeasuredEvidence['missed']): Addition | null {
  if (missed.length === 0) return null;
  const examples = doc.sections.flatMap((s) => (s.heading && WORKED_EXAMPLE.test(s.heading.text) ? [s.heading] : []));
  const rows = missed.map((m) => {
    const term = terms.find((t) => t.id === m.conceptId);
    const where = term ? doc.sections[term.firstSection]?.heading : undefined;
    const wrong = m.attempts - m.correct;
    return `- **${term?.display ?? m.concept}**: ${wrong} of your ${m.attempts} answers were wrong (${percent(m.pKnown)} now)${where ? `; it is explained in ${link(where)}` : ''}.`;
  });
  return {
    lines: callout('Where your answers went wrong', [
      ...rows,
      ...(examples.length > 0 ? ['', `Work through ${examples.map(link).join(' and ')} step by step before moving on.`] : []),
    ]),
    note: `Worked examples and practice first for ${missed.map((m) => `${m.concept} (${m.attempts - m.correct} of ${m.attempts} answers wrong)`).join(', ')}`,
  };
}

/** The sections that introduce only concepts the learner has shown mastery of: they can skim them. */
function shownSkim(doc: LessonDoc, terms: ConceptTerm[], strong: MeasuredEvidence['strong']): Addition | null {
  const known = new Set(strong.map((m) => m.conceptId));
  const bySection = new Map<number, ConceptTerm[]>();
  for (const term of terms) {
    if (term.firstSection > 0) bySection.set(term.firstSection, [...(bySection.get(term.firstSection) ?? []), term]);
  }
  const skim = [...bySection.entries()]
    .filter(([, introduced]) => introduced.every((t) => known.has(t.id)))
    .sort(([a], [b]) => a - b)
    .flatMap(([i, introduced]) => {
      const heading = doc.sections[i]?.heading;
      if (!heading) return [];
      const shown = introduced.map((t) => {
        const m = strong.find((s) => s.conceptId === t.id);
        return `${t.display} (${m ? `${percent(m.pKnown)}, ${measuredBy(m)}` : ''})`;
      });
      return [`- ${link(heading)}: introduces ${shown.join(', ')}, which you have shown you know`];
    });
  if (skim.length === 0) return null;
  return {
    lines: callout('You can skim', ['Your answers show you know what these parts teach:', '', ...skim]),
    note: `Shorter path: marked ${plural(skim.length, 'section')} to skim, measured mastery of ${strong.map(describeMeasured).join(', ')}`,
  };
}

/** Each concept the lesson defines, in the lesson's own words; a concept it never defines is left out. */
function keyTerms(terms: ConceptTerm[], doc: LessonDoc): Addition | null {
  const defined = terms.flatMap((term) => {
    const definition = definingSentence(term, doc);
    return definition ? [`- **${term.display}**: ${definition}`] : [];
  });
  if (defined.length === 0) return null;
  return { lines: callout('Key terms', defined), note: `Defined ${plural(defined.length, 'key term')}` };
}

function coreSections(doc: LessonDoc): number[] {
  return doc.sections.flatMap((s, i) => (s.heading && !PRACTICE_HEADING.test(s.heading.text) ? [i] : []));
}

function keyPoints(doc: LessonDoc, terms: ConceptTerm[], sessionMinutes: number): Addition | null {
  const points = keyPointSentences(doc, coreSections(doc), terms);
  if (points.length === 0) return null;
  return {
    lines: callout(
      `In a hurry? The ${points.length} key points`,
      points.map((p, i) => `${i + 1}. ${p}`),
    ),
    note: `Added a ${points.length}-point summary for a ${sessionMinutes}-minute session`,
  };
}

/** Minutes per top-level section: words and code lines, scaled so the lesson adds up to its stated minutes. */
function sectionMinutes(lesson: LessonContext, doc: LessonDoc): number[] {
  const weights = doc.sections.map((s) => s.words / WORDS_PER_MINUTE + s.codeLines / CODE_LINES_PER_MINUTE);
  const total = weights.reduce((a, b) => a + b, 0) || 1;
  return weights.map((w) => (lesson.minutes * w) / total);
}

function splitPlan(lesson: LessonContext, doc: LessonDoc, sessionMinutes: number): Addition | null {
  const minutes = sectionMinutes(lesson, doc);
  const sittings: { headings: LessonHeading[]; minutes: number }[] = [];
  // The intro has no heading to link to, so it is read with the first section.
  let carry = minutes[0] ?? 0;
  doc.sections.forEach((section, i) => {
    if (!section.heading) return;
    const length = (minutes[i] ?? 0) + carry;
    carry = 0;
    const current = sittings[sittings.length - 1];
    if (current && current.minutes + length <= sessionMinutes) {
      current.headings.push(section.heading);
      current.minutes += length;
    } else sittings.push({ headings: [section.heading], minutes: length });
  });
  if (sittings.length < 2) return null;
  return {
    lines: callout(`Split this lesson into ${sittings.length} sittings`, [
      `Each sitting fits in about ${sessionMinutes} minutes and ends at a section break:`,
      '',
      ...sittings.map((s, i) => `${i + 1}. About ${Math.max(1, Math.round(s.minutes))} min: ${s.headings.map(link).join(', ')}`),
    ]),
    note: `Split the lesson into ${sittings.length} sittings of up to ${sessionMinutes} minutes`,
  };
}

function skimNote(doc: LessonDoc, terms: ConceptTerm[]): Addition | null {
  // A section is skimmable when it introduces none of the lesson's concepts, or only works an example.
  const introduced = new Set(terms.map((t) => t.firstSection));
  const examples = new Set(doc.sections.flatMap((s, i) => (s.heading && WORKED_EXAMPLE.test(s.heading.text) ? [i] : [])));
  const skim = [
    ...coreSections(doc).filter(
      (i) => !introduced.has(i) && !examples.has(i) && !ADVANCED_HEADING.test(doc.sections[i]?.heading?.text ?? ''),
    ),
    ...examples,
  ].sort((a, b) => a - b);
  const items = skim.flatMap((i) => {
    const heading = doc.sections[i]?.heading;
    if (!heading) return [];
    return [
      `- ${link(heading)}: ${examples.has(i) ? 'works through an example of what came before' : 'introduces no new concept'}`,
    ];
  });
  if (items.length === 0) return null;
  return {
    lines: callout('What you can skim', ['You know the ground: these parts add nothing new for you.', '', ...items]),
    note: `Marked ${plural(items.length, 'section')} you can skim`,
  };
}

/** Where each key term first comes up, and how far into the lesson: a map of the ideas, not of the sections. */
function termMap(lesson: LessonContext, doc: LessonDoc, terms: ConceptTerm[]): Addition | null {
  const minutes = sectionMinutes(lesson, doc);
  const startOf = (section: number) => minutes.slice(0, section).reduce((sum, m) => sum + m, 0);
  const rows = terms
    .filter((t) => t.firstSection > 0 && doc.sections[t.firstSection]?.heading)
    .sort((a, b) => a.firstSection - b.firstSection)
    .flatMap((t) => {
      const heading = doc.sections[t.firstSection]?.heading;
      if (!heading) return [];
      const into = Math.round(startOf(t.firstSection));
      return [
        `| ${t.display.replace(/\|/g, '\\|')} | ${link(heading).replace(/\|/g, '\\|')} | ${into < 1 ? 'at the start' : `${into} min in`} |`,
      ];
    });
  if (rows.length < 2) return null;
  return {
    lines: callout('Where each new idea comes up', ['| Idea | Section | When |', '| --- | --- | --- |', ...rows]),
    note: `Added a map of where ${plural(rows.length, 'key idea')} come${rows.length === 1 ? 's' : ''} up`,
  };
}

/** Questions to answer from memory: sentences of the lesson with a key term taken out, answers behind a reveal. */
function checkYourReasoning(doc: LessonDoc, terms: ConceptTerm[]): Addition | null {
  const gaps = recallGaps(doc, coreSections(doc), terms);
  if (gaps.length < 2) return null;
  return {
    lines: [
      '## Check your reasoning',
      '',
      'Without looking back, which term fills each gap? Say why it fits before you open the answers.',
      '',
      ...gaps.map((g, i) => `${i + 1}. ${g.question}`),
      '',
      `**Answers:** ${gaps.map((g, i) => `(${i + 1}) ${g.answer}`).join('; ')}.`,
    ],
    note: `Added ${plural(gaps.length, 'question')} to answer from memory at the end`,
  };
}

function optionalNotes(doc: LessonDoc): { inserts: { before: number; block: string[] }[]; note: string } | null {
  const advanced = doc.headings.filter((h) => ADVANCED_HEADING.test(h.text) && !PRACTICE_HEADING.test(h.text));
  if (advanced.length === 0) return null;
  const block = [
    '> *Optional on a first read.* This part goes beyond the essentials: skip it now and come back once the rest feels familiar.',
  ];
  return {
    inserts: advanced.map((h) => ({ before: h.endLine, block })),
    note: `Marked ${plural(advanced.length, 'advanced section')} as optional on a first read`,
  };
}

/** A “Try it” prompt after each code example (of the `sections` given, else of all). */
function tryIts(
  doc: LessonDoc,
  sections?: ReadonlySet<number>,
): { inserts: { before: number; block: string[] }[]; note: string } | null {
  const squash = (code: string) => code.replace(/\s+/g, ' ').trim();
  const inserts = doc.code.flatMap((code, i) => {
    const heading = doc.sections[code.section]?.heading?.text ?? '';
    const inExercises = PRACTICE_HEADING.test(heading) && !WORKED_EXAMPLE.test(heading);
    // A fragment that a later block of the same section completes needs no exercise of its own.
    const completedLater =
      isFragment(code.content, code.info) &&
      doc.code
        .slice(i + 1)
        .some((later) => later.section === code.section && squash(later.content).includes(squash(code.content)));
    // Text that goes on in lower case finishes the sentence the block interrupted; a prompt there would split it.
    const next = doc.lines.slice(code.endLine).find((line) => line.trim() !== '') ?? '';
    const midSentence = /^\p{Ll}/u.test(next.trim());
    const prompt = tryItPrompt(code.content, code.info);
    const elsewhere = sections !== undefined && !sections.has(code.section);
    if (code.endLine === undefined || inExercises || completedLater || midSentence || elsewhere || !prompt) return [];
    return [{ before: code.endLine, block: [`> **Try it:** ${prompt}`] }];
  });
  if (inserts.length === 0) return null;
  return { inserts, note: `Added a “Try it” prompt after ${plural(inserts.length, 'code example')}` };
}
