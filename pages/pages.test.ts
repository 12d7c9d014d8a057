import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertV4MiniflareOptions, Miniflare, type Request as MiniflareRequest } from 'miniflare';
import { parse } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `npm run deploy:pages` serves the site from Cloudflare Pages, its Functions forwarding
 * the Worker's routes through a service binding. Built here as Pages builds it
 * (`wrangler pages functions build`), bundled for upload (`wrangler deploy --dry-run`),
 * and run in workerd with the bindings Pages gives it.
 */

const PAGES = new URL('.', import.meta.url).pathname;
const out = mkdtempSync(join(tmpdir(), 'pages-functions-'));

function wrangler(args: string[], cwd = PAGES) {
  const run = spawnSync('npx', ['wrangler', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
  });
  return { status: run.status, output: `${run.stdout}\n${run.stderr}` };
}

interface WranglerToml {
  assets?: { run_worker_first?: string[] };
  name?: string;
  pages_build_output_dir?: string;
  services?: { binding: string; service: string }[];
  env?: { production?: { name?: string } };
}

const readToml = (path: string) => parse(readFileSync(path, 'utf8')) as WranglerToml;

describe('the Pages deployment', () => {
  let built: ReturnType<typeof wrangler>;
  beforeAll(() => {
    built = wrangler(['pages', 'functions', 'build', '--outdir', out, '--output-routes-path', join(out, '_routes.json')]);
  }, 120_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('builds its Functions into one Worker, routing exactly the paths the Worker serves before its assets', () => {
    expect(built.status, built.output).toBe(0);
    expect(existsSync(join(out, 'index.js'))).toBe(true);
    const routes = JSON.parse(readFileSync(join(out, '_routes.json'), 'utf8')) as { include: string[]; exclude: string[] };
    const worker = readToml(join(PAGES, '../wrangler.toml'));
    // Any other path is a static file served by Pages without invoking a Function.
    expect([...routes.include].sort()).toEqual([...(worker.assets?.run_worker_first ?? [])].sort());
  });

  it('binds the Worker that `npm run deploy` ships, and serves the same site build', () => {
    const pages = readToml(join(PAGES, 'wrangler.toml'));
    const worker = readToml(join(PAGES, '../wrangler.toml'));
    expect(pages.services).toEqual([{ binding: 'API', service: worker.env?.production?.name ?? worker.name }]);
    expect(pages.pages_build_output_dir).toBe('../site/dist');
  });

  it('bundles for upload (a dry run: nothing is sent)', () => {
    const dry = wrangler([
      'deploy',
      join(out, 'index.js'),
      '--dry-run',
      '--name',
      'learnedge-site-check',
      '--compatibility-date',
      '2026-11-01',
      '--outdir',
      join(out, 'upload'),
    ]);
    expect(dry.status, dry.output).toBe(0);
    expect(dry.output).toContain('--dry-run: exiting now.');
  }, 120_000);

  describe('in workerd', () => {
    let mf: Miniflare;
    const seen: { method: string; path: string; authorization: string | null; ip: string | null; body: string }[] = [];
    beforeAll(async () => {
      mf = new Miniflare(
        convertV4MiniflareOptions({
          modules: true,
          scriptPath: join(out, 'index.js'),
          // Module names are paths under this root (the bundle lives outside the project).
          modulesRoot: out,
          compatibilityDate: '2026-11-01',
          serviceBindings: {
            // Stands for the Worker: answers with what reached it, as problem+json for an unknown path.
            API: async (request: MiniflareRequest) => {
              const url = new URL(request.url);
              seen.push({
                method: request.method,
                path: url.pathname + url.search,
                authorization: request.headers.get('authorization'),
                ip: request.headers.get('cf-connecting-ip'),
                body: await request.text(),
              });
              return url.pathname === '/api/nowhere'
                ? new Response(JSON.stringify({ status: 404, title: 'Not found' }), {
                    status: 404,
                    headers: { 'content-type': 'application/problem+json' },
                  })
                : new Response('from the worker', { headers: { 'x-served-by': 'worker' } });
            },
            // Pages's static files.
            ASSETS: () => new Response('<h1>a static page</h1>', { headers: { 'content-type': 'text/html' } }),
          },
        }),
      );
      await mf.ready;
    }, 60_000);
    afterAll(async () => {
      await mf.dispose();
    });

    it('hands API requests to the Worker with method, query, headers and body, and returns its response as it is', async () => {
      const response = await mf.dispatchFetch('https://site.example/api/answers?format=text', {
        method: 'POST',
        headers: { authorization: 'Bearer t0ken', 'content-type': 'application/json', 'cf-connecting-ip': '203.0.113.7' },
        body: JSON.stringify({ question: 'What is a join?' }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-served-by')).toBe('worker');
      expect(await response.text()).toBe('from the worker');
      expect(seen.at(-1)).toEqual({
        method: 'POST',
        path: '/api/answers?format=text',
        authorization: 'Bearer t0ken',
        ip: '203.0.113.7',
        body: '{"question":"What is a join?"}',
      });
      const missing = await mf.dispatchFetch('https://site.example/api/nowhere');
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toBe('application/problem+json');
      await missing.text();
    });

    // The old lesson addresses too: the Worker redirects them under their course.
    it.each(['/mcp', '/llms.txt', '/llms-full.txt', '/api/content/book', '/lessons/filtering-with-where'])(
      'forwards %s to the Worker',
      async (path) => {
        const response = await mf.dispatchFetch(`https://site.example${path}`);
        expect(await response.text()).toBe('from the worker');
        expect(seen.at(-1)?.path).toBe(path);
      },
    );

    it.each(['/', '/courses/practical-sql/lessons/filtering-with-where', '/llms.md'])(
      'serves %s from the static files',
      async (path) => {
        const before = seen.length;
        const response = await mf.dispatchFetch(`https://site.example${path}`);
        expect(await response.text()).toBe('<h1>a static page</h1>');
        expect(seen).toHaveLength(before);
      },
    );
  });
});
