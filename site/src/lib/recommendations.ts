import { lessonHref, type Recommendation, type RecommendationKind } from './api';

/** Where the dashboard's review flow starts: its "Reviews" section. */
export const REVIEWS_HREF = '/dashboard/#reviews';
/** The heading of a lesson page's quiz: a link to it lands on the questions. */
export const QUIZ_ANCHOR = 'quiz-title';

/** Where an item takes the learner: the lesson, the review flow, or the lesson's quiz. */
export function recommendationHref(item: Pick<Recommendation, 'kind' | 'lessonSlug'>, course?: string | null): string {
  switch (item.kind) {
    case 'lesson':
      return lessonHref(item.lessonSlug, course);
    case 'review':
      return REVIEWS_HREF;
    case 'quiz':
      return `${lessonHref(item.lessonSlug, course)}#${QUIZ_ANCHOR}`;
  }
}

/** What kind of step an item is, as a short label shown beside its title. */
export const KIND_LABELS: Record<RecommendationKind, string> = { lesson: 'Lesson', review: 'Review', quiz: 'Quiz' };

/**
 * The title shown beside the item's kind label: the API names reviews and quizzes
 * "Review: <lesson>" and "Quiz: <lesson>", and the label already says which.
 */
export function shownTitle(item: Pick<Recommendation, 'kind' | 'title'>): string {
  const prefix = `${KIND_LABELS[item.kind]}: `;
  const rest = item.title.startsWith(prefix) ? item.title.slice(prefix.length).trim() : '';
  return rest || item.title;
}

/**
 * An item's reasons as the lines shown under its title: each once, in the API's order,
 * with a full stop. An item the API gave no reason keeps one line so the list stays even.
 */
export function reasonLines(item: Pick<Recommendation, 'reasons'>): string[] {
  const lines = [...new Set(item.reasons.map((r) => r.text.trim()).filter((text) => text !== ''))];
  if (lines.length === 0) return ['Suggested from your progress.'];
  return lines.map((text) => (/[.!?]$/.test(text) ? text : `${text}.`));
}

/** The list without one item (after it was dismissed), until the reloaded ranking arrives. */
export function withoutItem<T extends { id: string }>(items: readonly T[], id: string): T[] {
  return items.filter((item) => item.id !== id);
}
