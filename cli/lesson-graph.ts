import { findPrerequisiteCycle } from '../workers/features/content/content.domain';
import type { TreeProblem } from './frontmatter';
import type { LessonMeta } from './lesson-meta';

/**
 * How the lessons of a course name each other: unique slugs and a prerequisite graph.
 * The server checks the same, but only here are lessons whose frontmatter failed still
 * known, so naming one of them is not reported as a second problem.
 */

/** Explicit slugs must be unique; inferred ones are made unique with their chapter or part. */
export function assignSlugs(metas: LessonMeta[], problems: TreeProblem[]): void {
  const taken = new Map<string, LessonMeta>();
  for (const meta of metas.filter((m) => m.explicitSlug)) {
    const other = taken.get(meta.slug);
    if (other)
      problems.push({
        file: meta.relFile,
        line: meta.lineOf('slug'),
        message: `duplicate slug "${meta.slug}" (also in ${other.relFile})`,
      });
    else taken.set(meta.slug, meta);
  }
  for (const meta of metas.filter((m) => !m.explicitSlug)) {
    const base = meta.defaultSlug ?? meta.slug;
    const candidates = [base, `${meta.chapterSlug}-${base}`, `${meta.partSlug}-${meta.chapterSlug}-${base}`];
    let slug = candidates.find((c) => !taken.has(c));
    for (let n = 2; !slug; n++) if (!taken.has(`${base}-${n}`)) slug = `${base}-${n}`;
    meta.slug = slug.slice(0, 120).replace(/-+$/, '');
    taken.set(meta.slug, meta);
  }
}

/**
 * Every prerequisite must name a lesson of the course: one read here, or one in `unreadSlugs`
 * (slugs a lesson whose frontmatter failed may have). A near miss gets the closest slug.
 */
export function checkPrerequisites(metas: LessonMeta[], unreadSlugs: ReadonlySet<string>, problems: TreeProblem[]): void {
  const slugs = new Set([...metas.map((m) => m.slug), ...unreadSlugs]);
  for (const meta of metas) {
    meta.prerequisites.forEach((p, i) => {
      const line = meta.lineOf('prerequisites', i);
      if (p === meta.slug) problems.push({ file: meta.relFile, line, message: 'a lesson cannot be its own prerequisite' });
      else if (!slugs.has(p)) {
        const near = closestSlug(
          p,
          [...slugs].filter((s) => s !== meta.slug),
        );
        const hint = near ? `; did you mean "${near}"?` : '';
        problems.push({ file: meta.relFile, line, message: `unknown prerequisite "${p}"${hint}` });
      }
    });
  }
  const cycle = findPrerequisiteCycle(
    metas.map((m) => ({ slug: m.slug, prerequisites: m.prerequisites.filter((p) => p !== m.slug) })),
  );
  const first = cycle && metas.find((m) => m.slug === cycle[0]);
  if (cycle && first)
    problems.push({
      file: first.relFile,
      line: first.lineOf('prerequisites', Math.max(0, first.prerequisites.indexOf(cycle[1] ?? ''))),
      message: `prerequisite cycle: ${cycle.join(' -> ')}`,
    });
}

/**
 * The slug nearest to a misspelt one, if it is near enough to be the one meant: at most
 * max(2, a third of its length) edits, and fewer edits than it has characters. Ties go to
 * the alphabetically first, so the hint is the same on every run.
 */
export function closestSlug(wanted: string, slugs: readonly string[]): string | undefined {
  const limit = Math.min(Math.max(2, Math.floor(wanted.length / 3)), wanted.length - 1);
  let best: { slug: string; distance: number } | undefined;
  for (const slug of [...slugs].sort()) {
    const distance = editDistance(wanted, slug);
    if (distance <= limit && (!best || distance < best.distance)) best = { slug, distance };
  }
  return best?.slug;
}

/** Levenshtein distance: single-character insertions, deletions and substitutions. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
