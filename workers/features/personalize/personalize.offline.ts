import type { Adaptation, LessonContext, Preferences } from './personalize.domain';
import { conceptTerms, definingSentence, keyPointSentences, type ConceptTerm } from './personalize.offline-terms';
import {
  closeOpenFence,
  insertBlocks,
  putDomainFirst,
  readLesson,
  type LessonDoc,
  type LessonHeading,
} from './personalize.offline-sections';
import { isFragment, reasoningQuestions, tryItPrompt } from './personalize.offline-practice';

/**
 * Part of every offline cache key: change it whenever the cached text changes, be it
 * the output of `adaptOffline` or the sanitizing the engine applies before caching.
 */
export const OFFLINE_ENGINE_VERSION = 'offline-v3';

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
 * prompts and plans, and reorders example variants, so the result always passes
 * `checkAdaptation`. Deterministic: the same lesson and preferences give the same text.
 */
export function adaptOffline(lesson: LessonContext, prefs: Preferences): Adaptation {
  const reordered = putDomainFirst(closeOpenFence(lesson.markdown), prefs.exampleDomain);
  const doc = readLesson(reordered.markdown);
  const terms = conceptTerms(lesson.concepts, doc);
  const beginner = prefs.experience === 'none' || prefs.experience === 'basic';
  const expert = prefs.experience === 'expert';
  const shortSession = prefs.sessionMinutes < lesson.minutes;

  const top = [
    beginner ? recap(lesson) : null,
    prefs.style === 'visual' ? lessonMap(doc) : null,
    expert ? skimNote(lesson, doc, terms) : null,
    shortSession ? keyPoints(doc, terms, prefs.sessionMinutes) : null,
    shortSession ? splitPlan(lesson, doc, prefs.sessionMinutes) : null,
    prefs.style === 'analytical' && !expert ? objectivesUpTop(lesson) : null,
    expert ? null : keyTerms(terms, doc),
  ].flatMap((a) => (a ? [a] : []));
  const domain = reordered.moved > 0 ? `Examples from ${prefs.exampleDomain} first` : null;
  const optional = beginner ? optionalNotes(doc) : null;
  const practice = prefs.style === 'hands-on' ? tryIts(doc) : null;
  const end = prefs.style === 'analytical' ? checkYourReasoning(lesson) : null;

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

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function link(heading: LessonHeading): string {
  return `[${heading.text.replace(/[[\]\\]/g, '\\$&')}](#${heading.anchor})`;
}

function listJoin(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] ?? ''}`;
}

function recap(lesson: LessonContext): Addition | null {
  const prereqs = lesson.prerequisites;
  if (prereqs.length === 0) return null;
  return {
    lines: callout('Before you start', [
      `This lesson builds on ${prereqs.length === 1 ? 'an earlier lesson' : `${prereqs.length} earlier lessons`}. If ${prereqs.length === 1 ? 'it is' : 'they are'} not fresh in your mind, take a minute to look back:`,
      '',
      ...prereqs.map((p) => `- [${p.title}](/lessons/${p.slug})${p.summary.trim() ? `: ${p.summary.trim()}` : ''}`),
    ]),
    note: `Added a recap of ${plural(prereqs.length, 'prerequisite lesson')}`,
  };
}

function keyTerms(terms: ConceptTerm[], doc: LessonDoc): Addition | null {
  if (terms.length === 0) return null;
  const items = terms.map((term) => {
    const definition = definingSentence(term, doc);
    return definition ? `- **${term.display}**: “${definition}”` : `- **${term.display}**`;
  });
  return { lines: callout('Key terms', items), note: `Added ${plural(terms.length, 'key term')}` };
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

function skimNote(lesson: LessonContext, doc: LessonDoc, terms: ConceptTerm[]): Addition | null {
  // A section is skimmable when it introduces none of the lesson's concepts, or only works an example.
  const introduced = new Set(terms.map((t) => t.firstSection));
  const skim = coreSections(doc)
    .filter((i) => !introduced.has(i) && !ADVANCED_HEADING.test(doc.sections[i]?.heading?.text ?? ''))
    .concat(doc.sections.flatMap((s, i) => (s.heading && WORKED_EXAMPLE.test(s.heading.text) ? [i] : [])))
    .sort((a, b) => a - b)
    .flatMap((i) => (doc.sections[i]?.heading ? [doc.sections[i].heading] : []));
  if (skim.length === 0 && lesson.objectives.length === 0) return null;
  const body = skim.length
    ? [
        `You can skim ${listJoin(skim.map(link))}: ${skim.length === 1 ? 'it adds no new concept or only works' : 'they add no new concept or only work'} through an example.`,
      ]
    : [];
  if (lesson.objectives.length) {
    body.push(
      ...(body.length ? [''] : []),
      'Check that you can do all of this:',
      '',
      ...lesson.objectives.map((o) => `- [ ] ${o}`),
    );
  }
  const notes = [
    skim.length ? `Marked ${plural(skim.length, 'section')} you can skim` : '',
    lesson.objectives.length ? 'added the objectives as a checklist' : '',
  ];
  const note = notes.filter(Boolean).join(' and ');
  return { lines: callout('What you can skim', body), note: note.charAt(0).toUpperCase() + note.slice(1) };
}

function lessonMap(doc: LessonDoc): Addition | null {
  if (doc.headings.length < 2) return null;
  const stack: number[] = [];
  const items = doc.headings.map((heading) => {
    while (stack.length && (stack[stack.length - 1] ?? 0) >= heading.depth) stack.pop();
    stack.push(heading.depth);
    return `${'  '.repeat(stack.length - 1)}- ${link(heading)}`;
  });
  return {
    lines: callout('Map of this lesson', items),
    note: `Added a map of the lesson's ${plural(doc.headings.length, 'section')}`,
  };
}

function objectivesUpTop(lesson: LessonContext): Addition | null {
  if (lesson.objectives.length === 0) return null;
  return {
    lines: callout(
      'What you will be able to do',
      lesson.objectives.map((o, i) => `${i + 1}. ${o}`),
    ),
    note: 'Listed what you will be able to do after this lesson',
  };
}

function checkYourReasoning(lesson: LessonContext): Addition | null {
  if (lesson.objectives.length === 0) return null;
  const questions = reasoningQuestions(lesson.objectives);
  return {
    lines: callout(
      'Check your reasoning',
      questions.map((q, i) => `${i + 1}. ${q}`),
    ),
    note: `Added ${plural(questions.length, 'question')} to check your reasoning at the end`,
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

function tryIts(doc: LessonDoc): { inserts: { before: number; block: string[] }[]; note: string } | null {
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
    if (code.endLine === undefined || inExercises || completedLater || midSentence || !prompt) return [];
    return [{ before: code.endLine, block: [`> **Try it:** ${prompt}`] }];
  });
  if (inserts.length === 0) return null;
  return { inserts, note: `Added a “Try it” prompt after ${plural(inserts.length, 'code example')}` };
}
