import { MASTERY_THRESHOLDS } from '../mastery/mastery.bkt';
import { plural } from '../../platform/words';
import { localTime, timeOfDay, type TimeOfDay } from './plan.domain';
import { CATEGORIES, TIMES_OF_DAY } from './practice.schemas';
import type { ProfilePlan } from './profile.domain';
import type { WeeklySummary } from './summary.schemas';

const DAY_MS = 86_400_000;

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Monday of the ISO week of `date` (YYYY-MM-DD). */
export function weekStart(date: string): string {
  const weekday = (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;
  return addDays(date, -weekday);
}

/** The ISO week (YYYY-Www) of `date`: the week of its Thursday, numbered from the year's first Thursday. */
export function isoWeek(date: string): string {
  const thursday = addDays(weekStart(date), 3);
  const year = thursday.slice(0, 4);
  const week = Math.floor((Date.parse(`${thursday}T00:00:00Z`) - Date.parse(`${year}-01-01T00:00:00Z`)) / DAY_MS / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** Monday of an ISO week (YYYY-Www). */
export function weekMonday(week: string): string {
  const [year, number] = week.split('-W').map(Number);
  const jan4 = `${year}-01-04`;
  return addDays(weekStart(jan4), ((number ?? 1) - 1) * 7);
}

/**
 * The instant local midnight starts `date` in `timeZone` (ISO). Two passes of the zone's
 * offset, so a date whose midnight is near a DST change comes out right.
 */
export function localMidnight(date: string, timeZone: string): string {
  const target = Date.parse(`${date}T00:00:00Z`);
  let guess = target;
  for (let i = 0; i < 2; i++) {
    const local = localTime(new Date(guess), timeZone);
    const shown = Date.parse(`${local.date}T${String(local.hour).padStart(2, '0')}:${String(local.minute).padStart(2, '0')}:00Z`);
    guess += target - shown;
  }
  return new Date(guess).toISOString();
}

/** What one week's summary is built from. */
export interface WeekInputs {
  week: string;
  timeZone: string;
  builtAt: string;
  complete: boolean;
  /** The learner's local date when the summary is built. */
  today: string;
  /** The learner's plans (any range; the week's are picked out). */
  plans: readonly ProfilePlan[];
  /** Instants of the learner's events in the week. */
  activity: readonly string[];
  /** Active seconds per UTC day (the week's days are read). */
  activeSeconds: ReadonlyMap<string, number>;
  reviewsDone: number;
  overdue: number;
  /** Concepts now, and at the last summary (empty for the first). */
  concepts: readonly { id: string; title: string; pKnown: number }[];
  before: ReadonlyMap<string, number>;
}

/** A fall in P(known) since the last summary that counts as slipping. */
const SLIP = 0.1;

/**
 * One learner's summary of one local week: minutes and tasks (by category and by day),
 * the streak at its end, concepts newly mastered or slipping since the last summary,
 * reviews done and overdue, the time of day they practised most, and 2 to 4 insight
 * sentences, each with the numbers it states.
 */
export function weeklySummary(input: WeekInputs): WeeklySummary {
  const start = weekMonday(input.week);
  const end = addDays(start, 6);
  const dates = Array.from({ length: 7 }, (_, i) => addDays(start, i));
  // A task swapped out left the plan: the one that replaced it is what was planned.
  const byDate = new Map(input.plans.map((p) => [p.date, p.items.filter((i) => i.status !== 'swapped')]));
  const items = dates.flatMap((d) => byDate.get(d) ?? []);
  const completed = items.filter((i) => i.status === 'completed');
  const minutes = completed.reduce((sum, i) => sum + i.minutes, 0);
  const days = dates.map((date) => {
    const own = byDate.get(date) ?? [];
    const done = own.filter((i) => i.status === 'completed');
    return { date, planned: own.length, completed: done.length, minutes: done.reduce((s, i) => s + i.minutes, 0) };
  });
  let streak = 0;
  const practised = new Set(input.plans.filter((p) => p.items.some((i) => i.status === 'completed')).map((p) => p.date));
  // The week so far counts up to today, and a streak still holds while today has nothing done yet.
  const last = input.complete ? end : practised.has(input.today) ? input.today : addDays(input.today, -1);
  for (let d = last; practised.has(d); d = addDays(d, -1)) streak++;
  const sessions = Object.fromEntries(TIMES_OF_DAY.map((t) => [t, new Set<string>()])) as Record<TimeOfDay, Set<string>>;
  for (const at of input.activity) {
    const local = localTime(new Date(at), input.timeZone);
    if (local.date >= start && local.date <= end) sessions[timeOfDay(local.hour)].add(local.date);
  }
  const counts = Object.fromEntries(TIMES_OF_DAY.map((t) => [t, sessions[t].size])) as Record<TimeOfDay, number>;
  const best = [...TIMES_OF_DAY].sort((a, b) => counts[b] - counts[a])[0] ?? 'morning';
  const mastered = input.concepts.filter(
    (c) => c.pKnown >= MASTERY_THRESHOLDS.mastered && (input.before.get(c.id) ?? 0) < MASTERY_THRESHOLDS.mastered,
  );
  const slipping = input.concepts.filter((c) => {
    const was = input.before.get(c.id);
    return was !== undefined && was - c.pKnown >= SLIP;
  });
  const activeMinutes = Math.round(dates.reduce((sum, d) => sum + (input.activeSeconds.get(d) ?? 0), 0) / 60);
  const byCategory = CATEGORIES.map((category) => ({
    category,
    planned: items.filter((i) => i.category === category).length,
    completed: completed.filter((i) => i.category === category).length,
  })).filter((c) => c.planned > 0);
  const summary: Omit<WeeklySummary, 'insights'> = {
    week: input.week,
    start,
    end,
    timeZone: input.timeZone,
    builtAt: input.builtAt,
    complete: input.complete,
    minutes,
    activeMinutes,
    days,
    tasks: {
      planned: items.length,
      completed: completed.length,
      skipped: items.filter((i) => i.status === 'skipped').length,
      byCategory,
    },
    streak,
    concepts: { mastered, slipping },
    reviews: { done: input.reviewsDone, overdue: input.overdue, keptUp: input.overdue === 0 },
    bestTime: { value: counts[best] > 0 ? best : null, sessions: counts },
  };
  return { ...summary, insights: insightsOf(summary) };
}

const percent = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((part / whole) * 100));

/**
 * The offline writer: 2 to 4 sentences on the week, most telling first, each with the
 * numbers it states (so a model that rephrases them can be checked against them).
 */
export function insightsOf(s: Omit<WeeklySummary, 'insights'>): WeeklySummary['insights'] {
  const out: WeeklySummary['insights'] = [];
  const practisedDays = s.days.filter((d) => d.completed > 0).length;
  const plannedDays = s.days.filter((d) => d.planned > 0).length;
  const rate = percent(s.tasks.completed, s.tasks.planned);
  out.push({
    text:
      s.tasks.planned === 0
        ? 'No plans this week yet: open Today to get one.'
        : `You completed ${s.tasks.completed} of ${plural(s.tasks.planned, 'task')} (${rate}%), ${s.minutes} minutes in all, on ${plural(practisedDays, 'day')} of ${plannedDays} with a plan.`,
    numbers: {
      completed: s.tasks.completed,
      planned: s.tasks.planned,
      percent: rate,
      minutes: s.minutes,
      practisedDays,
      plannedDays,
    },
  });
  const ranked = s.tasks.byCategory
    .filter((c) => c.planned >= 2)
    .map((c) => ({ ...c, rate: percent(c.completed, c.planned) }))
    .sort((a, b) => b.rate - a.rate || b.planned - a.planned);
  const top = ranked[0];
  const bottom = ranked.at(-1);
  if (top && bottom && top.rate - bottom.rate >= 30) {
    out.push({
      text: `${capital(top.category)} tasks suit you best (${top.completed} of ${top.planned} done); ${bottom.category} tasks the least (${bottom.completed} of ${bottom.planned}): plans will lean your way.`,
      numbers: { bestDone: top.completed, bestPlanned: top.planned, worstDone: bottom.completed, worstPlanned: bottom.planned },
    });
  }
  if (s.streak >= 2) {
    out.push({ text: `A streak of ${plural(s.streak, 'day')}: keep it going tomorrow.`, numbers: { streak: s.streak } });
  }
  if (s.concepts.mastered.length > 0 || s.concepts.slipping.length > 0) {
    const names = (list: readonly { title: string }[]) =>
      list
        .slice(0, 3)
        .map((c) => c.title)
        .join(', ');
    const parts = [
      s.concepts.mastered.length > 0
        ? `mastered ${plural(s.concepts.mastered.length, 'concept')} (${names(s.concepts.mastered)})`
        : '',
      s.concepts.slipping.length > 0
        ? `${plural(s.concepts.slipping.length, 'concept')} slipping (${names(s.concepts.slipping)})`
        : '',
    ].filter(Boolean);
    out.push({
      text: `You ${parts.join('; ')}.`,
      numbers: { mastered: s.concepts.mastered.length, slipping: s.concepts.slipping.length },
    });
  }
  if (s.reviews.done > 0 || s.reviews.overdue > 0) {
    out.push({
      text: s.reviews.keptUp
        ? `You kept up with your reviews: ${plural(s.reviews.done, 'review')} done, none overdue.`
        : `${plural(s.reviews.overdue, 'review')} went overdue (${s.reviews.done} done): a short review task first thing helps.`,
      numbers: { done: s.reviews.done, overdue: s.reviews.overdue },
    });
  }
  if (s.bestTime.value) {
    const sessions = s.bestTime.sessions[s.bestTime.value];
    out.push({
      text: `You practised most in the ${s.bestTime.value === 'night' ? 'late evening' : s.bestTime.value} (${plural(sessions, 'day')}).`,
      numbers: { sessions },
    });
  }
  if (out.length < 2) {
    out.push({
      text: `${plural(s.activeMinutes, 'minute')} reading lessons this week.`,
      numbers: { activeMinutes: s.activeMinutes },
    });
  }
  return out.slice(0, 4);
}

const capital = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
