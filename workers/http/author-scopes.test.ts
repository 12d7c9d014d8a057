import { describe, expect, it } from 'vitest';
import { api, givenAuthorKey } from '../test/builders';
import type { Problem } from './problem';

/** Operational routes: only a key with the admin scope may call them. */
const OPERATIONS: [string, string, unknown?][] = [
  ['POST', '/api/admin/events/replay-dlq'],
  ['POST', '/api/admin/mastery/fit-bkt', { dryRun: true }],
  ['POST', '/api/admin/recommendations/refresh'],
  ['POST', '/api/admin/ingest/retry-failed'],
  ['POST', '/api/admin/ingest/reindex'],
  ['POST', '/api/admin/ingest/copy-vectors', {}],
  ['DELETE', '/api/admin/sources/src_abcdefghijklmnop'],
  ['POST', '/api/admin/learners/move', {}],
  ['GET', '/api/admin/learners/lrn_0000000000000000000000/delivery'],
];

/** What a content author does: push a course, add sources, follow ingestion. */
const AUTHORING: [string, string][] = [
  ['GET', '/api/admin/ingest/status'],
  ['GET', '/api/admin/sources'],
];

describe('author key scopes', () => {
  it('refuses every operational route to a content:write key with 403 problem+json, and lets an admin key in', async () => {
    const writer = await givenAuthorKey({ scopes: ['content:write'] });
    const admin = await givenAuthorKey({ scopes: ['admin'] });
    for (const [method, path, json] of OPERATIONS) {
      const refused = await api(path, { method, key: writer, ...(json === undefined ? {} : { json }) });
      expect([method, path, refused.status]).toEqual([method, path, 403]);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect((await refused.json<Problem>()).detail).toContain('"admin" scope');
      const allowed = await api(path, { method, key: admin, ...(json === undefined ? {} : { json }) });
      expect([method, path, allowed.status === 401 || allowed.status === 403]).toEqual([method, path, false]);
    }
  });

  it('lets a content:write key author: follow ingestion and list sources', async () => {
    const writer = await givenAuthorKey({ scopes: ['content:write'] });
    for (const [method, path] of AUTHORING) {
      expect([method, path, (await api(path, { method, key: writer })).status]).toEqual([method, path, 200]);
    }
  });
});
