/** The practice profile in plain words: each number as a sentence with the counts behind it. */
import type { PlanCategory, PracticeProfile } from './api';
import { formatPercent, plural } from './format';
import { ARCHETYPE_LABELS, CATEGORY_LABELS, MODE_LABELS, PHASE_LABELS, TIME_OF_DAY_LABELS } from './today';

export interface ProfileLine {
  /** Stable, for tests and keys: consistency, variety, time, minutes, affinity. */
  id: string;
  label: string;
  text: string;
}

/** A reason from the API as a sentence: with its full stop. */
const sentence = (text: string) => (/[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`);

const share = (done: number, offered: number) => (offered === 0 ? null : formatPercent(done / offered));

/** What the profile says about how the learner practises, most telling first. */
export function profileLines(profile: PracticeProfile): ProfileLine[] {
  const { consistency, varietySeeking, preferredTime, sessionMinutes } = profile;
  const lines: ProfileLine[] = [];

  const c = consistency.evidence;
  lines.push({
    id: 'consistency',
    label: 'Consistency',
    text:
      c.plannedDays === 0
        ? 'No planned days yet: your first plan is on the Today page.'
        : `Practised ${c.practisedDays} of ${plural(c.plannedDays, 'planned day')} in the last ${c.windowDays} days; streak ${plural(c.streak, 'day')}.`,
  });

  const v = varietySeeking.evidence;
  const fresh = share(v.newCompleted, v.newOffered);
  const proven = share(v.provenCompleted, v.provenOffered);
  lines.push({
    id: 'variety',
    label: 'New or familiar',
    text:
      varietySeeking.value === null || fresh === null || proven === null
        ? `Too early to tell whether you prefer new kinds of task or ones you know: it shows after 10 tasks (${plural(v.newOffered + v.provenOffered, 'task')} so far).`
        : `You complete ${fresh} of new kinds of task and ${proven} of ones you know.`,
  });

  const affinity = affinityText(profile.affinity);
  if (affinity) lines.push({ id: 'affinity', label: 'Kinds of task', text: affinity });

  const time = preferredTime.value;
  lines.push({
    id: 'time',
    label: 'Time of day',
    text: time
      ? `You practise most in the ${TIME_OF_DAY_LABELS[time].toLowerCase()}: on ${plural(preferredTime.evidence.sessions[time] ?? 0, 'day')} in the last 4 weeks.`
      : 'No time of day stands out yet.',
  });

  const s = sessionMinutes.evidence;
  lines.push({
    id: 'minutes',
    label: 'Minutes a day',
    text:
      sessionMinutes.value === null
        ? `Your usual session length shows after 3 days of practice (${plural(s.practisedDays, 'day')} so far).`
        : `About ${sessionMinutes.value} min of tasks on a day you practise (${s.minutesCompleted} min over ${plural(s.practisedDays, 'day')}).`,
  });
  return lines;
}

/** The kinds of task taken to most and least, with the counts; null before any task was done, skipped or left. */
function affinityText(affinity: PracticeProfile['affinity']): string | null {
  const seen = affinity
    .filter((a) => a.evidence.completed + a.evidence.skipped + a.evidence.leftOpen > 0)
    .sort((a, b) => b.value - a.value);
  const best = seen[0];
  const worst = seen.at(-1);
  if (!best || !worst) return null;
  const counts = (a: (typeof seen)[number]) =>
    `${a.evidence.completed} done, ${a.evidence.skipped} skipped${a.evidence.leftOpen > 0 ? `, ${a.evidence.leftOpen} left` : ''}`;
  const name = (category: PlanCategory) => CATEGORY_LABELS[category].toLowerCase();
  const most = `You take most to ${name(best.category)} tasks (${counts(best)})`;
  return seen.length === 1 || best.value === worst.value
    ? `${most}.`
    : `${most}, least to ${name(worst.category)} (${counts(worst)}).`;
}

/** How the planner reads the learner today: style, phase and pace, each with its reason. */
export function planChoices(profile: PracticeProfile): ProfileLine[] {
  return [
    { id: 'archetype', label: `Style: ${ARCHETYPE_LABELS[profile.archetype.value]}`, text: sentence(profile.archetype.reason) },
    { id: 'phase', label: `Phase: ${PHASE_LABELS[profile.phase.value]}`, text: sentence(profile.phase.reason) },
    { id: 'mode', label: `Pace: ${MODE_LABELS[profile.mode.value]}`, text: sentence(profile.mode.reason) },
  ];
}
