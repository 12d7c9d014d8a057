import { describe, expect, it } from 'vitest';
import { newLearnerId, signLearnerToken, TOKEN_TTL_SECONDS, verifyLearnerToken } from './learners.token';

const SECRET = 's'.repeat(32);
const OTHER = 'o'.repeat(32);
const LEARNER = newLearnerId(new Uint8Array(16).fill(7));

describe('verifyLearnerToken', () => {
  it('accepts a token of its secret again and again, and checks its lifetime each time', async () => {
    const issued = new Date('2026-12-01T00:00:00Z');
    const { token } = await signLearnerToken(SECRET, LEARNER, issued);
    const first = await verifyLearnerToken(SECRET, token, issued);
    expect(first).toEqual({
      ok: true,
      claims: { sub: LEARNER, iat: expect.any(Number) as number, exp: expect.any(Number) as number, ep: 0 },
    });
    // Checked before: the answer is the same, and a later request still finds it expired.
    expect(await verifyLearnerToken(SECRET, token, issued)).toEqual(first);
    const after = new Date(issued.getTime() + (TOKEN_TTL_SECONDS + 1) * 1000);
    expect(await verifyLearnerToken(SECRET, token, after)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a token checked before once the secret changes, and any token with a changed byte', async () => {
    const now = new Date();
    const { token } = await signLearnerToken(SECRET, LEARNER, now);
    expect((await verifyLearnerToken(SECRET, token, now)).ok).toBe(true);
    expect(await verifyLearnerToken(OTHER, token, now)).toEqual({ ok: false, reason: 'bad_signature' });
    const [prefix, payload, signature] = token.split('.');
    const flipped = `${signature?.startsWith('A') ? 'B' : 'A'}${signature?.slice(1) ?? ''}`;
    expect(await verifyLearnerToken(SECRET, `${prefix}.${payload}.${flipped}`, now)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(await verifyLearnerToken(SECRET, `${token}.extra`, now)).toEqual({ ok: false, reason: 'malformed' });
  });
});
