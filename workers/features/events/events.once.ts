import type { LearnerEvent } from './events.schemas';

/** How an event met its dedupe record: applied now, applied before, or its id already names a different event. */
export type OnceResult = 'applied' | 'duplicate' | 'conflict';

/**
 * What names an event's content: everything it carries except when it happened, so a
 * retried request (whose time defaults to now) is a repeat, and the same id sent with
 * another lesson, item, answer or action is a conflict.
 */
export function eventFingerprint(event: LearnerEvent): string {
  const { eventId: _id, occurredAt: _at, ...content } = event;
  const entries = Object.entries(content).sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify(entries);
}

/** The dedupe record an event store keeps per learner and event id. */
export interface DedupeRecords {
  find(eventId: string): { fingerprint: string } | null;
  record(fingerprint: string): void;
}

/**
 * Applies `change` exactly once per (learner, eventId): the caller runs this inside the
 * transaction that also holds the change, so the dedupe record and the change commit
 * together or not at all. Learner objects run one call at a time, so there is no race
 * between the lookup and the record.
 */
export function applyOnce<T>(
  records: DedupeRecords,
  event: LearnerEvent,
  change: () => T,
): { result: 'applied'; value: T } | { result: 'duplicate' | 'conflict' } {
  const fingerprint = eventFingerprint(event);
  const prior = records.find(event.eventId);
  if (prior) return { result: prior.fingerprint === fingerprint ? 'duplicate' : 'conflict' };
  records.record(fingerprint);
  return { result: 'applied', value: change() };
}
