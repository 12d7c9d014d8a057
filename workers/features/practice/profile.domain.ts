import { localTime, timeOfDay, type Category, type TimeOfDay } from './plan.domain';
import { answeredTasks, practiceSignals, type PastTask } from './signals.domain';
import { CATEGORIES, TIMES_OF_DAY } from './practice.schemas';

/** A past plan as the practice profile reads it. */
export interface ProfilePlan {
  date: string;
  items: readonly (PastTask & { minutes: number })[];
}

/** Days of plans the consistency score looks back over. */
export const CONSISTENCY_DAYS = 14;
/** Fewest offered tasks before the variety score is given (before that it is unknown). */
const VARIETY_MIN_OFFERED = 10;
/** Fewest sessions (local day and time of day with activity) before a preferred time is named. */
const PREFERRED_TIME_MIN_SESSIONS = 3;
/** Fewest practised days before a practised session length is given. */
const SESSION_MIN_DAYS = 3;

export interface PracticeProfile {
  affinity: {
    category: Category;
    value: number;
    evidence: { completed: number; skipped: number; leftOpen: number; rated: number; meanRating: number | null };
  }[];
  varietySeeking: {
    value: number | null;
    evidence: { newOffered: number; newCompleted: number; provenOffered: number; provenCompleted: number };
  };
  consistency: {
    value: number | null;
    evidence: { windowDays: number; plannedDays: number; practisedDays: number; streak: number };
  };
  preferredTime: { value: TimeOfDay | null; evidence: { sessions: Record<TimeOfDay, number> } };
  sessionMinutes: { value: number | null; evidence: { practisedDays: number; minutesCompleted: number } };
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The learner's practice profile, from their past plans and when they were active:
 *
 * - **affinity** per category, smoothed (see `practiceSignals`), with the completions,
 *   skips and ratings behind it;
 * - **variety seeking** in [0, 1]: how readily the learner completes variations new to
 *   them against ones they have done before, each rate Laplace-smoothed, as
 *   new / (new + proven) (0.5: no difference; unknown before 10 tasks offered);
 * - **consistency**: days with a completed task over days with a plan, in the
 *   14 local days before today (today counts once practised), and the streak of
 *   practised plan days up to today;
 * - **preferred time of day**: the most frequent time of day of their sessions (a
 *   local day and time of day with any activity, so one long burst counts once);
 * - **practised session length**: mean minutes of completed tasks per practised day
 *   (last 14 days).
 */
export function practiceProfile(
  plans: readonly ProfilePlan[],
  activity: readonly string[],
  today: string,
  timeZone: string,
): PracticeProfile {
  const ordered = [...plans].sort((a, b) => (a.date < b.date ? -1 : 1));
  // Today's open tasks are still to come; a past day left untouched says nothing of its tasks.
  const tasks = answeredTasks(
    ordered.map((p) => (p.date < today ? p : { ...p, items: p.items.filter((i) => i.status !== 'open') })),
  );
  const { affinity } = practiceSignals(tasks);

  const seen = new Set<string>();
  const variety = { newOffered: 0, newCompleted: 0, provenOffered: 0, provenCompleted: 0 };
  for (const plan of ordered) {
    const completedToday: string[] = [];
    for (const item of plan.items) {
      if (plan.date === today && item.status === 'open') continue;
      const completed = item.status === 'completed';
      if (seen.has(item.variationId)) {
        variety.provenOffered++;
        if (completed) variety.provenCompleted++;
      } else {
        variety.newOffered++;
        if (completed) variety.newCompleted++;
      }
      if (completed) completedToday.push(item.variationId);
    }
    for (const id of completedToday) seen.add(id);
  }
  const rateNew = (variety.newCompleted + 1) / (variety.newOffered + 2);
  const rateProven = (variety.provenCompleted + 1) / (variety.provenOffered + 2);
  const varietyKnown = variety.newOffered + variety.provenOffered >= VARIETY_MIN_OFFERED;

  const from = addDays(today, -CONSISTENCY_DAYS);
  const practised = (p: ProfilePlan) => p.items.some((i) => i.status === 'completed');
  const windowPlans = ordered.filter((p) => p.date >= from && (p.date < today || (p.date === today && practised(p))));
  const practisedDays = windowPlans.filter(practised);
  const practisedDates = new Set(ordered.filter(practised).map((p) => p.date));
  let streak = 0;
  for (let day = practisedDates.has(today) ? today : addDays(today, -1); practisedDates.has(day); day = addDays(day, -1)) {
    streak++;
  }
  const minutesCompleted = practisedDays.reduce(
    (sum, p) => sum + p.items.filter((i) => i.status === 'completed').reduce((s, i) => s + i.minutes, 0),
    0,
  );

  const sessions = Object.fromEntries(TIMES_OF_DAY.map((t) => [t, new Set<string>()])) as Record<TimeOfDay, Set<string>>;
  for (const at of activity) {
    const { date, hour } = localTime(new Date(at), timeZone);
    sessions[timeOfDay(hour)].add(date);
  }
  const counts = Object.fromEntries(TIMES_OF_DAY.map((t) => [t, sessions[t].size])) as Record<TimeOfDay, number>;
  const totalSessions = TIMES_OF_DAY.reduce((sum, t) => sum + counts[t], 0);
  const top = [...TIMES_OF_DAY].sort((a, b) => counts[b] - counts[a])[0] ?? null;

  return {
    affinity: CATEGORIES.map((category) => {
      const own = tasks.filter((t) => t.category === category);
      const ratings = own.flatMap((t) => (t.status === 'completed' && t.outcome?.rating !== undefined ? [t.outcome.rating] : []));
      return {
        category,
        value: affinity[category] ?? 0.5,
        evidence: {
          completed: own.filter((t) => t.status === 'completed').length,
          skipped: own.filter((t) => t.status === 'skipped').length,
          leftOpen: own.filter((t) => t.status === 'open').length,
          rated: ratings.length,
          meanRating: ratings.length ? ratings.reduce((a, b) => a + b, 0) / ratings.length : null,
        },
      };
    }),
    varietySeeking: { value: varietyKnown ? rateNew / (rateNew + rateProven) : null, evidence: variety },
    consistency: {
      value: windowPlans.length ? practisedDays.length / windowPlans.length : null,
      evidence: {
        windowDays: CONSISTENCY_DAYS,
        plannedDays: windowPlans.length,
        practisedDays: practisedDays.length,
        streak,
      },
    },
    preferredTime: { value: totalSessions >= PREFERRED_TIME_MIN_SESSIONS ? top : null, evidence: { sessions: counts } },
    sessionMinutes: {
      value: practisedDays.length >= SESSION_MIN_DAYS ? Math.round(minutesCompleted / practisedDays.length) : null,
      evidence: { practisedDays: practisedDays.length, minutesCompleted },
    },
  };
}
