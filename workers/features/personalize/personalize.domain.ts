import type { Preferences } from '../learners/learners.schemas';
import type { Engine } from './personalize.schemas';
import type { MeasuredEvidence } from './personalize.evidence';

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
  prerequisites: { slug: string; title: string; summary: string; concepts: { id: string; label: string }[] }[];
  /** What this learner has shown that bears on the lesson (absent: nothing measured). */
  measured?: MeasuredEvidence;
  markdown: string;
}

/** An adapted lesson and, in words for the learner, what was changed. */
export interface Adaptation {
  markdown: string;
  adaptations: string[];
}

export type { Preferences };

const KEY_VERSION = 'p1';

/**
 * Where a personalized lesson lives in KV. Everything that shapes the text is in
 * the key (lesson body, its context, canonical preferences, engine, model, prompt
 * version), so a re-push or a profile change reads a different key and stale text
 * is never served; nothing is ever overwritten in place. The preferences hash comes
 * first so one profile's entries can be listed by prefix.
 */
export function personalizationKey(parts: {
  preferencesHash: string;
  contentHash: string;
  /** SHA-256 of everything else an engine sees: lesson metadata, prerequisites, concepts. */
  contextHash: string;
  engine: Exclude<Engine, 'original'>;
  model: string | null;
  promptVersion: string;
}): string {
  return [
    personalizationPrefix(parts.preferencesHash),
    parts.contentHash,
    parts.contextHash.slice(0, 16),
    parts.engine,
    encodeURIComponent(parts.model ?? '-'),
    parts.promptVersion,
  ].join(':');
}

/** The KV prefix of every entry made for one canonical profile. */
export function personalizationPrefix(preferencesHash: string): string {
  return `personalized:${KEY_VERSION}:${preferencesHash}`;
}

/** The budget day of an instant: the UTC calendar date. */
export function budgetDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** Cost of one generation from token counts and per-million-token prices (USD). */
export function estimateCostUsd(
  tokens: { promptTokens: number; completionTokens: number },
  prices: { inputPerMTok: number; outputPerMTok: number },
): number {
  const cost = (tokens.promptTokens * prices.inputPerMTok + tokens.completionTokens * prices.outputPerMTok) / 1_000_000;
  return Math.round(cost * 1e8) / 1e8;
}
