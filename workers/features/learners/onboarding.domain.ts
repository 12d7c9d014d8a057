import type { FieldError } from '../../http/problem';
import { canonicalJson, sha256Hex } from '../../platform/sha256';
import type { Book } from '../content/content.schemas';
import {
  BACKGROUNDS,
  COURSE_PREFERENCE_FIELDS,
  DOMAINS,
  EXPERIENCE,
  PreferencesSchema,
  SESSION_MINUTES,
  STYLES,
  type CoursePreferences,
  type Preferences,
  type Question,
} from './learners.schemas';

const LABELS = {
  experience: {
    none: 'I have never used it',
    basic: 'I have tried a few things',
    working: 'I use it in my work',
    expert: 'I know it well and want depth',
  },
  background: {
    student: 'Student',
    software: 'Software development',
    data: 'Data or analytics',
    business: 'Business or operations',
    science: 'Science or research',
    other: 'Something else',
  },
  style: {
    visual: 'Visual: diagrams, maps and outlines',
    analytical: 'Analytical: reasons, rules and proofs',
    'hands-on': 'Hands-on: try it, then read why',
    mixed: 'A mix of everything',
  },
  exampleDomain: {
    general: 'No preference',
    retail: 'Shops and orders',
    finance: 'Money and accounts',
    health: 'Health and medicine',
    sports: 'Sports',
    science: 'Science and experiments',
    games: 'Games',
  },
} as const;

const DEFAULT_SESSION_MINUTES = 20;

/**
 * The six onboarding questions, with goal options taken from the course's parts
 * (each mapped to the concepts its lessons teach), so goals always name real content.
 */
export function buildQuestionnaire(book: Book): Question[] {
  const choose = <K extends keyof typeof LABELS>(id: K, ids: readonly (keyof (typeof LABELS)[K] & string)[]) =>
    ids.map((option) => ({ id: option, label: (LABELS[id] as Record<string, string>)[option] ?? option }));
  return [
    {
      id: 'experience',
      type: 'single',
      prompt: `How much do you already know about the subject of "${book.course.title}"?`,
      options: choose('experience', EXPERIENCE),
    },
    { id: 'background', type: 'single', prompt: 'What is your background?', options: choose('background', BACKGROUNDS) },
    {
      id: 'goals',
      type: 'multi',
      prompt: 'What do you want to learn?',
      help: 'Pick one or more parts of the course.',
      options: book.parts.map((part) => ({
        id: part.slug,
        label: part.title,
        ...(part.summary ? { description: part.summary } : {}),
        partSlug: part.slug,
        concepts: [...new Set(part.chapters.flatMap((ch) => ch.lessons.flatMap((l) => l.concepts)))],
      })),
    },
    { id: 'style', type: 'single', prompt: 'How do you like to learn?', options: choose('style', STYLES) },
    {
      id: 'sessionMinutes',
      type: 'number',
      prompt: 'How much time do you usually have per session?',
      options: [],
      min: SESSION_MINUTES.min,
      max: SESSION_MINUTES.max,
      step: 5,
      unit: 'minutes',
      default: DEFAULT_SESSION_MINUTES,
    },
    {
      id: 'exampleDomain',
      type: 'single',
      prompt: 'Which kind of examples speak to you most?',
      options: choose('exampleDomain', DOMAINS),
    },
  ];
}

export type AnswerCheck = { ok: true; preferences: Preferences } | { ok: false; errors: FieldError[] };

/** Validates answers against the questionnaire: one error per missing, unknown or out-of-range answer. */
export function answersToPreferences(questions: Question[], answers: Record<string, unknown>): AnswerCheck {
  const errors: FieldError[] = [];
  const known = new Set(questions.map((q) => q.id));
  for (const id of Object.keys(answers)) {
    if (!known.has(id as Question['id']))
      errors.push({ field: `json/answers/${id}`, message: 'is not a question of this questionnaire' });
  }
  const values: Record<string, unknown> = {};
  for (const question of questions) {
    const field = `json/answers/${question.id}`;
    const answer = answers[question.id];
    const error = checkAnswer(question, answer);
    if (error) errors.push({ field, message: error });
    else values[question.id] = answer;
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, preferences: PreferencesSchema.parse(values) };
}

