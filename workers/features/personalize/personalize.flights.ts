import { AppError } from '../../http/problem';
import type { PersonalizedLesson } from './personalize.schemas';

export type Identity = { contentHash: string; preferencesHash: string };
export type StartMeta = Pick<PersonalizedLesson, 'cached' | 'engine' | 'model'>;
export type Outcome = Omit<PersonalizedLesson, 'lessonSlug' | 'contentHash' | 'preferencesHash'>;

export interface PersonalizeListener {
  /** Once, as soon as it is known which engine answers and whether from the cache. */
  onStart?: (meta: StartMeta & Identity) => void;
  /** Text as it is produced (the whole text at once for cache hits and offline). */
  onDelta?: (text: string) => void;
}

export type FlightRun = (onDelta: (text: string) => void, onStart: (meta: StartMeta) => void) => Promise<Outcome>;

interface Flight {
  text: string;
  meta: StartMeta | null;
  /** Replaced on every delta; followers await it to see new text. */
  changed: Promise<void>;
  notify: () => void;
  result: Promise<Outcome>;
  /** Past this instant the flight counts as lost (its request was cancelled). */
  deadline: number;
}

/**
 * Generations in progress in this isolate, by cache key: identical concurrent
 * requests share one generation (and one budget charge) instead of racing.
 * Followers wait on promises only, never on the leader's streams, because a
 * Worker request may not do I/O on another request's objects. A flight whose
 * leader was cancelled never settles, so each has a deadline after which it is
 * forgotten and its followers get a 503 instead of waiting forever.
 */
const flights = new Map<string, Flight>();

/** The live flight for `key`, if any; one past its deadline is dropped. */
export function liveFlight(key: string, now: number): Flight | undefined {
  const flight = flights.get(key);
  if (flight && now >= flight.deadline) {
    flights.delete(key);
    return undefined;
  }
  return flight;
}

/** Starts `run` as the flight for `key`, joinable until it settles or `maxMs` pass. */
export function startFlight(key: string, maxMs: number, run: FlightRun): Flight {
  const flight: Flight = {
    text: '',
    meta: null,
    changed: Promise.resolve(),
    notify: () => undefined,
    result: Promise.resolve() as never,
    deadline: Date.now() + maxMs,
  };
  const arm = () => {
    flight.changed = new Promise<void>((resolve) => {
      flight.notify = resolve;
    });
  };
  const announce = () => {
    const notify = flight.notify;
    arm();
    notify();
  };
  arm();
  flight.result = run(
    (text) => {
      flight.text += text;
      announce();
    },
    (meta) => {
      flight.meta = meta;
      announce();
    },
  ).finally(() => {
    if (flights.get(key) === flight) flights.delete(key);
  });
  flights.set(key, flight);
  return flight;
}

/** Passes a flight's start and growing text to one listener, then returns its outcome. */
export async function follow(flight: Flight, identity: Identity, listener: PersonalizeListener): Promise<Outcome> {
  let sent = 0;
  let started = false;
  const catchUp = () => {
    if (!started && flight.meta) {
      started = true;
      listener.onStart?.({ ...flight.meta, ...identity });
    }
    if (started && flight.text.length > sent) {
      listener.onDelta?.(flight.text.slice(sent));
      sent = flight.text.length;
    }
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<'expired'>((resolve) => {
    timer = setTimeout(() => resolve('expired'), Math.max(0, flight.deadline - Date.now()));
  });
  const settled = flight.result.then(
    () => 'settled' as const,
    () => 'settled' as const,
  );
  try {
    // A late joiner first gets everything produced so far.
    catchUp();
    for (;;) {
      const next = await Promise.race([settled, expired, flight.changed.then(() => 'changed' as const)]);
      if (next === 'settled') break;
      if (next === 'expired') {
        throw new AppError('service_unavailable', 'Personalizing this lesson took too long; please try again');
      }
      catchUp();
    }
  } finally {
    clearTimeout(timer);
  }
  const outcome = await flight.result;
  catchUp();
  return outcome;
}
