import { seededRandom } from '../../platform/seeded-random';
import { remembered } from '../../platform/memo';
import { plural } from '../../platform/words';
import type { ARCHETYPES, CATEGORIES, MODES, TIMES_OF_DAY, Variation } from './practice.schemas';
import type { PracticeSignals } from './signals.domain';

export type Archetype = (typeof ARCHETYPES)[number];
export type Mode = (typeof MODES)[number];
export type TimeOfDay = (typeof TIMES_OF_DAY)[number];
export type Category = (typeof CATEGORIES)[number];
export type Phase = 'discovery' | 'establishment' | 'mastery';

/** A value the planner chose, and in words why. */
export interface Chosen<T> {
  value: T;
  reason: string;
}

/** Fewest and most tasks in a plan. */
export const PLAN_ITEMS = { min: 3, max: 6 } as const;
/** How long a variation group stays out of plans after it was used. */
export const ROTATION_HOURS = 48;

/**
 * The learner's archetype, from what they told us and, once there is enough of it, what
 * they do. Short sessions (15 minutes or less) make a sprinter and long ones (45 or
 * more) a diver; a learner who takes to new kinds of task (variety score 0.6 or more),
 * or who asked for several parts in a mixed style, is an explorer; anyone else a
 * steady builder. Practised session length, when known, overrides the stated one.
 */
export function archetypeOf(
  prefs: { sessionMinutes: number; style: string; goals: readonly string[] },
  behaviour: { sessionMinutes: number | null; varietySeeking: number | null } = { sessionMinutes: null, varietySeeking: null },
): Chosen<Archetype> {
  const minutes = behaviour.sessionMinutes ?? prefs.sessionMinutes;
  const source = behaviour.sessionMinutes === null ? 'You said you study' : 'You usually study';
  if (minutes <= 15) return { value: 'sprinter', reason: `${source} in short sessions (${minutes} min): quick, varied tasks` };
  if (minutes >= 45) return { value: 'diver', reason: `${source} in long sessions (${minutes} min): fewer, deeper tasks` };
  if ((behaviour.varietySeeking ?? 0) >= 0.6) {
    return { value: 'explorer', reason: 'You take to new kinds of task: more variety' };
  }
  if (behaviour.varietySeeking === null && prefs.goals.length >= 2 && prefs.style === 'mixed') {
    return { value: 'explorer', reason: 'You chose several parts and a mix of styles: more variety' };
  }
  return { value: 'builder', reason: 'A steady daily habit: a balanced plan' };
}

/**
 * The day's mode from the local days the learner was active before today: light after
 * three or more days away (rebuild the habit), intense after five or more active days
 * of the last seven, standard otherwise and on the first day.
 */
export function modeOf(activeDays: readonly string[], today: string): Chosen<Mode> {
  const before = [...new Set(activeDays)].filter((d) => d < today).sort();
  const last = before.at(-1);
  if (!last) return { value: 'standard', reason: 'Your first plan: a standard day' };
  const away = daysBetween(last, today) - 1;
  if (away >= 3) return { value: 'light', reason: `Away for ${plural(away, 'day')}: a light plan to ease back in` };
  const lastWeek = before.filter((d) => daysBetween(d, today) <= 7).length;
  if (lastWeek >= 5) return { value: 'intense', reason: `Active on ${lastWeek} of the last 7 days: an intense plan` };
  return { value: 'standard', reason: `Active on ${lastWeek} of the last 7 days: a standard plan` };
}

/**
 * The phase from the local days the learner has had plans: discovery in the first
 * week (mostly new kinds of task), establishment in weeks 2 and 3 (mostly favourites),
 * mastery from week 4 (mostly proven ones). It steps back one phase when consistency
 * (days practised over days planned, last 14 days) falls below 0.3.
 */