function checkAnswer(question: Question, answer: unknown): string | null {
  if (answer === undefined || answer === null) return 'is required';
  const optionIds = new Set(question.options.map((o) => o.id));
  switch (question.type) {
    case 'single':
      if (typeof answer !== 'string') return 'must be one option id';
      return optionIds.has(answer) ? null : `"${answer}" is not an option; choose one of ${[...optionIds].join(', ')}`;
    case 'multi': {
      if (!Array.isArray(answer) || answer.length === 0) return 'must be a non-empty list of option ids';
      const unknown = answer.filter((a) => typeof a !== 'string' || !optionIds.has(a));
      if (unknown.length > 0) return `${unknown.map((u) => JSON.stringify(u)).join(', ')} not an option`;
      return new Set(answer).size === answer.length ? null : 'must not repeat an option';
    }
    case 'number': {
      if (typeof answer !== 'number' || !Number.isInteger(answer)) return 'must be a whole number';
      const { min = -Infinity, max = Infinity } = question;
      return answer < min || answer > max ? `must be between ${min} and ${max}` : null;
    }
  }
}

/** Goals must name parts of the current course; one error per unknown goal. */
export function unknownGoals(catalogParts: readonly { slug: string }[], goals: readonly string[]): FieldError[] {
  const parts = new Set(catalogParts.map((p) => p.slug));
  return goals.flatMap((goal, i) =>
    parts.has(goal) ? [] : [{ field: `json/goals/${i}`, message: `"${goal}" is not a part of any course` }],
  );
}

/**
 * Goals reconciled with the catalog as it is now (`catalogParts`: every course's parts, the
 * default course's first): the parts it still has, in the learner's order, or the first
 * part when none is left; and a sentence per removed goal for the learner. Null when
 * nothing changed.
 */
export function reconcileGoals(
  catalogParts: readonly { slug: string; title: string }[],
  goals: readonly string[],
): { goals: string[]; notices: string[] } | null {
  const parts = new Set(catalogParts.map((p) => p.slug));
  const removed = goals.filter((g) => !parts.has(g));
  const first = catalogParts[0];
  if (removed.length === 0 || !first) return null;
  const kept = goals.filter((g) => parts.has(g));
  const notices = removed.map((g) => `The part "${g}" was removed from the course, so it is no longer one of your goals.`);
  if (kept.length === 0) notices.push(`Your goal is now "${first.title}"; choose others on your profile.`);
  return { goals: kept.length > 0 ? kept : [first.slug], notices };
}

/**
 * Session length in the bands engines distinguish. Two learners with 25 and 30
 * minutes get the same adapted lesson, so they share one cache entry.
 */
export function sessionBand(minutes: number): number {
  const bands = [10, 20, 30, 45, 60, 90];
  return bands.find((b) => minutes <= b) ?? 120;
}

/** What engines see of the preferences, canonical: equal profiles share cached lessons. */
export function canonicalPreferences(preferences: Preferences): Preferences {
  // When and how long to practise shape daily plans, not lessons: they do not split the cache.
  const { timeZone: _zone, preferredTime: _time, dailyMinutes: _minutes, ...seen } = preferences;
  return { ...seen, goals: [...preferences.goals].sort(), sessionMinutes: sessionBand(preferences.sessionMinutes) };
}

export async function preferencesHash(preferences: Preferences): Promise<string> {
  return sha256Hex(canonicalJson(canonicalPreferences(preferences)));
}

/** A learner's preferences in one course: their own, with that course's own (if any) over them. */
export function inCourse(own: Preferences, course: CoursePreferences | undefined): Preferences {
  return course ? { ...own, ...course } : own;
}

/** The preferences hashes of the courses with preferences of their own, over the learner's own `own` (each once). */
export async function coursePreferenceHashes(
  own: Preferences,
  courses: Readonly<Record<string, CoursePreferences>> | null,
): Promise<string[]> {
  return [...new Set(await Promise.all(Object.values(courses ?? {}).map((c) => preferencesHash(inCourse(own, c)))))];
}

/**
 * Preferences `wanted` for one course, split: the learner's own (the learner-wide fields
 * from `wanted`, the per-course ones kept as they were) and what the course keeps for itself
 * (the per-course fields where `wanted` differs from the learner's own; empty when none does).
 */
export function splitCoursePreferences(own: Preferences, wanted: Preferences): { own: Preferences; course: CoursePreferences } {
  const kept = Object.fromEntries(COURSE_PREFERENCE_FIELDS.map((field) => [field, own[field]]));
  const differing = COURSE_PREFERENCE_FIELDS.filter((field) => wanted[field] !== own[field]);
  return {
    own: { ...wanted, ...kept },
    course: Object.fromEntries(differing.map((field) => [field, wanted[field]])),
  };
}
