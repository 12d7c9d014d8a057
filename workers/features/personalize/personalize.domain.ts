import type { Preferences } from '../learners/learners.schemas';

/** Everything an engine may use about one lesson: its text and the course around it. */
export interface LessonContext {
  slug: string;
  title: string;
  summary: string;
  minutes: number;
  difficulty: number;
  layer: 'L1' | 'L2' | 'L3';
  objectives: string[];
  concepts: { id: string; label: string }[];
  prerequisites: { slug: string; title: string; summary: string }[];
  markdown: string;
}

/** An adapted lesson and, in words for the learner, what was changed. */
export interface Adaptation {
  markdown: string;
  adaptations: string[];
}

export type { Preferences };
