/**
 * What an experiment can decide and measure, as plain data (no zod): the schemas validate
 * against these, and the admin dashboard's form offers them.
 */

/** The flag keys the platform reads (each one's value shape is in `DECISIONS`). */
export const DECISION_KEYS = [
  'recs.weights',
  'personalize.engine',
  'answers.engine',
  'recs.learned',
  'plans.dynamic',
  'plans.new_share',
] as const;

/** Metrics defined over each learner's daily rollup since their first exposure. */
export const METRICS = {
  lesson_completion: { kind: 'rate', description: 'Learners who completed at least one lesson' },
  lessons_completed: { kind: 'mean', description: 'Lessons completed per learner' },
  quiz_accuracy: { kind: 'mean', description: 'Share of quiz answers right, per learner who answered' },
  return_1d: { kind: 'rate', description: 'Learners active the day after their exposure (once that day is over)' },
  return_7d: { kind: 'rate', description: 'Learners active within 7 days after their exposure day (once they are over)' },
  active_minutes: { kind: 'mean', description: 'Active minutes per learner' },
  recommendation_acceptance: { kind: 'rate', description: 'Learners who accepted at least one recommendation' },
  plan_tasks_completed: { kind: 'mean', description: 'Daily-plan tasks completed per learner' },
  answer_helpfulness: { kind: 'mean', description: 'Share of thumbs up among answer ratings, per learner who rated' },
} as const;
export type MetricKey = keyof typeof METRICS;
