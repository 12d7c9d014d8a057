import type { Deps } from '../../deps';
import { ofLearner } from '../../http/learner-auth';
import { AppError } from '../../http/problem';
import { askedCourse } from '../content/content.catalog';
import type { PlacementSession } from '../learners/learner.store';
import { forgetRecommendations } from '../recommendations/recommend.cache';
import { prerequisiteMet, type ConceptInfo } from '../recommendations/recommend.domain';
import { DEFAULT_BKT } from './mastery.bkt';
import { conceptLevel, PRIOR_ABILITY, updateAbility, type ConceptKey } from './mastery.domain';
import type { PlacementQuizItem } from './mastery.store';
import { nextPlacementItem, PLACEMENT, placementDone, placementMastery } from './placement.domain';
import type { PlacementResult, PlacementState } from './placement.schemas';

type PlacementDeps = Pick<Deps, 'mastery' | 'learner' | 'recommend' | 'cache' | 'content'>;

/**
 * The course and its quiz items: a placement needs both. The learner's own signals are
 * read only when a test ends (to say which lessons it unlocked), not on every answer.
 */
async function courseOf(deps: PlacementDeps, asked: string | undefined) {
  const course = await askedCourse(deps, asked);
  if (!course) throw new AppError('not_found', 'There is no course to place you in yet');
  const items = await deps.mastery.placementItems(course.id);
  if (items.length === 0) throw new AppError('not_found', 'This course has no quiz questions to place you with');
  return { courseId: course.id, items };
}

/** A session as the API shows it: the question to answer (without its key), or the result. */
async function stateOf(
  deps: PlacementDeps,
  session: PlacementSession,
  items: readonly PlacementQuizItem[],
): Promise<PlacementState> {
  const item = items.find((i) => i.id === session.currentItemId);
  const titles = item ? await conceptTitles(deps, session.courseId) : new Map<string, string>();
  const last = session.answers.at(-1);
  const lastItem = last ? items.find((i) => i.id === last.itemId) : undefined;
  return {
    id: session.id,
    course: session.courseId,
    status: session.status,
    answered: session.answers.length,
    maxItems: Math.min(PLACEMENT.maxItems, items.length),
    ability: { theta: session.theta, se: session.thetaSe },
    item:
      session.status === 'active' && item
        ? {
            id: item.id,
            question: item.question,
            choices: item.choices,
            conceptId: item.conceptId,
            conceptTitle: titles.get(item.conceptId) ?? item.conceptId,
          }
        : null,
    last:
      last && lastItem ? { itemId: last.itemId, correct: last.correct, answer: last.answer, rightAnswer: lastItem.answer } : null,
    result: session.result ?? null,
    startedAt: session.startedAt,
    finishedAt: session.finishedAt,
  };
}

async function conceptTitles(deps: PlacementDeps, courseId: string): Promise<Map<string, string>> {
  return new Map((await deps.mastery.assessedConcepts(courseId)).map((c) => [c.concept, c.title]));
}

/** The learner's newest placement in their course; 404 when they never started one. */
export async function currentPlacement(
  deps: PlacementDeps,
  learnerId: string,
  course: string | undefined,
): Promise<PlacementState> {
  const { courseId, items } = await courseOf(deps, course);
  const { session } = ofLearner(await deps.learner(learnerId).placement(learnerId, courseId));
  if (!session) throw new AppError('not_started', 'You have not started a placement test');
  return stateOf(deps, session, items);
}

/** Starts a placement test (or goes on with the one under way, unless `restart`). */
export async function startPlacement(
  deps: PlacementDeps,
  input: { learnerId: string; course: string | undefined; restart: boolean; now: Date },
): Promise<{ state: PlacementState; created: boolean }> {
  const { learnerId, course, restart, now } = input;
  const { courseId, items } = await courseOf(deps, course);
  const first = nextPlacementItem(items, [], PRIOR_ABILITY);
  const fresh: PlacementSession = {
    id: `pl_${crypto.randomUUID().replaceAll('-', '')}`,
    courseId,
    status: 'active',
    theta: PRIOR_ABILITY.theta,
    thetaSe: PRIOR_ABILITY.se,
    currentItemId: first?.id ?? null,
    answers: [],
    result: null,
    startedAt: now.toISOString(),
    finishedAt: null,
  };
  const session = ofLearner(await deps.learner(learnerId).startPlacement(learnerId, fresh, restart));
  return { state: await stateOf(deps, session, items), created: session.id === fresh.id };
}

/**
 * Grades an answer to the question the test asked, moves the ability (jsCAT's sequential EAP),
 * and asks the next question, or ends the test: the placed mastery is stored (never lowering the
 * learner's), and the result says which lessons it unlocked.
 */
