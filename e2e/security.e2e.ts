import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { useBrowser } from './browser';
import { onboardedLearner, storedSession, type LearnerSession } from './learner';

const baseUrl = inject('baseUrl');
const { newPage: openPage } = useBrowser();
let reader: LearnerSession;
beforeAll(async () => {
  reader = await onboardedLearner(baseUrl);
});

/** A CSP as a map from directive to its sources. */
function directives(csp: string | null): Map<string, string[]> {
  const parsed = new Map<string, string[]>();
  for (const part of (csp ?? '').split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) parsed.set(name.toLowerCase(), sources);
  }
  return parsed;
}

/** A script of the site's own bundle, named in the home page. */
async function bundleScript(): Promise<string> {
  const html = await (await fetch(`${baseUrl}/`)).text();
  const src = /<script[^>]*\bsrc="(\/_astro\/[^"]+\.js)"/.exec(html)?.[1];
  if (!src) throw new Error('the home page names no /_astro/ script');
  return src;
}

/**
 * Opens a page as the reader and records every CSP violation it reports, both as
 * `securitypolicyviolation` events and as the console's "Refused to ..." messages.
 */
async function watchedPage(): Promise<{ page: Page; violations: () => Promise<string[]> }> {
  const page = await openPage(storedSession(baseUrl, reader));
  const logged: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to|Permissions-Policy/i.test(message.text())) logged.push(message.text());
  });
  // Injected by the browser itself, so the page's CSP does not apply to this script.
  await page.addInitScript(() => {
    const seen: string[] = [];
    Object.defineProperty(window, '__cspViolations', { value: seen });
    document.addEventListener('securitypolicyviolation', (event) =>
      seen.push(
        `${event.effectiveDirective} blocked ${event.blockedURI || 'inline code'} (${event.sourceFile}:${event.lineNumber})`,
      ),
    );
  });
  const violations = async () => [
    ...(await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations)),
    ...logged,
  ];
  return { page, violations };
}

/** Every island on the page has hydrated (Astro drops `ssr` from an island once React owns it). */
async function hydrated(page: Page): Promise<boolean> {
  return page.evaluate(
    () => document.querySelectorAll('astro-island').length > 0 && document.querySelectorAll('astro-island[ssr]').length === 0,
  );
}

describe('security headers', () => {
  it('sends the site’s CSP, nosniff, DENY framing, no-referrer and a Permissions-Policy with every static response', async () => {
    const apiPolicy = (await fetch(`${baseUrl}/api/health/live`)).headers.get('permissions-policy');
    expect(apiPolicy).toContain('camera=()');
    const asset = await bundleScript();
    for (const [path, status] of [
      ['/', 200],
      ['/lessons/relational-model', 200],
      // A slug no course has: the Worker hands over the lesson page (which says so), headers and all.
      ['/lessons/no-such-lesson', 200],
      ['/courses/practical-sql/lessons/relational-model', 200],
      ['/dashboard/', 200],
      ['/no-such-page', 404],
      ['/favicon.svg', 200],
      [asset, 200],
    ] as const) {
      const response = await fetch(`${baseUrl}${path}`);
      const headers = response.headers;
      expect([path, response.status]).toEqual([path, status]);
      expect([path, headers.get('x-content-type-options')]).toEqual([path, 'nosniff']);
      expect([path, headers.get('x-frame-options')]).toEqual([path, 'DENY']);
      expect([path, headers.get('referrer-policy')]).toEqual([path, 'no-referrer']);
      // One list of denied browser features for the whole origin.
      expect([path, headers.get('permissions-policy')]).toEqual([path, apiPolicy]);

      const csp = directives(headers.get('content-security-policy'));
      expect([path, Object.fromEntries(csp)]).toMatchObject([
        path,
        {
          'default-src': ["'self'"],
          'script-src': ["'self'"],
          'style-src': ["'self'"],
          'connect-src': ["'self'"],
          'object-src': ["'none'"],
          'base-uri': ["'self'"],
          'form-action': ["'self'"],
          'frame-ancestors': ["'none'"],
        },
      ]);
      const unsafe = [...csp.values()].flat().filter((source) => source.startsWith("'unsafe-"));
      expect([path, unsafe]).toEqual([path, []]);
    }
  });

  it('builds pages with no inline script or style for the CSP to refuse', async () => {
    const pages = [
      '/',
      '/lessons/relational-model',
      '/dashboard/',
      '/profile/',
      '/search/',
      '/path/',
      '/onboarding/',
      '/nowhere',
    ];
    for (const path of pages) {
      const html = await (await fetch(`${baseUrl}${path}`)).text();
      const inlineScripts = [...html.matchAll(/<script\b([^>]*)>/g)].filter(([, attrs]) => !/\bsrc=/.test(attrs ?? ''));
      expect([path, inlineScripts.map(([tag]) => tag)]).toEqual([path, []]);
      // Inline styles, style attributes and event-handler attributes.
      expect([path, html.match(/<style\b[^>]*>|\sstyle="[^"]*"|\son[a-z]+="[^"]*"/g)]).toEqual([path, null]);
    }
  });
});

describe('the site under its CSP', () => {
  it.each([
    ['the course outline', '/', (page: Page) => page.locator('.lesson-list li').nth(23).waitFor()],
    [
      'a lesson, with its figure and highlighted code',
      '/lessons/relational-model',
      async (page: Page) => {
        const figure = page.locator('.prose img').first();
        await figure.waitFor();
        await expect.poll(() => figure.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
        await page.locator('.prose pre code .hljs-keyword').first().waitFor();
      },
    ],
    ['the dashboard', '/dashboard/', (page: Page) => page.locator('.review-overview').waitFor()],
    ['the profile', '/profile/', (page: Page) => page.getByRole('button', { name: 'Save preferences' }).waitFor()],
    ['search results', '/search/?q=join', (page: Page) => page.locator('.search-hit').first().waitFor()],
    ['the learning path', '/path/', (page: Page) => page.locator('.path-step').first().waitFor()],
    ['the 404 page', '/no-such-page', (page: Page) => page.locator('h1').filter({ hasText: 'Page not found' }).waitFor()],
  ])('runs %s without a CSP violation', async (_, path, ready) => {
    const { page, violations } = await watchedPage();
    await page.goto(`${baseUrl}${path}`);
    // A refused script leaves the page unrendered: report what was refused before that.
    const notShown = await ready(page).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(await violations()).toEqual([]);
    if (notShown) throw notShown;
    if (path !== '/no-such-page') await expect.poll(() => hydrated(page)).toBe(true);
    // The layout's module script runs too: "/" moves focus to a search box (the page's own on /search/).
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('type'))).toBe('search');
    expect(await violations()).toEqual([]);
  });

  it('runs the API reference page, under its own CSP, without a violation', async () => {
    const { page, violations } = await watchedPage();
    await page.goto(`${baseUrl}/api/docs`);
    await page.locator('.swagger-ui .opblock-summary-path').first().waitFor();
    await page.locator('.swagger-ui .opblock-summary').first().click();
    await page.locator('.swagger-ui .opblock-body').first().waitFor();
    expect(await violations()).toEqual([]);
  });
});
