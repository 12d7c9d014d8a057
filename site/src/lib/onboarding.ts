import {
  getMe,
  sessionIsKept,
  type Answer,
  type Answers,
  type CourseCard,
  type Preferences,
  type Question,
  type QuestionId,
} from './api';

export const ONBOARDING_PATH = '/onboarding/';
const SKIPPED_KEY = 'learnedge.onboarding.skipped';

/** The visitor chose "Skip for now": pages stop sending them to onboarding (the Personalized tab still offers it). */
export function skipOnboarding(): void {
  try {
    window.localStorage.setItem(SKIPPED_KEY, new Date().toISOString());
  } catch {
    // Storage blocked: the session is not kept either, and then no page redirects anyway.
  }
}

export function onboardingSkipped(): boolean {
  try {
    return window.localStorage.getItem(SKIPPED_KEY) !== null;
  } catch {
    return false;
  }
}

/** The onboarding page, coming back to `next` (a path on this site) when done. */
export function onboardingHref(next: string): string {
  return next === '/' ? ONBOARDING_PATH : `${ONBOARDING_PATH}?next=${encodeURIComponent(next)}`;
}

/**
 * The page to return to after onboarding: a path on this site, never another origin
 * (`//evil.example`, `https:` or `javascript:` fall back to the course).
 */
export function safeNext(raw: string | null): string {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return '/';
  try {
    const url = new URL(raw, 'https://site.invalid');
    return url.origin === 'https://site.invalid' ? `${url.pathname}${url.search}${url.hash}` : '/';
  } catch {
    return '/';
  }
}

/**
 * Which question a field error of the API belongs to: `json/answers/goals` (onboarding),
 * `json/goals/0` or `goals` (preferences) all name `goals`.
 */
export function questionOfField(field: string, ids: readonly QuestionId[]): QuestionId | null {
  return field.split('/').find((segment): segment is QuestionId => (ids as readonly string[]).includes(segment)) ?? null;
}

/** Field errors keyed by question; the ones naming no question are returned apart. */
export function errorsByQuestion(
  errors: readonly { field: string; message: string }[],
  ids: readonly QuestionId[],
): { byQuestion: Partial<Record<QuestionId, string>>; other: string[] } {
  const byQuestion: Partial<Record<QuestionId, string>> = {};
  const other: string[] = [];
  for (const { field, message } of errors) {
    const id = questionOfField(field, ids);
    if (id) byQuestion[id] = byQuestion[id] ? `${byQuestion[id]}; ${message}` : message;
    else other.push(`${field}: ${message}`);
  }
  return { byQuestion, other };
}

/** Whether an answer is complete enough to move on (the API still has the last word). */
export function isAnswered(question: Question, answer: Answer | undefined): boolean {
  switch (question.type) {
    case 'single':
      return typeof answer === 'string' && question.options.some((o) => o.id === answer);
    case 'multi':
      return Array.isArray(answer) && answer.length > 0;
    case 'number':
      return (
        typeof answer === 'number' &&
        Number.isInteger(answer) &&
        answer >= (question.min ?? -Infinity) &&
        answer <= (question.max ?? Infinity)
      );
  }
}

/** Starting answers: the learner's saved preferences, else each number question's default. */
export function initialAnswers(questions: readonly Question[], preferences: Preferences | null): Answers {
  const answers: Answers = {};
  for (const question of questions) {
    const saved = preferences?.[question.id];
    if (saved !== undefined) answers[question.id] = saved;
    else if (question.type === 'number' && question.default !== undefined) answers[question.id] = question.default;
  }
  return answers;
}

/** The answers as a full Preferences object, or null while one is missing or of the wrong kind. */
export function answersToPreferences(answers: Answers): Preferences | null {
  const { experience, background, goals, style, sessionMinutes, exampleDomain } = answers;
  if (
    typeof experience !== 'string' ||
    typeof background !== 'string' ||
    !Array.isArray(goals) ||
    typeof style !== 'string' ||
    typeof sessionMinutes !== 'number' ||
    typeof exampleDomain !== 'string'
  ) {
    return null;
  }
  // The enums are checked by the API, which answers with a field error if one is off.
  return { experience, background, goals, style, sessionMinutes, exampleDomain } as Preferences;
}

/**
 * Sends a learner who has not onboarded to the questionnaire, remembering the page
 * they opened. Says `redirected` when it navigated away, `onboarded` for a learner
 * with a profile, `reading` for one who reads without (skipped, no kept session, or
 * the learner API out of reach: reading does not need a profile, and the
 * Personalized tab reports the failure where it matters).
 */
export async function checkOnboarding(): Promise<'redirected' | 'onboarded' | 'reading'> {
  let onboarded: boolean;
  try {
    onboarded = (await getMe()).onboarded;
  } catch {
    return 'reading';
  }
  if (onboarded) return 'onboarded';
  // Without a kept session, onboarding would start over on every page: let them read. Nor after "Skip for now".
  if (!sessionIsKept() || onboardingSkipped()) return 'reading';
  const { pathname, search, hash } = window.location;
  window.location.replace(onboardingHref(`${pathname}${search}${hash}`));
  return 'redirected';
}

/** {@link checkOnboarding}, for a page that only needs to know whether it navigated away. */
export async function redirectIfNotOnboarded(): Promise<boolean> {
  return (await checkOnboarding()) === 'redirected';
}

/**
 * The questions with the goals question offering every course's parts, not only the
 * course the questions came from: a goal can be any course's part (each other course's
 * named after its part), so the profile shows and keeps them all. A part slug offered
 * already is not offered twice. With one course, the questions as they are.
 */
export function withCatalogGoals(questions: readonly Question[], catalog: readonly CourseCard[]): Question[] {
  if (catalog.length < 2) return [...questions];
  return questions.map((question) => {
    if (question.id !== 'goals') return question;
    const offered = new Set(question.options.map((o) => o.id));
    const others = catalog.flatMap((course) =>
      course.outline.flatMap((part) => {
        if (offered.has(part.slug)) return [];
        offered.add(part.slug);
        return [{ id: part.slug, label: `${part.title} (${course.title})`, partSlug: part.slug }];
      }),
    );
    return { ...question, help: 'Pick one or more parts of any course.', options: [...question.options, ...others] };
  });
}
