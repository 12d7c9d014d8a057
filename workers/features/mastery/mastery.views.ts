import {
  cardState,
  conceptLevel,
  pickItem,
  retrievability,
  type Ability,
  type ConceptState,
  type ItemZeta,
  type StoredCard,
} from './mastery.domain';

/**
 * Pure shaping of the learner model for the API: cards, mastery, the next quiz item and
 * due reviews as responses show them. No bindings; `now` is a parameter.
 */

/** A review card as the API shows it. */
export function cardView(card: StoredCard) {
  return {
    due: card.due,
    state: cardState(card),
    stability: card.stability,
    difficulty: card.difficulty,
    reps: card.reps,
    lapses: card.lapses,
    scheduledDays: card.scheduledDays,
  };
}

/** A concept's mastery as the API shows it: P(known), its level and the answer counts. */
export function masteryView(concept: string, title: string, state: ConceptState) {
  return {
    concept,
    title,
    pKnown: state.pKnown,
    level: conceptLevel(state),
    attempts: state.attempts,
    correct: state.correct,
  };
}

/** A quiz item the learner may be asked: its text and its IRT parameters. */
export interface QuizCandidate {
  id: string;
  question: string;
  choices: string[];
  concept: string | null;
  zeta: ItemZeta;
}

/** What the learner has done in quizzes: the ability and, per answered item, whether any answer was right. */
export interface QuizState {
  ability: Ability;
  best: readonly { itemId: string; correct: boolean }[];
  /** The item answered last (its answer has just been shown): not asked again at once while another is open. */
  lastItemId?: string | null;
}

/**
 * The lesson's next quiz item: among the items not yet answered correctly (unanswered
 * first), the one with the most information at the learner's ability; null once every
 * item has been answered correctly. Once every item has been answered, the next is a
 * retry of a missed one (`retry`), never the one whose answer was just shown while
 * another is open.
 */
export function chooseNextItem(items: readonly QuizCandidate[], state: QuizState) {
  const best = new Map(state.best.map((b) => [b.itemId, b.correct]));
  const open = items.filter((i) => best.get(i.id) !== true);
  const fresh = open.filter((i) => !best.has(i.id));
  const missed = open.length > 1 ? open.filter((i) => i.id !== state.lastItemId) : open;
  const next = pickItem(state.ability.theta, fresh.length > 0 ? fresh : missed);
  return {
    item: next ? { id: next.id, question: next.question, choices: next.choices, concept: next.concept } : null,
    ability: state.ability,
    answered: items.length - open.length,
    total: items.length,
    retry: next !== undefined && fresh.length === 0,
  };
}

/** A card of the learner's, with the item and concept it reviews. */
export interface ItemCard {
  itemId: string;
  conceptId: string;
  card: StoredCard;
}

/** What a due review shows of its quiz item (from the course). */
export interface ReviewItemText {
  courseId: string;
  lessonSlug: string;
  lessonTitle: string;
  question: string;
  choices: string[];
}

/**
 * The first `limit` due cards (in the order given: soonest first) with their items and
 * retrievability at `now`, how many cards are due later and the soonest of those. Cards
 * of items no longer in the course are neither due nor upcoming.
 */
export function summarizeReviews(
  cards: { due: readonly ItemCard[]; later: readonly { itemId: string; due: string }[] },
  items: ReadonlyMap<string, ReviewItemText>,
  limit: number,
  now: Date,
  course?: string,
) {
  // Cards of items the course no longer has are left out, and with `course` those of other courses.
  const held = (itemId: string) => {
    const item = items.get(itemId);
    return item !== undefined && (course === undefined || item.courseId === course) ? item : null;
  };
  const due = cards.due.flatMap((d) => {
    const item = held(d.itemId);
    return item ? [{ ...d, item }] : [];
  });
  const later = cards.later
    .filter((d) => held(d.itemId) !== null)
    .map((d) => d.due)
    .sort();
  return {
    due: due.slice(0, limit).map(({ itemId, conceptId, card, item }) => ({
      id: itemId,
      itemId,
      course: item.courseId,
      lessonSlug: item.lessonSlug,
      lessonTitle: item.lessonTitle,
      question: item.question,
      choices: item.choices,
      concept: conceptId,
      due: card.due,
      state: cardState(card),
      reps: card.reps,
      lapses: card.lapses,
      retrievability: retrievability(card, now),
    })),
    upcoming: later.length,
    nextDue: later[0] ?? null,
  };
}
