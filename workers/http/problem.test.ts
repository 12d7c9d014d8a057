import { describe, expect, it } from 'vitest';
import { api } from '../test/builders';

type Operation = { responses?: Record<string, { description?: string }> };

describe('the problem responses the API documents', () => {
  it('describe a status several error codes share by what it means, not by one route’s error', async () => {
    const document = await (await api('/api/openapi.json')).json<{ paths: Record<string, Record<string, Operation>> }>();
    const described = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).flatMap(([method, op]) =>
        Object.entries(op.responses ?? {}).map(([status, r]) => ({
          at: `${method} ${path} ${status}`,
          status,
          text: r.description,
        })),
      ),
    );
    const conflicts = described.filter((d) => d.status === '409');
    expect(conflicts.length).toBeGreaterThan(10);
    // A plan, a quiz answer or a conversation has no manifest whose files went missing.
    expect(conflicts.filter((d) => /manifest/i.test(d.text ?? '')).map((d) => d.at)).toEqual([]);
    expect(new Set(conflicts.map((d) => d.text))).toEqual(
      new Set(['In conflict with the current state (the problem’s code and detail say which)']),
    );
    expect(described.find((d) => d.status === '401')?.text).toBe('Authentication required');
  });
});
