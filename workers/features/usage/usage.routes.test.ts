import { describe, expect, it } from 'vitest';
import type { Problem } from '../../http/problem';
import { api, givenAuthorKey, givenLearner } from '../../test/builders';
import { givenFakeModel } from '../../test/fake-model';
import { givenSampleCourse } from '../../test/sample-course';
import type { Answer } from '../answers/answers.schemas';
import type { UsageReport } from './usage.schemas';

const QUESTION = 'How do I keep only the rows that match a condition?';
const REPLY = { content: 'A WHERE clause keeps only the rows for which its condition is true [1].' };
/** $2 per million prompt tokens, $8 per million completion tokens. */
const PRICES = { OPENAI_INPUT_USD_PER_MTOK: '2', OPENAI_OUTPUT_USD_PER_MTOK: '8' };
const today = () => new Date().toISOString().slice(0, 10);

const askWith = async (token: string, vars: Record<string, string>, question = QUESTION) =>
  (await api('/api/answers', { method: 'POST', key: token, json: { question }, vars })).json<Answer>();
const usage = async (key: string, query = '') => api(`/api/admin/usage${query}`, { key });

describe('model usage and cost', () => {
  it('records every model call by day, feature and model, failed calls included, with tokens and estimated cost', async () => {
    await givenSampleCourse();
    const { token } = await givenLearner(null);
    const fake = await givenFakeModel(
      [{ ...REPLY, usage: { prompt_tokens: 1000, completion_tokens: 100 } }, { status: 500 }],
      PRICES,
    );
    expect((await askWith(token, fake.vars)).engine).toBe('model');
    // The second call fails: the learner gets the offline answer, the call is still counted.
    expect((await askWith(token, fake.vars, 'What does WHERE do with NULL values?')).engine).toBe('offline');
    const key = await givenAuthorKey({ scopes: ['admin'] });

    const byFeature = await (await usage(key, '?groupBy=feature')).json<UsageReport>();
    expect(byFeature.rows).toEqual([
      { key: 'answers', calls: 2, failedCalls: 1, promptTokens: 1000, completionTokens: 100, costUsd: 0.0028 },
    ]);
    expect(byFeature.total).toMatchObject({ key: 'total', calls: 2, costUsd: 0.0028 });
    expect(byFeature.to).toBe(today());

    const byModel = await (await usage(key, '?groupBy=model')).json<UsageReport>();
    expect(byModel.rows.map((r) => r.key)).toEqual([fake.model]);
    const byDay = await (await usage(key)).json<UsageReport>();
    expect(byDay).toMatchObject({ groupBy: 'day', rows: [{ key: today(), calls: 2 }] });

    const csv = await usage(key, '?groupBy=feature&format=csv');
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(await csv.text()).toBe(
      'feature,calls,failed_calls,prompt_tokens,completion_tokens,cost_usd\nanswers,2,1,1000,100,0.002800\ntotal,2,1,1000,100,0.002800\n',
    );
    const markdown = await (await usage(key, '?groupBy=feature&format=markdown')).text();
    expect(markdown).toContain('| feature | calls | failed_calls | prompt_tokens | completion_tokens | cost_usd |');
    expect(markdown).toContain('| answers | 2 | 1 | 1000 | 100 | 0.002800 |');

    // A period with no calls is an empty table with a zero total.
    const past = await (await usage(key, '?from=2020-01-01&to=2020-01-31')).json<UsageReport>();
    expect(past).toMatchObject({ rows: [], total: { calls: 0, costUsd: 0 } });
  });

  it('stops model spending for everyone at the daily cost cap: the offline engine answers and says why', async () => {
    await givenSampleCourse();
    const [first, second] = [await givenLearner(null), await givenLearner(null)];
    // One answer costs $0.0028; the cap is a tenth of a cent.
    const fake = await givenFakeModel([{ ...REPLY, usage: { prompt_tokens: 1000, completion_tokens: 100 } }], {
      ...PRICES,
      MODEL_DAILY_COST_CAP_USD: '0.001',
    });
    expect((await askWith(first.token, fake.vars)).engine).toBe('model');
    const capped = await askWith(second.token, fake.vars, 'What does WHERE do with NULL values?');
    expect(capped).toMatchObject({ engine: 'offline', covered: true });
    expect(capped.engineNote).toMatch(/platform has used today's model budget/);
    expect(await fake.calls()).toHaveLength(1);

    // Only the call that was made is counted.
    const key = await givenAuthorKey({ scopes: ['admin'] });
    const report = await (await usage(key, '?groupBy=feature')).json<UsageReport>();
    expect(report.rows).toEqual([expect.objectContaining({ key: 'answers', calls: 1 })]);
  });

  it('refuses bad periods and keys with problem+json naming the field', async () => {
    const key = await givenAuthorKey({ scopes: ['admin'] });
    const cases: [string, string][] = [
      ['?from=2026-13-01', 'query/from'],
      ['?to=yesterday', 'query/to'],
      ['?from=2026-03-02&to=2026-03-01', 'query/to'],
      ['?from=2020-01-01&to=2026-01-01', 'query/from'],
      ['?groupBy=learner', 'query/groupBy'],
      ['?format=xml', 'query/format'],
    ];
    for (const [query, field] of cases) {
      const response = await usage(key, query);
      expect(response.status, query).toBe(400);
      expect(
        (await response.json<Problem>()).errors?.map((e) => e.field),
        query,
      ).toContain(field);
    }
    expect((await usage(await givenAuthorKey({ scopes: ['content:write'] }))).status).toBe(403);
    expect((await usage((await givenLearner(null)).token)).status).toBe(401);
  });
});