export async function answerPlacement(
  deps: PlacementDeps,
  input: { learnerId: string; id: string; itemId: string; answer: number; now: Date },
): Promise<PlacementState> {
  const { learnerId, id, itemId, answer, now } = input;
  // The test names its course.
  const { session } = ofLearner(await deps.learner(learnerId).placement(learnerId, null, id));
  if (!session) throw new AppError('not_found', `No placement test ${id}`);
  const { items } = await courseOf(deps, session.courseId);
  if (session.status !== 'active') throw new AppError('conflict', 'This placement test is over; start another to retake it');
  if (session.currentItemId !== itemId) {
    throw new AppError('conflict', `Answer the question the test asked (${session.currentItemId ?? 'none'}), not ${itemId}`);
  }
  const item = items.find((i) => i.id === itemId);
  if (!item) throw new AppError('conflict', 'The course changed under this placement test; start another');
  if (answer >= item.choices.length) {
    throw new AppError('validation_failed', 'No such option', {
      errors: [{ field: 'json/answer', message: `must be below ${item.choices.length}` }],
    });
  }
  const at = now.toISOString();
  const correct = answer === item.answer;
  const ability = updateAbility({ theta: session.theta, se: session.thetaSe }, item.zeta, correct);
  const answers = [...session.answers, { itemId, conceptId: item.conceptId, answer, correct, at }];
  const done = placementDone(answers.length, ability, items.length - answers.length);
  const next = done ? undefined : nextPlacementItem(items, answers, ability);
  const base = { ...session, theta: ability.theta, thetaSe: ability.se, answers };
  let saved: PlacementSession;
  let placed: { conceptId: string; pKnown: number; linked: ConceptKey[] }[] | null = null;
  if (next) {
    saved = { ...base, currentItemId: next.id };
  } else {
    const [context, concepts] = await Promise.all([
      deps.recommend.learner(learnerId, now, session.courseId),
      deps.mastery.assessedConcepts(session.courseId),
    ]);
    const byId = new Map(concepts.map((c) => [c.concept, c]));
    const mastery = placementMastery(items, answers, ability, (c) => byId.get(c)?.params ?? DEFAULT_BKT);
    placed = mastery.map((m) => ({ conceptId: m.conceptId, pKnown: m.pKnown, linked: byId.get(m.conceptId)?.linked ?? [] }));
    const result: PlacementResult = {
      ability,
      right: answers.filter((a) => a.correct).length,
      answered: answers.length,
      concepts: mastery.map((m) => {
        const before = context.signals.concepts.get(m.conceptId)?.pKnown ?? 0;
        const pKnown = Math.max(before, m.pKnown);
        return {
          conceptId: m.conceptId,
          title: byId.get(m.conceptId)?.title ?? m.conceptId,
          pKnown,
          level: conceptLevel({ pKnown, attempts: 0, correct: 0 }),
          tested: m.tested,
        };
      }),
      lessonsUnlocked: await unlockedLessons(deps, context, mastery),
    };
    saved = { ...base, status: 'finished', currentItemId: null, result, finishedAt: at };
  }
  const outcome = ofLearner(
    await deps.learner(learnerId).answerPlacement(learnerId, { answered: session.answers.length, itemId }, saved, placed, at),
  );
  if (outcome === 'conflict') throw new AppError('conflict', 'This question was answered already; read the test again');
  if (placed) await forgetRecommendations(deps, learnerId);
  return stateOf(deps, saved, items);
}

/** Lessons not completed whose prerequisites were not all met before the placement and are after it. */
async function unlockedLessons(
  deps: PlacementDeps,
  context: Awaited<ReturnType<PlacementDeps['recommend']['learner']>>,
  placed: readonly { conceptId: string; pKnown: number }[],
): Promise<{ slug: string; title: string }[]> {
  const lessons = await deps.recommend.course(context.courseStamp, context.courseId);
  const bySlug = new Map(lessons.map((l) => [l.slug, l]));
  const before = { ...context.signals, allowSkips: false };
  const concepts = new Map<string, ConceptInfo>(context.signals.concepts);
  for (const p of placed) {
    const had = concepts.get(p.conceptId);
    if (!had || had.pKnown < p.pKnown) {
      concepts.set(p.conceptId, { title: had?.title ?? p.conceptId, attempts: had?.attempts ?? 0, pKnown: p.pKnown });
    }
  }
  const after = { ...before, concepts };
  const met = (signals: typeof before, prerequisites: readonly string[]) =>
    prerequisites.every((p) => prerequisiteMet(bySlug.get(p), p, signals));
  return lessons
    .filter((l) => !context.signals.completed.has(l.slug) && l.prerequisites.length > 0)
    .filter((l) => !met(before, l.prerequisites) && met(after, l.prerequisites))
    .map((l) => ({ slug: l.slug, title: l.title }));
}
