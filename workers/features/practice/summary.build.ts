import type { LearnerStore } from '../learners/learner.store';
import { learnerTimeZone, localTime } from './plan.domain';
import { addDays, isoWeek, localMidnight, weekMonday, weeklySummary } from './summary.domain';
import type { WeeklySummary } from './summary.schemas';

/** Most weeks one call builds; a learner owed more is due again at once. */
export const MAX_WEEKS_PER_CALL = 8;
/** Days without a plan after which a learner leaves the summaries' schedule. */
const IDLE_DAYS = 35;

export interface ConceptTitle {
  id: string;
  title: string;
}

/** The learner's time zone: the stored one, else that of their latest plan, else UTC. */
function zoneOf(store: LearnerStore, plans: readonly { timeZone: string }[]): string {
  return learnerTimeZone(store.profile()?.preferences?.timeZone, plans[0]?.timeZone);
}

/** One week's summary from the learner's object, and the P(known) per concept it saw. */
function summaryOf(
  store: LearnerStore,
  input: { week: string; timeZone: string; now: string; today: string; complete: boolean; before: Record<string, number> },
  plans: ReturnType<LearnerStore['planHistory']>,
  concepts: readonly ConceptTitle[],
): { summary: WeeklySummary; snapshot: Record<string, number> } {
  const monday = weekMonday(input.week);
  const from = localMidnight(monday, input.timeZone);
  const to = localMidnight(addDays(monday, 7), input.timeZone);
  const week = store.weekActivity(from, to, monday, addDays(monday, 6));
  const snapshot = Object.fromEntries(store.allMastery().map((m) => [m.conceptId, m.pKnown]));
  const summary = weeklySummary({
    week: input.week,
    timeZone: input.timeZone,
    builtAt: input.now,
    complete: input.complete,
    today: input.today,
    plans,
    activity: week.activity,
    activeSeconds: week.activeSeconds,
    reviewsDone: week.reviewsDone,
    overdue: store.overdueCards(input.complete ? to : input.now),
    concepts: concepts.flatMap((c) => (c.id in snapshot ? [{ ...c, pKnown: snapshot[c.id] ?? 0 }] : [])),
    before: new Map(Object.entries(input.before)),
  });
  return { summary, snapshot };
}

/**
 * Builds and stores the summaries the learner is owed: each local week with a plan
 * that ended after the last stored summary (at most 8 a call). Idempotent: a week is
 * stored once, so a call repeated after a crash builds nothing twice. Returns the weeks
 * built and when the next is due (the end of the current local week, now when more
 * are owed, or null when the learner has had no plan for five weeks).
 */
export function buildOwedSummaries(store: LearnerStore, now: string, concepts: readonly ConceptTitle[]) {
  const plans = store.planHistory();
  const timeZone = zoneOf(store, plans);
  const today = localTime(new Date(now), timeZone).date;
  const current = isoWeek(today);
  const last = store.summaries(1)[0];
  const owed = [...new Set(plans.map((p) => isoWeek(p.date)))].filter((w) => w < current && (!last || w > last.week)).sort();
  let before = last?.concepts ?? {};
  const built: { week: string; insights: WeeklySummary['insights'] }[] = [];
  for (const week of owed.slice(0, MAX_WEEKS_PER_CALL)) {
    const { summary, snapshot } = summaryOf(store, { week, timeZone, now, today, complete: true, before }, plans, concepts);
    const courseId = plans.find((p) => isoWeek(p.date) === week)?.courseId ?? null;
    store.saveSummary({ week, courseId, builtAt: now, summary, concepts: snapshot });
    before = snapshot;
    built.push({ week, insights: summary.insights });
  }
  // A learner without a plan for five weeks leaves the schedule; their next plan puts them back on it.
  const idle = (plans[0]?.date ?? '') < addDays(today, -IDLE_DAYS);
  const nextAt = owed.length > MAX_WEEKS_PER_CALL ? now : idle ? null : localMidnight(addDays(weekMonday(current), 7), timeZone);
  return { built, nextAt };
}

/** The summary of the learner's current local week so far (not stored). */
export function weekSoFar(store: LearnerStore, now: string, concepts: readonly ConceptTitle[]): WeeklySummary {
  const plans = store.planHistory();
  const timeZone = zoneOf(store, plans);
  const today = localTime(new Date(now), timeZone).date;
  const before = store.summaries(1)[0]?.concepts ?? {};
  return summaryOf(store, { week: isoWeek(today), timeZone, now, today, complete: false, before }, plans, concepts).summary;
}
