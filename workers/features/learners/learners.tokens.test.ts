import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { api, freshIp, givenLearner, learnerHandle, untilLimited } from '../../test/builders';
import type { Problem } from '../../http/problem';
import { base64UrlDecode, base64UrlEncode } from '../../platform/base64url';
import { TOKEN_TTL_SECONDS } from './learners.token';

const SECRET = env.LEARNER_TOKEN_SECRET;
const encoder = new TextEncoder();

async function refresh(token: string): Promise<Response> {
  return api('/api/learners/me/token', { method: 'POST', key: token });
}

async function status(token: string, path = '/api/learners/me'): Promise<number> {
  return (await api(path, { key: token })).status;
}

/** A token with any claims, signed with the server's secret (what a leaked secret or a bug could mint). */
async function minted(claims: Record<string, unknown>): Promise<string> {
  const body = `lt1.${base64UrlEncode(encoder.encode(JSON.stringify(claims)))}`;
  const key = await crypto.subtle.importKey('raw', encoder.encode(SECRET), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return `${body}.${base64UrlEncode(new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(body))))}`;
}

describe('token refresh revokes the token it replaces', () => {
  it('answers the old token with 401 once refreshed, while the new one works', async () => {
    const { token } = await givenLearner(null);
    const refreshed = await refresh(token);
    expect(refreshed.status).toBe(200);
    const { token: fresh } = await refreshed.json<{ token: string }>();

    const old = await api('/api/learners/me', { key: token });
    expect(old.status).toBe(401);
    expect(old.headers.get('content-type')).toBe('application/problem+json');
    expect((await old.json<Problem>()).detail).toContain('signed out');
    expect(await status(fresh)).toBe(200);
    // Every learner route checks, not only the profile.
    expect(await status(token, '/api/progress')).toBe(401);
    expect(await status(token, '/api/recommendations')).toBe(401);
    // Today's plan has the learner's object check the epoch in the call that reads the plan's inputs.
    expect(await status(token, '/api/plans/today')).toBe(401);
    expect(await status(fresh, '/api/plans/today')).toBe(409);
  });

  it('lets a second tab that refreshes with the replaced token within a minute in, in the same epoch', async () => {
    const { token } = await givenLearner(null);
    const first = (await (await refresh(token)).json<{ token: string }>()).token;
    const second = await refresh(token);
    expect(second.status).toBe(200);
    const other = (await second.json<{ token: string }>()).token;
    expect(await status(first)).toBe(200);
    expect(await status(other)).toBe(200);
  });

  it('refuses a refresh with the replaced token after the grace minute, and with a token two refreshes old', async () => {
    const { learnerId, token } = await givenLearner(null);
    const object = learnerHandle(learnerId);
    const now = Date.now();
    expect(await object.renewTokens(learnerId, 0, 'refresh', now, 60_000)).toBe(1);
    expect(await object.renewTokens(learnerId, 0, 'refresh', now + 61_000, 60_000)).toBe('signed_out');
    expect(await object.renewTokens(learnerId, 1, 'refresh', now + 62_000, 60_000)).toBe(2);
    // The original token (epoch 0) is now two epochs behind: no grace.
    const refused = await refresh(token);
    expect(refused.status).toBe(401);
  });
});

describe('sign out everywhere', () => {
  it('revokes every token of the learner, with no grace, and hands this device the only one that works', async () => {
    const { learnerId, token } = await givenLearner(null);
    const refreshed = (await (await refresh(token)).json<{ token: string }>()).token;
    const out = await api('/api/learners/me/sign-out-everywhere', { method: 'POST', key: refreshed });
    expect(out.status).toBe(200);
    const body = await out.json<{ learnerId: string; token: string }>();
    expect(body.learnerId).toBe(learnerId);

    expect(await status(refreshed)).toBe(401);
    expect((await refresh(token)).status).toBe(401);
    expect((await refresh(refreshed)).status).toBe(401);
    expect(await status(body.token)).toBe(200);
    // The data stays: the learner is the same.
    expect(await (await api('/api/learners/me', { key: body.token })).json()).toMatchObject({ learnerId });
  });

  it('needs a current token: a signed-out one cannot sign out the others', async () => {
    const { token } = await givenLearner(null);
    const fresh = (await (await refresh(token)).json<{ token: string }>()).token;
    await api('/api/learners/me/sign-out-everywhere', { method: 'POST', key: fresh });
    expect((await api('/api/learners/me/sign-out-everywhere', { method: 'POST', key: fresh })).status).toBe(401);
  });
});

describe('token lifetime and encoding', () => {
  it.each([
    ['expiring in the year 9999', (iat: number) => ({ iat, exp: 253_402_300_799 })],
    ['living a day longer than any token is issued for', (iat: number) => ({ iat, exp: iat + TOKEN_TTL_SECONDS + 86_400 })],
    ['issued an hour in the future', (iat: number) => ({ iat: iat + 3600, exp: iat + 3600 + 60 })],
  ])('refuses a validly signed token %s with 401', async (_case, times) => {
    const { learnerId } = await givenLearner(null);
    const token = await minted({ sub: learnerId, ep: 0, ...times(Math.floor(Date.now() / 1000)) });
    const response = await api('/api/learners/me', { key: token });
    expect(response.status).toBe(401);
    expect((await response.json<Problem>()).detail).toContain('lifetime');
  });

  it('accepts a token of the full lifetime it issues', async () => {
    const { learnerId } = await givenLearner(null);
    const iat = Math.floor(Date.now() / 1000);
    expect(await status(await minted({ sub: learnerId, ep: 0, iat, exp: iat + TOKEN_TTL_SECONDS }))).toBe(200);
  });

  it('refuses a signature spelled in a non-canonical base64url (same bytes, other trailing bits)', async () => {
    const { token } = await givenLearner(null);
    const [prefix, claims, signature = ''] = token.split('.');
    // 32 bytes are 43 characters: the last one carries 2 bits that decode to nothing.
    const last = signature.at(-1) ?? 'A';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const index = alphabet.indexOf(last);
    const variant = `${signature.slice(0, -1)}${alphabet[(index & ~3) | ((index + 1) & 3)] ?? ''}`;
    expect(variant).not.toBe(signature);
    expect(atob(variant.replace(/-/g, '+').replace(/_/g, '/'))).toBe(atob(signature.replace(/-/g, '+').replace(/_/g, '/')));
    expect(base64UrlDecode(variant)).toBeNull();
    expect(await status(`${prefix}.${claims}.${variant}`)).toBe(401);
    expect(await status(token)).toBe(200);
  });

  it('decodes only canonical base64url', () => {
    expect(base64UrlDecode('AAAA')).toEqual(new Uint8Array([0, 0, 0]));
    expect(base64UrlDecode('AA')).toEqual(new Uint8Array([0]));
    for (const bad of ['AB', 'AAA=', 'A', 'AA==', 'A+B/', 'AAAAA']) expect(base64UrlDecode(bad), bad).toBeNull();
  });
});

describe('a token of an erased learner', () => {
  it('gets 401 on every learner route instead of default data', async () => {
    const { token } = await givenLearner();
    expect((await api('/api/learners/me', { method: 'DELETE', key: token })).status).toBe(204);
    for (const path of [
      '/api/learners/me',
      '/api/progress',
      '/api/recommendations',
      '/api/reviews/due',
      '/api/learners/me/goal',
      '/api/learning-path',
    ]) {
      const response = await api(path, { key: token });
      expect(response.status, path).toBe(401);
      expect((await response.json<Problem>()).detail, path).toContain('no longer exists');
    }
    expect((await refresh(token)).status).toBe(401);
  });
});

describe('abuse limits', () => {
  it('limits token refreshes per learner', async () => {
    const { token } = await givenLearner(null);
    let current = token;
    await untilLimited(10, 1, async () => {
      const response = await refresh(current);
      if (response.status === 200) current = (await response.clone().json<{ token: string }>()).token;
      return response;
    });
  }, 60_000);

  it('limits event batches per learner', async () => {
    const { token } = await givenLearner();
    let i = 0;
    await untilLimited(60, 10, () =>
      api('/api/events', {
        method: 'POST',
        key: token,
        json: {
          events: [
            {
              eventId: crypto.randomUUID(),
              type: 'lesson.started',
              lessonSlug: `lesson-${i++}`,
              occurredAt: new Date().toISOString(),
            },
          ],
        },
      }),
    );
  }, 60_000);

  it('limits every learner route per learner, and another learner is not affected', async () => {
    const { token } = await givenLearner(null);
    await untilLimited(600, 50, () => api('/api/learners/me', { key: token }));
    expect(await status((await givenLearner(null)).token)).toBe(200);
  }, 60_000);

  it('limits every learner route per client address, whichever learner calls', async () => {
    const ip = freshIp();
    const learners = await Promise.all(Array.from({ length: 3 }, () => givenLearner(null)));
    let n = 0;
    await untilLimited(1200, 50, () =>
      api('/api/learners/me', { key: learners[n++ % 3]?.token ?? '', headers: { 'cf-connecting-ip': ip } }),
    );
  }, 60_000);

  it('limits search per client address', async () => {
    const ip = freshIp();
    await untilLimited(300, 50, () =>
      api('/api/search', { method: 'POST', json: { query: 'joins' }, headers: { 'cf-connecting-ip': ip } }),
    );
  }, 60_000);
});
