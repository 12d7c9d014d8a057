import type { DayActivity, LessonProgressRow } from '../learners/learner.store';
import type { OutlineLesson } from '../content/content.store';

export interface ProgressOverview {
  lessons: (OutlineLesson & Omit<LessonProgressRow, 'lessonSlug'>)[];
  days: DayActivity[];
  /** Every course of the catalog the learner has opened a lesson of: lessons started and completed. */
  courses: CourseProgress[];
  /** The learner's progress in lessons of the other courses (their outlines mark it). */
  elsewhere: LessonProgressRow[];
}

export interface CourseProgress {
  course: string;
  started: number;
  completed: number;
}

/** The course outline with the learner's progress in each lesson (lessons no longer in the course drop out). */
export function joinProgress(
  outline: readonly OutlineLesson[],
  progress: readonly LessonProgressRow[],
  days: DayActivity[],
  courses: CourseProgress[] = [],
): ProgressOverview {
  const bySlug = new Map(progress.map((p) => [p.lessonSlug, p]));
  const inOutline = new Set(outline.map((l) => l.lessonSlug));
  return {
    elsewhere: progress.filter((p) => !inOutline.has(p.lessonSlug)),
    lessons: outline.map((l) => {
      const p = bySlug.get(l.lessonSlug);
      return {
        ...l,
        startedAt: p?.startedAt ?? null,
        completedAt: p?.completedAt ?? null,
        activeSeconds: p?.activeSeconds ?? 0,
        lastActivityAt: p?.lastActivityAt ?? null,
      };
    }),
    days,
    courses,
  };
}

interface Completion {
  slug: string;
  title: string;
  lessons: number;
  completed: number;
}

/** Monday of the ISO week of a UTC day (`YYYY-MM-DD`). */
export function weekOf(day: string): string {
  const date = new Date(`${day}T00:00:00.000Z`);
  const offset = (date.getUTCDay() + 6) % 7;
  return new Date(date.getTime() - offset * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Consecutive days with activity ending today, or ending yesterday when today has
 * none yet (a streak is not lost before the day is over).
 */
export function streakDays(activeDays: ReadonlySet<string>, today: string): number {
  let day = activeDays.has(today) ? today : addDays(today, -1);
  let streak = 0;
  while (activeDays.has(day)) {
    streak++;
    day = addDays(day, -1);
  }
  return streak;
}

function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The progress page's numbers from one learner's lesson rows and daily activity. */
export function summarizeProgress(overview: ProgressOverview, today: string) {
  const parts = new Map<string, Completion & { chapters: Map<string, Completion> }>();
  for (const l of overview.lessons) {
    const part = parts.get(l.partSlug) ?? {
      slug: l.partSlug,
      title: l.partTitle,
      lessons: 0,
      completed: 0,
      chapters: new Map<string, Completion>(),
    };
    const chapter = part.chapters.get(l.chapterSlug) ?? { slug: l.chapterSlug, title: l.chapterTitle, lessons: 0, completed: 0 };
    part.lessons++;
    chapter.lessons++;
    if (l.completedAt) {
      part.completed++;
      chapter.completed++;
    }
    part.chapters.set(l.chapterSlug, chapter);
    parts.set(l.partSlug, part);
  }
  const weeks = new Map<string, number>();
  for (const d of overview.days) weeks.set(weekOf(d.day), (weeks.get(weekOf(d.day)) ?? 0) + d.activeSeconds);
  const last = overview.lessons
    .filter((l) => l.lastActivityAt)
    .reduce<(typeof overview.lessons)[number] | null>(
      (best, l) => (!best || (l.lastActivityAt ?? '') > (best.lastActivityAt ?? '') ? l : best),
      null,
    );
  const completed = overview.lessons.filter((l) => l.completedAt).length;
  // Where to pick up: the last lesson opened while unfinished, else the first unfinished one after it in course order
  // (for a learner who has opened nothing, the course's first lesson).
  const lastIndex = last ? overview.lessons.indexOf(last) : -1;
  const next =
    last && !last.completedAt
      ? last
      : (overview.lessons.slice(lastIndex + 1).find((l) => !l.completedAt) ?? overview.lessons.find((l) => !l.completedAt));
  return {
    lessons: { total: overview.lessons.length, started: overview.lessons.filter((l) => l.startedAt).length, completed },
    parts: [...parts.values()].map(({ chapters, ...part }) => ({ ...part, chapters: [...chapters.values()] })),
    days: overview.days,
    weeks: [...weeks.entries()].map(([week, activeSeconds]) => ({ week, activeSeconds })),
    streakDays: streakDays(new Set(overview.days.filter((d) => d.events > 0).map((d) => d.day)), today),
    lastLesson: last ? { slug: last.lessonSlug, title: last.title, lastActivityAt: last.lastActivityAt } : null,
    lessonStates: [...overview.lessons, ...overview.elsewhere].flatMap(
      (l): { slug: string; state: 'started' | 'completed' }[] => {
        if (l.completedAt) return [{ slug: l.lessonSlug, state: 'completed' }];
        return l.startedAt || l.lastActivityAt ? [{ slug: l.lessonSlug, state: 'started' }] : [];
      },
    ),
    courses: overview.courses,
    continueLesson: next
      ? {
          course: next.courseId,
          slug: next.lessonSlug,
          title: next.title,
          lastActivityAt: next.lastActivityAt,
          reason: !last ? ('first' as const) : next === last ? ('in_progress' as const) : ('next' as const),
        }
      : null,
  };
}