export function phaseOf(planDays: number, consistency: number | null): Chosen<Phase> {
  const byAge: Phase = planDays < 7 ? 'discovery' : planDays < 21 ? 'establishment' : 'mastery';
  if (consistency !== null && consistency < 0.3 && byAge !== 'discovery') {
    const back: Phase = byAge === 'mastery' ? 'establishment' : 'discovery';
    return { value: back, reason: `Back to ${back}: you practised on ${Math.round(consistency * 100)}% of planned days lately` };
  }
  const week = Math.floor(planDays / 7) + 1;
  const what = {
    discovery: 'trying new kinds of task',
    establishment: 'settling on favourites',
    mastery: 'sticking with what works',
  };
  return { value: byAge, reason: `Week ${week} of your plans: ${what[byAge]}` };
}

/** Share of new variations each phase aims for. */
export const NEW_SHARE: Record<Phase, number> = { discovery: 0.8, establishment: 0.3, mastery: 0.15 };

export function timeOfDay(hour: number): TimeOfDay {
  if (hour >= 5 && hour < 12) return 'morning';
  if (hour >= 12 && hour < 17) return 'afternoon';
  if (hour >= 17 && hour < 22) return 'evening';
  return 'night';
}

/** The zone a learner's days are counted in: the one they stored, else `fallback` (the device's, or their latest plan's), else UTC. */
export function learnerTimeZone(stored: string | undefined, fallback: string | null | undefined): string {
  return stored ?? fallback ?? 'UTC';
}

/** How long the zone of a learner's latest plan holds when they stored none. */
const PLAN_ZONE_HOLD_MS = 24 * 3_600_000;

/**
 * The zone today's plan is dated in: the learner's stored one, else that of their latest
 * plan (`latestPlan`, read only then) when it was made within the last day, else the one asked for (the device's), else
 * UTC. Without the hold, asking from a zone a day ahead would start a second plan on the
 * same real day (and a second day of streak).
 */
