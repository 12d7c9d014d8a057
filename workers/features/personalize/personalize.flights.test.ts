import { describe, expect, it } from 'vitest';
import { AppError } from '../../http/problem';
import { follow, liveFlight, startFlight, type Outcome } from './personalize.flights';

const IDENTITY = { contentHash: 'c', preferencesHash: 'p' };
const OUTCOME: Outcome = {
  markdown: 'text',
  cached: false,
  engine: 'offline',
  model: null,
  promptVersion: 'v',
  usage: null,
  degraded: false,
  notice: null,
  adaptations: [],
};

describe('flights', () => {
  it('lets a follower see the start and every piece of text, then the outcome', async () => {
    const key = `k-${crypto.randomUUID()}`;
    let finish: () => void = () => undefined;
    const flight = startFlight(key, 5000, async (onDelta, onStart) => {
      onStart({ cached: false, engine: 'offline', model: null });
      onDelta('te');
      await new Promise<void>((resolve) => (finish = resolve));
      onDelta('xt');
      return OUTCOME;
    });
    expect(liveFlight(key, Date.now())).toBe(flight);
    const seen: string[] = [];
    const following = follow(flight, IDENTITY, {
      onStart: (meta) => seen.push(`start:${meta.engine}:${meta.contentHash}`),
      onDelta: (text) => seen.push(text),
    });
    await new Promise((r) => setTimeout(r, 10));
    finish();
    expect(await following).toEqual(OUTCOME);
    expect(seen).toEqual(['start:offline:c', 'te', 'xt']);
    expect(liveFlight(key, Date.now())).toBeUndefined();
  });

  it('forgets a flight that never settles once its deadline passes, and its followers get a 503', async () => {
    const key = `k-${crypto.randomUUID()}`;
    const flight = startFlight(key, 50, () => new Promise<Outcome>(() => undefined));
    const error = await follow(flight, IDENTITY, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('service_unavailable');
    expect(liveFlight(key, Date.now())).toBeUndefined();
  });
});
