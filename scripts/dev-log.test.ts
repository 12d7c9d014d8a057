import { describe, expect, it } from 'vitest';
import { createDevLogFilter } from './dev-log';

/** Wrangler's output at a start (one bindings table, the offline stack, the cron warning) and two requests. */
const START = [
  '',
  ' ⛅️ wrangler 4.164.0',
  '────────────────────',
  'Using secrets defined in .dev.vars',
  'Your Worker has access to the following bindings:',
  'Binding                                   Resource                  Mode',
  'env.LEARNER (Learner)                     Durable Object            local',
  'env.DB (learnedge)                        D1 Database               local',
  '',
  '[wrangler:warn] Unable to fetch the `Request.cf` object! Falling back to a default placeholder...',
  'Error: getaddrinfo ENOTFOUND workers.cloudflare.com',
  '    at GetAddrInfoReqWrap.onlookupall [as oncomplete] (node:dns:123:26)',
  '\u001b[33m▲ \u001b[43;33m[\u001b[43;30mWARNING\u001b[43;33m]\u001b[0m \u001b[1mScheduled Workers are not automatically triggered during local development.\u001b[0m',
  '',
  '  To manually trigger a scheduled event, run:',
  '    curl "http://127.0.0.1:8787/cdn-cgi/local/scheduled"',
  '',
  '⎔ Starting local server...',
  '[wrangler:warn] Unable to fetch the `Request.cf` object! Falling back to a default placeholder...',
  'Error: getaddrinfo ENOTFOUND workers.cloudflare.com',
  '    at GetAddrInfoReqWrap.onlookupall [as oncomplete] (node:dns:123:26)',
  '[wrangler:info] ✨ Parsed 1 valid redirect rule.',
  '⎔ Connection status updated',
  'Your Worker has access to the following bindings:',
  'Binding                                   Resource                  Mode',
  'env.DB (learnedge)                        D1 Database               local',
  '',
  '[wrangler:info] Ready on http://127.0.0.1:8787',
  '{"level":"info","event":"request","time":"2026-12-03T12:39:57.785Z","requestId":"c6de","method":"GET","path":"/api/health/live","status":200,"durationMs":8}',
  '[wrangler:info] GET /api/health/live 200 OK (2346ms)',
  '{"level":"info","event":"ingest.done","time":"2026-12-03T12:40:00.926Z","queue":"learnedge-ingest","lesson":"relational-model","stored":true}',
  '[wrangler:info] QUEUE learnedge-ingest 10/10 (506ms)',
  '{"level":"error","event":"request.failed","time":"2026-12-03T12:40:01.000Z","requestId":"d1","error":"boom","stack":"Error: boom\\n    at x"}',
  '{"level":"info","event":"request","time":"2026-12-03T12:40:01.001Z","requestId":"d1","method":"POST","path":"/api/events","status":500,"durationMs":3}',
  '[wrangler:info] POST /api/events 500 Internal Server Error (5ms)',
  '[wrangler:info] GET /lessons/joins 200 OK (3ms)',
  '✘ [ERROR] something wrangler itself could not do',
];

describe('the npm start log', () => {
  it('keeps one line per request and every problem, and says once what it leaves out', () => {
    const filter = createDevLogFilter({ verbose: false });
    expect(START.flatMap((line) => filter.line(line) ?? [])).toEqual([
      'wrangler: local bindings ready (listed in wrangler.toml; npm start -- --verbose shows the table)',
      'wrangler: offline, so requests carry a placeholder Request.cf (expected without a network)',
      'wrangler: crons do not run locally; trigger one with curl "<url>/cdn-cgi/local/scheduled"',
      '12:39:57 GET /api/health/live 200 8ms',
      '12:40:01 ERROR request.failed error=boom',
      '12:40:01 POST /api/events 500 3ms',
      '[wrangler:info] GET /lessons/joins 200 OK (3ms)',
      '✘ [ERROR] something wrangler itself could not do',
    ]);
  });

  it('passes everything through when verbose', () => {
    const filter = createDevLogFilter({ verbose: true });
    expect(START.map((line) => filter.line(line))).toEqual(START);
  });

  it('shortens a long path and keeps a line that is not JSON after all', () => {
    const filter = createDevLogFilter({ verbose: false });
    const path = `/api/admin/content/blobs/${'a'.repeat(64)}`;
    expect(
      filter.line(
        `{"level":"info","event":"request","time":"2026-12-03T12:40:00.280Z","method":"PUT","path":"${path}","status":201,"durationMs":53}`,
      ),
    ).toBe(`12:40:00 PUT ${path.slice(0, 77)}... 201 53ms`);
    expect(filter.line('{not json')).toBe('{not json');
  });
});