export function planTimeZone(
  stored: string | undefined,
  latestPlan: () => { createdAt: string; timeZone: string } | null,
  asked: string | null,
  now: Date,
): string {
  if (stored) return stored;
  const latest = latestPlan();
  const held = latest && now.getTime() - Date.parse(latest.createdAt) < PLAN_ZONE_HOLD_MS ? latest.timeZone : null;
  return learnerTimeZone(undefined, held ?? asked);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall clock of `at` in `timeZone` read as if it were UTC, minus `at`: the zone's offset then, in ms. */
function zoneOffset(at: number, timeZone: string): number {
  // Building a formatter costs far more than using one: one per zone, kept.
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, format);
  }
  const parts: Record<string, number> = {};
  for (const p of format.formatToParts(at)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const { year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = parts;
  return Date.UTC(year, month - 1, day, hour % 24, minute, second) - (at - (((at % 1000) + 1000) % 1000));
}

/**
 * Offsets change only at instants on a quarter hour (zones are whole quarter hours off
 * UTC and change at a whole local hour), and at most once a day: a UTC day whose two ends
 * have one offset has it throughout. Those are kept per zone and day (every learner in a
 * zone shares them, and event times weeks apart each find theirs); a day with a change
 * keeps, per zone, the quarter hour last asked, whose ends agree; a quarter hour whose
 * ends disagree (older, odder zones) is formatted each time. So most calls do arithmetic,
 * not formatting.
 */
const QUARTER_HOUR_MS = 15 * 60_000;
const DAY_MS = 86_400_000;
const dayOffset = remembered(
  20_000,
  ({ timeZone, day }: { timeZone: string; day: number }) => {
    const start = day * DAY_MS;
    const offset = zoneOffset(start, timeZone);
    return offset === zoneOffset(start + DAY_MS - 1000, timeZone) ? offset : null;
  },
  ({ timeZone, day }) => `${day} ${timeZone}`,
);
const offsets = new Map<string, { quarter: number; offset: number | null }>();

/** The local date (YYYY-MM-DD), hour and minute of `now` in an IANA time zone. */
export function localTime(now: Date, timeZone: string): { date: string; hour: number; minute: number } {
  const at = now.getTime();
  let offset = dayOffset({ timeZone, day: Math.floor(at / DAY_MS) });
  if (offset === null) {
    const quarter = Math.floor(at / QUARTER_HOUR_MS);
    let known = offsets.get(timeZone);
    if (known?.quarter !== quarter) {
      const start = quarter * QUARTER_HOUR_MS;
      const first = zoneOffset(start, timeZone);
      known = { quarter, offset: first === zoneOffset(start + QUARTER_HOUR_MS - 1000, timeZone) ? first : null };
      offsets.set(timeZone, known);
    }
    offset = known.offset ?? zoneOffset(at, timeZone);
  }
  const local = new Date(at + offset);
  return {
    date: local.toISOString().slice(0, 10),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
  };
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** What the planner knows of the learner on the day it plans. */
export interface PlanContext {
  learnerId: string;
  date: string;
  /** When the plan is made (ISO): rotation looks 48 hours back from here. */
  at: string;
  time: TimeOfDay;
  archetype: Archetype;
  mode: Mode;
  phase: Phase;
  dailyMinutes: number;
  dueReviews: number;
  /** The next lesson to learn (recommended, prerequisites met), with its sections. */
  nextLesson: { slug: string; title: string; sections: readonly string[] } | null;
  /** A lesson the learner has started or completed, to apply and reflect on. */
  recentLesson: { slug: string; title: string } | null;
  /** Lessons the learner completed in the course (a variation that builds on lessons needs them, see `Variation.after`). */
  completedLessons: ReadonlySet<string>;
  /** Concepts still being learned, weakest first, with P(known). */
  weakConcepts: readonly { id: string; title: string; pKnown: number }[];
  /** When each variation group was last in a plan. */
  groupsUsedAt: ReadonlyMap<string, string>;
  /** What past plans say of the learner: what they did, liked, and the difficulty they are comfortable with. */
  signals: PracticeSignals;
  /** Share of new variations each phase aims at (`NEW_SHARE` unless an experiment or flag sets it). */
  newShare?: Readonly<Record<Phase, number>>;
}

export interface PlanItem {
  id: string;
  category: Category;
  variationId: string;
  group: string;
  title: string;
  instructions: string;
  minutes: number;
  /** 1-5, from the variation (plans stored before it was kept have none). */
  difficulty?: number;
  reasons: string[];
  /** The predicted chance the learner completes it, when it was made (plans stored before it was kept have none). */
  completionChance?: number;
  binding: { lessonSlug?: string; conceptId?: string; concept2Id?: string; count?: number };
  completes: Variation['completes'];
}

/**
 * Categories done after reading, not recalled from before: with no lesson behind the
 * learner yet (a newcomer), their tasks bind to the lesson learned today. Practice and
 * warm-ups recall what was learned before, so they wait for a lesson behind the learner.
 */
const AFTER_READING: ReadonlySet<Category> = new Set(['apply', 'reflect']);

/** The lesson, concepts and count a variation would be bound to today, with the text for its template fields; null when it cannot be bound. */
export function bind(
  v: Variation,
  ctx: Pick<
    PlanContext,
    'learnerId' | 'date' | 'dueReviews' | 'nextLesson' | 'recentLesson' | 'weakConcepts' | 'completedLessons'
  >,
): { binding: PlanItem['binding']; fill: Record<string, string> } | null {
  if (v.after?.some((slug) => !ctx.completedLessons.has(slug))) return null;
  const text = `${v.title} ${v.instructions}`;
  const needs = (name: string) => text.includes(`{${name}}`);
  const lesson =
    v.category === 'learn' ? ctx.nextLesson : (ctx.recentLesson ?? (AFTER_READING.has(v.category) ? ctx.nextLesson : null));
  if (v.category === 'review' && ctx.dueReviews === 0) return null;
  if (v.category === 'learn' && !ctx.nextLesson) return null;
  if (v.category === 'practice' && ctx.weakConcepts.length === 0 && !ctx.recentLesson) return null;
  if ((needs('lesson') || v.completes.kind === 'lesson') && !lesson) return null;
  const [first, second] = ctx.weakConcepts;
  if (needs('concept') && !first) return null;
  if (needs('concept2') && !second) return null;
  const sections = ctx.nextLesson?.sections ?? [];
  if (needs('section') && sections.length === 0) return null;
  const section = sections[Math.abs(hash(`${ctx.learnerId}|${ctx.date}`)) % Math.max(1, sections.length)];
  const count =
    v.completes.kind === 'reviews'
      ? Math.min(v.completes.count, ctx.dueReviews)
      : v.completes.kind === 'quiz_answers'
        ? v.completes.count
        : undefined;
  const binding: PlanItem['binding'] = {
    ...(lesson && (needs('lesson') || needs('section') || v.completes.kind === 'lesson') ? { lessonSlug: lesson.slug } : {}),
    ...(first && needs('concept') ? { conceptId: first.id } : {}),
    ...(second && needs('concept2') ? { concept2Id: second.id } : {}),
    ...(count === undefined ? {} : { count }),
  };
  const fill: Record<string, string> = {
    lesson: `“${lesson?.title ?? ''}”`,
    section: `“${section ?? ''}”`,
    concept: first?.title ?? '',
    concept2: second?.title ?? '',
    count: String(count ?? ''),
  };
  return { binding, fill };
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

const fillIn = (template: string, fill: Record<string, string>) =>
  template.replace(/\{(count|lesson|section|concept2|concept)\}/g, (_, name: string) => fill[name] ?? '');

/** How much each signal counts in a variation's score (they add up to 1). */
export const WEIGHTS = {
  archetype: 0.1,
  mode: 0.05,
  time: 0.1,
  liking: 0.45,
  /** The chance the learner completes the task (their history and the course's, see `practiceSignals`). */
  engagement: 0.15,
  novelty: 0.15,
  difficulty: 0.1,
  jitter: 0.05,
} as const;

/** How far a mode moves the difficulty a plan aims for from the learner's comfortable one. */
const MODE_STRETCH: Record<Mode, number> = { light: -0.5, standard: 0, intense: 0.5 };

/** Categories that answer a need of today, in the order a plan takes them: due reviews first. */
const NEED_ORDER: readonly Category[] = ['review', 'learn', 'practice'];

interface Candidate {
  v: Variation;
  score: number;
  fresh: boolean;
  blocked: boolean;
  bound: NonNullable<ReturnType<typeof bind>>;
}

/** Every variation that binds today, scored, and whether its group was used in the last 48 hours. */
function scored(library: readonly Variation[], ctx: PlanContext): Candidate[] {
  const random = seededRandom(hash(`${ctx.learnerId}|${ctx.date}`));
  const since = Date.parse(ctx.at) - ROTATION_HOURS * 3_600_000;
  return library.flatMap((v) => {
    const bound = bind(v, ctx);
    if (!bound) return [];
    const { signals } = ctx;
    // How much the learner takes to it: the variation's own record, else its group's, else its category's.
    const liked = signals.liking.get(v.id) ?? signals.groupLiking.get(v.group) ?? signals.affinity[v.category] ?? 0.5;
    const fresh = !signals.seen.has(v.id);
    // Discovery wants new variations, later phases proven ones (completed, and liked).
    const proven = signals.done.has(v.id) ? liked : 0;
    const share = (ctx.newShare ?? NEW_SHARE)[ctx.phase];
    const novelty = fresh ? share : (1 - share) * proven;
    const aim = signals.comfort + MODE_STRETCH[ctx.mode];
    const chance = signals.completionChance(v);
    const score =
      WEIGHTS.archetype * v.archetypes[ctx.archetype] +
      WEIGHTS.mode * v.modes[ctx.mode] +
      WEIGHTS.time * (v.times.includes(ctx.time) ? 1 : 0) +
      WEIGHTS.liking * liked +
      WEIGHTS.engagement * chance +
      WEIGHTS.novelty * novelty +
      WEIGHTS.difficulty * (1 - Math.min(1, Math.abs(v.difficulty - aim) / 3)) +
      WEIGHTS.jitter * random();
    const usedAt = ctx.groupsUsedAt.get(v.group);
    return [{ v, score, fresh, bound, blocked: usedAt !== undefined && Date.parse(usedAt) > since }];
  });
}

/** Whether a plan (`learns`: with a task learning today's lesson) may take `c`: a task on the lesson learned today (a newcomer's, see AFTER_READING) only follows that lesson's own task. */
function afterItsLesson(ctx: PlanContext, c: Candidate, learns: boolean): boolean {
  return ctx.recentLesson !== null || c.v.category === 'learn' || c.bound.binding.lessonSlug === undefined || learns;
}

const byScore = (a: Candidate, b: Candidate) => b.score - a.score || (a.v.id < b.v.id ? -1 : 1);

/**
 * The task that replaces `replaced` in a plan when the learner swaps it: the best-scored
 * variation of the same category whose group is not in the plan yet, preferring one
 * that fits the minutes the swapped task leaves (`minutesLeft` counts them) and one not
 * used in the last 48 hours (one that was says so). Null when the category has nothing else.
 */
export function nextBest(
  library: readonly Variation[],
  ctx: PlanContext,
  plan: { replaced: PlanItem; groups: ReadonlySet<string>; minutesLeft: number; id: string; learns: boolean },
): PlanItem | null {
  const pool = scored(library, ctx)
    .filter((c) => c.v.category === plan.replaced.category && !plan.groups.has(c.v.group) && afterItsLesson(ctx, c, plan.learns))
    .sort(byScore);
  const fits = pool.filter((c) => c.v.minutes <= plan.minutesLeft);
  const chosen =
    fits.find((c) => !c.blocked) ??
    fits[0] ??
    [...pool].sort((a, b) => Number(a.blocked) - Number(b.blocked) || a.v.minutes - b.v.minutes)[0];
  if (!chosen) return null;
  const reasons = reasonsFor(chosen, ctx, chosen.blocked);
  return toItem(chosen, ctx, plan.id, [`Swapped in for “${plan.replaced.title}”`, ...reasons]);
}

/**
 * Today's plan: 3 to 6 tasks that fit the learner's daily minutes. Needs come first
 * (due reviews, the next lesson, weak concepts), then the best of the other
 * categories. A variation scores by archetype fit, mode fit, time of day, category
 * affinity and the phase's appetite for new variations, plus a small jitter seeded by
 * learner and date (the same day gives the same plan). No variation group used in the
 * last 48 hours is taken while another of its category fits; one taken anyway says so.
 */
export function composePlan(library: readonly Variation[], ctx: PlanContext): PlanItem[] {
  const candidates = scored(library, ctx);
  const best = (pool: Candidate[]) => pool.sort(byScore)[0];
  const picked: { c: Candidate; repeat: boolean }[] = [];
  const usedGroups = new Set<string>();
  /**
   * Takes the best open variation of `category` (null: of a category not in the plan
   * yet; 'any': of any category, another group) that `fits`.
   */
  const take = (category: Category | null | 'any', fits: (c: Candidate) => boolean, shortest = false): boolean => {
    const open = candidates.filter(
      (c) =>
        (category === 'any' ||
          (category === null ? !picked.some((p) => p.c.v.category === c.v.category) : c.v.category === category)) &&
        !usedGroups.has(c.v.group) &&
        afterItsLesson(
          ctx,
          c,
          picked.some((p) => p.c.v.category === 'learn'),
        ) &&
        fits(c),
    );
    const choose = (pool: Candidate[]) =>
      shortest ? pool.sort((a, b) => a.v.minutes - b.v.minutes || b.score - a.score)[0] : best(pool);
    // A group from the last 48 hours only when no other group of the category is left at all.
    const unblockedLeft = candidates.some((c) => c.v.category === category && !c.blocked && !usedGroups.has(c.v.group));
    const chosen = choose(open.filter((c) => !c.blocked)) ?? (category !== null && !unblockedLeft ? choose(open) : undefined);
    if (!chosen) return false;
    picked.push({ c: chosen, repeat: chosen.blocked });
    usedGroups.add(chosen.v.group);
    return true;
  };
  const left = () => ctx.dailyMinutes - picked.reduce((sum, p) => sum + p.c.v.minutes, 0);
  /**
   * Minutes the plan still needs after taking a task of `taking`: the shortest task of
   * each of `laterNeeds` that has one, then of other categories up to the minimum of three.
   */
  const reserve = (taking: Category, laterNeeds: readonly Category[]): number => {
    const shortest = new Map<Category, number>();
    for (const c of candidates) {
      if (c.v.category === taking || picked.some((p) => p.c.v.category === c.v.category)) continue;
      shortest.set(c.v.category, Math.min(shortest.get(c.v.category) ?? Infinity, c.v.minutes));
    }
    const needs = laterNeeds.filter((n) => shortest.has(n));
    const others = [...shortest].filter(([category]) => !needs.includes(category)).map(([, m]) => m);
    const still = Math.max(0, PLAN_ITEMS.min - picked.length - 1 - needs.length);
    const sum = (list: number[]) => list.reduce((total, m) => total + m, 0);
    return sum(needs.map((n) => shortest.get(n) ?? 0)) + sum(others.sort((a, b) => a - b).slice(0, still));
  };
  // Nothing is picked during one pass over the candidates: each category's reserve and the time
  // left are worked out once per pass, not once per candidate.
  const fitsWith = (laterNeeds: readonly Category[]) => {
    const reserved = new Map<Category, number>();
    let free: number | undefined;
    return (c: Candidate) => {
      free ??= left();
      let kept = reserved.get(c.v.category);
      if (kept === undefined) reserved.set(c.v.category, (kept = reserve(c.v.category, laterNeeds)));
      return c.v.minutes + kept <= free;
    };
  };
  // Needs first, keeping time for the later needs and the minimum; else the shortest of their kind that
  // still leaves time for the minimum (a 15-minute lesson is left out of a 15-minute day).
  NEED_ORDER.forEach((need, i) => {
    if (!take(need, fitsWith(NEED_ORDER.slice(i + 1)))) take(need, fitsWith([]), true);
  });
  // Then other categories while time is left, and at least three tasks even on a short day: the shortest
  // that still fits (of a new category, else a second of one in the plan), else the shortest of all.
  const inTime = (c: Candidate) => c.v.minutes <= left();
  // A warm-up recalls what was learned: before a first lesson there is nothing, so only a day nothing else fits gets one.
  const nothingToRecall = !ctx.recentLesson && ctx.completedLessons.size === 0 && ctx.weakConcepts.length === 0;
  while (picked.length < PLAN_ITEMS.max) {
    const fits = fitsWith([]);
    if (take(null, (c) => !(nothingToRecall && c.v.category === 'warm-up') && fits(c))) continue;
    if (picked.length >= PLAN_ITEMS.min) {
      // A long day with every category in: a second task of a kind that is not the same work twice.
      const second = (c: Candidate) =>
        SECOND_OF.has(c.v.category) && picked.filter((p) => p.c.v.category === c.v.category).length < 2 && fits(c);
      if (left() >= Math.max(5, ctx.dailyMinutes * ROOM_FOR_MORE) && take('any', second)) continue;
      break;
    }
    if (!(take(null, inTime, true) || take('any', inTime, true) || take(null, () => true, true))) break;
  }
  return picked
    .sort((a, b) => DOING_ORDER[a.c.v.category] - DOING_ORDER[b.c.v.category])
    .map(({ c, repeat }, i) => toItem(c, ctx, `${ctx.date}-${i + 1}`, reasonsFor(c, ctx, repeat)));
}

/**
 * Categories a plan may hold two tasks of (of two groups), when every category that binds
 * is in and the day still has this share of its minutes left: another reading of the same
 * lesson, another pass over the same due cards or a second warm-up would be the same work twice.
 */
const SECOND_OF: ReadonlySet<Category> = new Set(['practice', 'apply', 'reflect']);
const ROOM_FOR_MORE = 0.2;

/** The order a plan's tasks are done in: due reviews first, a warm-up before the lesson, applying and reflecting after it. */
const DOING_ORDER: Record<Category, number> = { review: 0, 'warm-up': 1, learn: 2, practice: 3, apply: 4, reflect: 5 };

function toItem(c: Pick<Candidate, 'v' | 'bound'>, ctx: PlanContext, id: string, reasons: string[]): PlanItem {
  return {
    completionChance: Math.round(ctx.signals.completionChance(c.v) * 1000) / 1000,
    id,
    category: c.v.category,
    variationId: c.v.id,
    group: c.v.group,
    title: fillIn(c.v.title, c.bound.fill),
    instructions: fillIn(c.v.instructions, c.bound.fill),
    minutes: c.v.minutes,
    difficulty: c.v.difficulty,
    reasons,
    binding: c.bound.binding,
    completes: c.v.completes,
  };
}

/**
 * The fixed plan (`DYNAMIC_PLANS` off), to compare the planner against: due reviews
 * and the next lesson, each with the library's first variation of its category that
 * completes itself (the reviews, the lesson), nothing scored, rotated or learned.
 * With neither, the first practice task on a weak concept.
 */
export function fixedPlan(library: readonly Variation[], ctx: PlanContext): PlanItem[] {
  const first = (category: Category) => {
    const kinds = { review: 'reviews', learn: 'lesson', practice: 'quiz_answers' } as Partial<Record<Category, string>>;
    for (const v of library) {
      if (v.category !== category || v.completes.kind !== kinds[category]) continue;
      const bound = bind(v, ctx);
      if (bound) return { v, bound };
    }
    return null;
  };
  const review = first('review');
  const learn = first('learn');
  const chosen = [review, learn].filter((c) => c !== null);
  if (chosen.length === 0) {
    const practice = first('practice');
    if (practice) chosen.push(practice);
  }
  return chosen.map((c, i) =>
    toItem(c, ctx, `${ctx.date}-${i + 1}`, [
      ...categoryReasons(c.v.category, c.bound.binding, ctx),
      'The fixed plan: the same shape every day',
    ]),
  );
}

/** Why a task of `category` bound to `binding` answers a need of today. */
function categoryReasons(category: Category, binding: PlanItem['binding'], ctx: PlanContext): string[] {
  const reasons: string[] = [];
  if (category === 'review') reasons.push(`${plural(ctx.dueReviews, 'review')} due today`);
  if (category === 'learn' && ctx.nextLesson) reasons.push(`Next on your way: “${ctx.nextLesson.title}”`);
  else if (ctx.nextLesson && binding.lessonSlug === ctx.nextLesson.slug) {
    reasons.push(`Puts today's lesson, “${ctx.nextLesson.title}”, to work`);
  }
  const weak = ctx.weakConcepts[0];
  if (binding.conceptId && weak) reasons.push(`You are still learning ${weak.title} (${Math.round(weak.pKnown * 100)}% mastery)`);
  return reasons;
}

function reasonsFor(c: Candidate, ctx: PlanContext, repeat: boolean): string[] {
  const { v } = c;
  const reasons = categoryReasons(v.category, c.bound.binding, ctx);
  if (v.archetypes[ctx.archetype] >= 0.8) {
    const fits = { sprinter: 'short sessions', builder: 'a steady habit', diver: 'deep sessions', explorer: 'variety' };
    reasons.push(`Suits ${fits[ctx.archetype]}`);
  }
  if (v.modes[ctx.mode] >= 0.8 && ctx.mode !== 'standard') reasons.push(`Fits a ${ctx.mode} day`);
  if (v.times.includes(ctx.time)) reasons.push(`Good in the ${ctx.time === 'night' ? 'late evening' : ctx.time}`);
  if (c.fresh && ctx.phase === 'discovery') reasons.push('New to you: the first weeks are for trying things');
  const rating = ctx.signals.done.get(v.id) ?? null;
  if (rating !== null && rating >= 4) reasons.push('You rated this task highly');
  else if ((ctx.signals.groupLiking.get(v.group) ?? 0) >= 0.7) reasons.push('You take to this kind of task');
  if (repeat) reasons.push('A kind of task from the last 48 hours: nothing else of its category fits today');
  return reasons;
}
