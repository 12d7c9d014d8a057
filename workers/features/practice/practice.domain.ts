import { CATEGORIES, type Variation } from './practice.schemas';

/** A problem of a library, at a path into it (`variations/3/instructions`), in words for its author. */
export interface LibraryProblem {
  path: (string | number)[];
  message: string;
  /** For an id used twice: the index of the variation that used it first. */
  also?: number;
}

/** "a review task", "an apply task". */
const task = (category: string) => `${/^[aeiou]/.test(category) ? 'an' : 'a'} ${category} task`;

/** The template fields (`{lesson}`, `{count}`…) each category may use: the planner can fill only these for it. */
export const TEMPLATE_FIELDS: Record<Variation['category'], readonly string[]> = {
  review: ['count'],
  learn: ['lesson', 'section'],
  practice: ['count', 'lesson', 'concept'],
  apply: ['lesson', 'concept'],
  reflect: ['lesson', 'concept', 'concept2'],
  'warm-up': ['count', 'lesson', 'concept'],
};

/** What may complete a task of each category. */
const COMPLETIONS: Record<Variation['category'], readonly Variation['completes']['kind'][]> = {
  review: ['reviews'],
  learn: ['lesson', 'check_off'],
  practice: ['quiz_answers', 'check_off'],
  apply: ['check_off'],
  reflect: ['check_off'],
  'warm-up': ['quiz_answers', 'check_off'],
};

/**
 * The rules of a library beyond each variation's shape: ids unique, template fields the
 * category can fill, a completion that fits the category, a `{section}` task ticked off
 * (a section has no completion of its own), `{concept2}` only beside `{concept}`, and at
 * least one variation in every category, so that a plan can always be composed.
 */
export function checkLibrary(variations: readonly Variation[]): LibraryProblem[] {
  const problems: LibraryProblem[] = [];
  const seen = new Map<string, number>();
  variations.forEach((v, i) => {
    const at = (field: string, message: string) => problems.push({ path: ['variations', i, field], message });
    const first = seen.get(v.id);
    if (first !== undefined) problems.push({ path: ['variations', i, 'id'], message: `"${v.id}" is used twice`, also: first });
    else seen.set(v.id, i);
    const allowed = TEMPLATE_FIELDS[v.category];
    for (const field of ['title', 'instructions'] as const) {
      const used = [...v[field].matchAll(/\{([^{}]*)\}/g)].map((m) => m[1] ?? '');
      for (const name of new Set(used)) {
        if (!allowed.includes(name)) {
          at(field, `{${name}} is not a template field ${task(v.category)} can use (${allowed.map((p) => `{${p}}`).join(', ')})`);
        }
      }
      if (used.includes('concept2') && !`${v.title} ${v.instructions}`.includes('{concept}')) {
        at(field, '{concept2} needs {concept} beside it');
      }
    }
    if (!COMPLETIONS[v.category].includes(v.completes.kind)) {
      at('completes', `${task(v.category)} completes by ${COMPLETIONS[v.category].join(' or ')}, not ${v.completes.kind}`);
    }
    if (`${v.title} ${v.instructions}`.includes('{section}') && v.completes.kind !== 'check_off') {
      at('completes', 'a task on one {section} is ticked off (check_off): a section has no completion of its own');
    }
  });
  const present = new Set(variations.map((v) => v.category));
  const missing = CATEGORIES.filter((c) => !present.has(c));
  if (missing.length > 0) {
    problems.push({ path: ['variations'], message: `has no ${missing.join(', ')} variation: every category needs at least one` });
  }
  return problems;
}
