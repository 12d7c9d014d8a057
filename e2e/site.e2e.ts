import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { SHOTS, useBrowser } from './browser';
import { contrastRatios } from './contrast';
import { asLearner, onboardedLearner, storedSession, type LearnerSession, SEED_COURSE_PATH } from './learner';

const baseUrl = inject('baseUrl');
const { newPage: openPage } = useBrowser();
// One onboarded reader for every page here; a new visitor would be sent to onboarding first.
let reader: LearnerSession;
beforeAll(async () => {
  reader = await onboardedLearner(baseUrl);
});

function newPage(width?: number, height?: number): Promise<Page> {
  return openPage(storedSession(baseUrl, reader), width, height);
}

describe('reading the course in a browser', () => {
  it('opens the outline, follows it to a lesson and shows the lesson text', async () => {
    const page = await newPage();
    await page.goto(`${baseUrl}/`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Practical SQL');
    expect(await page.locator('section.part h2').allTextContents()).toEqual([
      'Part 1 Foundations',
      'Part 2 Applied querying',
      'Part 3 Advanced SQL',
    ]);
    expect(await page.locator('.lesson-list li').count()).toBe(24);
    await page.screenshot({ path: `${SHOTS}/home.png`, fullPage: true });

    await page.getByRole('link', { name: 'Filtering rows with WHERE' }).first().click();
    await page.waitForURL(`${baseUrl}${SEED_COURSE_PATH}/lessons/filtering-with-where`);
    await expect.poll(() => page.locator('h1#lesson-title').textContent()).toBe('Filtering rows with WHERE');
    expect(await page.title()).toBe('Filtering rows with WHERE | LearnEdge');
    expect(await page.locator('.prose').textContent()).toContain('WHERE');
    // Code is highlighted, headings carry anchors, neighbours are linked.
    expect(await page.locator('.prose pre code .hljs-keyword').count()).toBeGreaterThan(3);
    const anchors = await page.locator('.prose h2 a.heading-anchor').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(anchors).toContain('#worked-example');
    expect(await page.locator('a[rel="prev"]').textContent()).toContain('SELECT and projection');
    expect(await page.locator('a[rel="next"]').getAttribute('href')).toBe(`${SEED_COURSE_PATH}/lessons/sorting-and-limiting`);
    await page.screenshot({ path: `${SHOTS}/lesson.png`, fullPage: true });
  });

  it('shows a lesson figure uploaded with the course', async () => {
    const page = await newPage();
    await page.goto(`${baseUrl}/lessons/relational-model`);
    const img = page.locator('.prose img').first();
    await img.waitFor();
    expect(await img.getAttribute('src')).toMatch(/^\/api\/content\/assets\/[0-9a-f]{64}$/);
    await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
  });

  it('opens a deep link at its heading', async () => {
    const page = await newPage();
    await page.goto(`${baseUrl}/lessons/inner-joins#worked-example`);
    await page.locator('#worked-example').waitFor();
    await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(0);
  });

  it('fits a phone-width screen without sideways scrolling', async () => {
    const page = await newPage(375, 740);
    await page.goto(`${baseUrl}/lessons/window-functions`);
    await page.locator('.prose').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    // A compact header (it took 132 of 740 px in three rows), with every link a target of 24 px or more.
    expect(await page.locator('.site-header').evaluate((h) => h.getBoundingClientRect().height)).toBeLessThanOrEqual(100);
    const targets = await page
      .locator('.site-header nav a, .site-header .brand, .site-search button, .site-search input')
      .evaluateAll((els) =>
        els.map((el) => {
          const box = el.getBoundingClientRect();
          return { text: el.textContent?.trim() ?? el.tagName, height: box.height, width: box.width, right: box.right };
        }),
      );
    // Brand, six links (Today, Course, Dashboard, Path, Ask, Profile), the search box and its button.
    expect(targets).toHaveLength(9);
    for (const t of targets) {
      expect(t.height, t.text).toBeGreaterThanOrEqual(24);
      expect(t.width, t.text).toBeGreaterThanOrEqual(24);
      expect(t.right, t.text).toBeLessThanOrEqual(375);
    }
    await page.screenshot({ path: `${SHOTS}/lesson-phone.png` });
  });

  it('is keyboard-operable: the first Tab reaches the skip link, which moves focus to the content', async () => {
    const page = await newPage();
    await page.goto(`${baseUrl}/`);
    await page.locator('.lesson-list').first().waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    expect(await page.locator('header, main, footer, nav').count()).toBeGreaterThanOrEqual(4);
  });

  it('serves the API reference page', async () => {
    const page = await newPage();
    await page.goto(`${baseUrl}/api/docs`);
    await page.locator('.swagger-ui .info .title').waitFor();
    expect(await page.locator('.swagger-ui .info .title').textContent()).toContain('LearnEdge API');
    expect(await page.locator('.opblock-summary-path').count()).toBeGreaterThanOrEqual(10);
  });
});

describe('what the reader sees', () => {
  it('keeps text contrast at WCAG AA (4.5:1) or better', async () => {
    const page = await newPage();
    await page.goto(`${baseUrl}/lessons/relational-model`);
    await page.locator('.prose p').first().waitFor();
    const ratios = await contrastRatios(page, [
      '.prose p',
      '.lede',
      '.lesson-meta',
      '.breadcrumb li',
      '.prose a',
      '.badge',
      '.site-footer p',
      '.brand',
      '.prose code',
      '.tabs .tab[aria-selected="true"]',
      '.tabs .tab[aria-selected="false"]',
    ]);
    for (const { selector, ratio } of ratios) expect(ratio, selector).toBeGreaterThanOrEqual(4.5);
  });

  it('keeps highlighted code at 4.5:1, one keyboard stop per section, and exercise answers behind a reveal', async () => {
    const page = await newPage();
    await page.goto(`${baseUrl}/lessons/filtering-with-where`);
    await page.locator('.prose pre code .hljs-keyword').first().waitFor();
    const classes = await page
      .locator('.prose pre code [class^="hljs-"]')
      .evaluateAll((spans: Element[]) => [...new Set(spans.map((s) => s.classList.item(0) ?? ''))]);
    expect(classes).toContain('hljs-keyword');
    for (const { selector, ratio } of await contrastRatios(
      page,
      classes.map((c) => `.prose pre code .${c}`),
    ))
      expect(ratio, selector).toBeGreaterThanOrEqual(4.5);

    // A section's "#" is out of the tab order; "On this page" links to the same place.
    const sections = await page
      .locator('.prose h2')
      .evaluateAll((hs) =>
        hs.map((h) => ({ id: h.id, tabIndex: h.querySelector<HTMLAnchorElement>('a.heading-anchor')?.tabIndex })),
      );
    expect(sections.length).toBeGreaterThan(3);
    for (const { id, tabIndex } of sections) {
      expect(tabIndex, id).toBe(-1);
      expect(await page.locator(`.toc a[href="#${id}"]`).count(), id).toBe(1);
    }
    let stops = 0;
    await page.locator('.toc a').first().focus();
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(() => document.activeElement?.matches('h2 > a.heading-anchor') ?? false)) stops++;
    }
    expect(stops).toBe(0);

    // The Try it answer is hidden until asked for.
    const reveal = page.locator('.prose details.answer-reveal');
    expect(await reveal.count()).toBe(1);
    const answer = reveal.getByText('This returns Amara Okafor', { exact: false });
    expect(await answer.isVisible()).toBe(false);
    await reveal.locator('summary').click();
    expect(await answer.isVisible()).toBe(true);
  });

  it('shows a re-pushed lesson at once, without rebuilding the site', async () => {
    const key = inject('authorKey');
    const copy = mkdtempSync(join(tmpdir(), 'course-'));
    cpSync('seeds/course', copy, { recursive: true });
    const file = join(copy, '02-applied/04-combining-tables/01-inner-joins.md');
    const marker = `Fresh from the author ${Date.now()}.`;
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n${marker}\n`);
    const push = (dir: string, ...flags: string[]) =>
      spawnSync('npx', ['tsx', 'cli/content.ts', 'push', dir, ...flags, '--target', baseUrl, '--key', key], { encoding: 'utf8' });
    try {
      const pushed = push(copy);
      expect(pushed.stdout).toContain('added 0, changed 1, unchanged 23, removed 0');
      const page = await newPage();
      await page.goto(`${baseUrl}/lessons/inner-joins`);
      await expect.poll(() => page.locator('.prose').textContent(), { timeout: 10_000 }).toContain(marker);
    } finally {
      // The seed folder has not seen the copy's push: putting it back takes --force.
      expect(push('seeds/course', '--force').status).toBe(0);
    }
  });
});

describe('a lesson the course no longer has', () => {
  it('shows a not-found page with a way back and a search for where it went, not an error to retry', async () => {
    const page = await newPage();
    await page.goto(`${baseUrl}/lessons/inner-joins-old`);
    await page.getByRole('heading', { name: 'This lesson is not in the course' }).waitFor();
    expect(await page.getByRole('button', { name: 'Try again' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Go to the course outline' }).getAttribute('href')).toBe('/');
    const search = page.getByRole('link', { name: 'Search the course for “inner joins old”' });
    expect(await search.getAttribute('href')).toBe('/search/?q=inner%20joins%20old');
    expect(await page.title()).toBe('Lesson not found | LearnEdge');
  });
});

describe('the outline shows what the learner has done', () => {
  it('marks completed and in-progress lessons', async () => {
    const learner = await onboardedLearner(baseUrl);
    const write = (slug: string, action: string) =>
      fetch(`${baseUrl}/api/progress/lessons/${slug}/${action}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${learner.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ eventId: crypto.randomUUID() }),
      });
    await write('relational-model', 'start');
    await write('relational-model', 'complete');
    await write('data-types-and-null', 'start');
    const page = await openPage(storedSession(baseUrl, learner));
    await page.goto(`${baseUrl}/`);
    await page.locator('[data-state="completed"]').first().waitFor();
    expect(await page.locator('[data-state="completed"] a').allTextContents()).toHaveLength(1);
    expect(await page.locator('[data-state="completed"] .lesson-state').textContent()).toContain('Completed');
    expect(await page.locator('[data-state="started"] .lesson-state').textContent()).toBe('In progress');
    expect(await page.locator('[data-state="new"]').count()).toBe(22);
    // The header picks up where the learner left off, not at the first lesson they completed.
    expect(await page.locator('.course-header .button').textContent()).toBe('Continue “Data types and NULL”');
    expect(await page.locator('.course-header .button').getAttribute('href')).toBe('/lessons/data-types-and-null');
    await page.screenshot({ path: `${SHOTS}/outline-progress.png`, fullPage: true });

    // The outline links to the catalog, whose card shows the course with the learner's progress in it.
    await page.getByRole('link', { name: 'All courses' }).click();
    await page.waitForURL(`${baseUrl}/courses/`);
    const card = page.locator('.course-card');
    await card.first().waitFor();
    expect(await card.count()).toBe(1);
    expect(await card.locator('h2').textContent()).toBe('Practical SQL');
    expect(await card.locator('.muted').textContent()).toMatch(/^\d+ parts · 24 lessons · /);
    expect(await card.locator('.progress-label').textContent()).toBe('1 of 24 lessons completed');
    expect(await card.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('1');
    expect(await card.locator('.badge').count()).toBeGreaterThan(0);
    await page.screenshot({ path: `${SHOTS}/catalog.png`, fullPage: true });
    const phone = await openPage(storedSession(baseUrl, learner), 375, 740);
    await phone.goto(`${baseUrl}/courses/`);
    await phone.locator('.course-card .progress-label').waitFor();
    expect(await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await phone.screenshot({ path: `${SHOTS}/catalog-phone.png`, fullPage: true });
  });

  it('shows two courses side by side: the catalog, each course under its own address, and the dashboard across them', async () => {
    const pushed = spawnSync(
      'npx',
      ['tsx', 'cli/content.ts', 'push', 'cli/fixtures/native', '--wait', '--target', baseUrl, '--key', inject('authorKey')],
      { encoding: 'utf8' },
    );
    expect(pushed.status, pushed.stderr).toBe(0);
    try {
      const learner = await onboardedLearner(baseUrl);
      for (const [slug, action] of [
        ['relational-model', 'complete'],
        ['hello', 'start'],
        ['hello', 'complete'],
      ] as const) {
        const response = await fetch(`${baseUrl}/api/progress/lessons/${slug}/${action}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${learner.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ eventId: crypto.randomUUID() }),
        });
        expect(response.status).toBe(200);
      }
      for (const [width, height, suffix] of [
        [1280, 900, ''],
        [375, 740, '-phone'],
      ] as const) {
        const page = await openPage(storedSession(baseUrl, learner), width, height);
        await page.goto(`${baseUrl}/courses/`);
        await page.locator('.course-card .progress-label').first().waitFor();
        expect(await page.locator('.course-card h2').allTextContents()).toEqual(['Practical SQL', 'Tiny course']);
        expect(await page.locator('.course-card .progress-label').allTextContents()).toEqual([
          '1 of 24 lessons completed',
          '1 of 2 lessons completed',
        ]);
        expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
        await page.screenshot({ path: `${SHOTS}/catalog-two-courses${suffix}.png`, fullPage: true });

        // The second course's outline is at its own address; its lessons link under it.
        await page.getByRole('link', { name: 'Tiny course' }).click();
        await page.waitForURL(`${baseUrl}/courses/tiny-course/`);
        await page.getByRole('heading', { name: 'Tiny course', level: 1 }).waitFor();
        expect(await page.locator('.lesson-list li a').first().getAttribute('href')).toBe('/courses/tiny-course/lessons/hello');
        await page.locator('[data-state="completed"]').first().waitFor();
        expect(await page.locator('.course-header .button').textContent()).toBe('Next: “World”');
        // What to do next is ranked over this course's lessons, and links under its address.
        const next = page.locator('.course-next .recommendation h3 a');
        await next.first().waitFor();
        const nextHrefs = await next.evaluateAll((as) => as.map((a) => a.getAttribute('href')));
        expect(nextHrefs).toContain('/courses/tiny-course/lessons/world');
        for (const href of nextHrefs) expect(href).toMatch(/^\/courses\/tiny-course\/lessons\/(hello|world)(#|$)/);
        expect(await page.locator('.course-next .recommendation h3 a[href^="/lessons/"]').count()).toBe(0);
        expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
        await page.screenshot({ path: `${SHOTS}/course-outline-tiny${suffix}.png`, fullPage: true });
        await page.locator('.lesson-list li a').first().click();
        await page.waitForURL(`${baseUrl}/courses/tiny-course/lessons/hello`);
        await page.getByRole('heading', { name: 'Hello', level: 1 }).waitFor();

        // The dashboard lists both courses, each one click away.
        await page.goto(`${baseUrl}/dashboard/`);
        const mine = page.locator('#courses');
        await mine.locator('li').first().waitFor();
        expect(await mine.locator('li').allTextContents()).toEqual([
          'Practical SQL 1 of 24 lessons completed · shown on this page',
          'Tiny course 1 of 2 lessons completed · your progress in it',
        ]);
        expect(await page.locator('.dashboard-course').textContent()).toBe(
          'Your progress in Practical SQL. Your other courses are one click away.',
        );
        expect(await mine.getByRole('link', { name: 'Tiny course', exact: true }).getAttribute('href')).toBe(
          '/courses/tiny-course/',
        );
        // The learner worked in the tiny course last: the dashboard's suggestions are that course's, and say so.
        await page.locator('.recommendations-course').waitFor();
        expect(await page.locator('.recommendations-course').textContent()).toBe(
          'Ranked within Tiny course, the course you are working in.',
        );
        expect(await page.locator('.recommendations-course a').getAttribute('href')).toBe('/courses/tiny-course/');
        await page.screenshot({ path: `${SHOTS}/dashboard-two-courses${suffix}.png`, fullPage: true });
        // One click to the other course's detail: its completion, where to continue (under its address) and its concepts.
        await mine.getByRole('link', { name: 'Your progress in Tiny course' }).click();
        await page.waitForURL(`${baseUrl}/dashboard/?course=tiny-course`);
        await page.locator('.dashboard-course').waitFor();
        expect(await page.locator('.dashboard-course').textContent()).toBe(
          'Your progress in Tiny course. Your other courses are one click away.',
        );
        expect(await page.locator('.stats dd').first().textContent()).toBe('1 of 2');
        expect(await page.locator('.summary .button').getAttribute('href')).toBe('/courses/tiny-course/lessons/world');
        expect(await mine.locator('li').allTextContents()).toEqual([
          'Practical SQL 1 of 24 lessons completed · your progress in it',
          'Tiny course 1 of 2 lessons completed · shown on this page',
        ]);
        expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
        await page.screenshot({ path: `${SHOTS}/dashboard-tiny-course${suffix}.png`, fullPage: true });
      }
      // The profile keeps preferences per course: a style chosen for the tiny course is that course's only.
      const profile = await openPage(storedSession(baseUrl, learner));
      await profile.goto(`${baseUrl}/profile/`);
      const courseOfProfile = profile.locator('.profile-course select[name="course"]');
      await courseOfProfile.waitFor();
      const own = await profile.locator('input[name="style"]:checked').getAttribute('value');
      await courseOfProfile.selectOption('tiny-course');
      await profile.getByRole('button', { name: 'Use my own preferences in this course' }).waitFor();
      const other = own === 'visual' ? 'Analytical: reasons, rules and proofs' : 'Visual: diagrams, maps and outlines';
      await profile.getByLabel(other).check();
      const saved = profile.waitForResponse(
        (r) => r.url().endsWith('/api/learners/me/preferences?course=tiny-course') && r.request().method() === 'PUT',
      );
      await profile.getByRole('button', { name: 'Save preferences' }).click();
      expect((await saved).status()).toBe(200);
      await courseOfProfile.selectOption('');
      await expect.poll(() => profile.locator('input[name="style"]:checked').getAttribute('value')).toBe(own);
      await courseOfProfile.selectOption('tiny-course');
      await expect.poll(() => profile.getByLabel(other).isChecked()).toBe(true);
      await profile.screenshot({ path: `${SHOTS}/profile-course-preferences.png`, fullPage: true });
      // A goal in the tiny course, from its outline: the path page is that course's, and so is the goal saved.
      const planner = await openPage(storedSession(baseUrl, learner));
      await planner.goto(`${baseUrl}/courses/tiny-course/`);
      await planner.getByRole('link', { name: 'Set a goal in this course' }).click();
      await planner.waitForURL(`${baseUrl}/path/?course=tiny-course`);
      await expect.poll(() => planner.locator('.path-course').textContent()).toBe('In Tiny course');
      await planner.getByLabel('A lesson').check();
      expect(await planner.getByLabel('Lesson', { exact: true }).locator('option').allTextContents()).toContain('World');
      await planner.getByLabel('Lesson', { exact: true }).selectOption('world');
      const goalSaved = planner.waitForRequest((r) => r.url().endsWith('/api/learners/me/goal') && r.method() === 'PUT');
      await planner.getByRole('button', { name: 'Set goal' }).click();
      expect((await goalSaved).postDataJSON()).toEqual({ type: 'lesson', id: 'world', course: 'tiny-course' });
      await expect.poll(() => planner.locator('.path-goal').textContent()).toContain('the lesson “World”');
      expect(await asLearner(baseUrl, learner, '/api/learners/me/goal')).toEqual({
        goal: { type: 'lesson', id: 'world', targetDate: null, course: 'tiny-course' },
      });
      // The tiny course's author linked its "joins" to Practical SQL's inner join: its concept page says so and links there.
      await planner.goto(`${baseUrl}/concepts/?id=joins&course=tiny-course`);
      const linked = planner.locator('section[aria-labelledby="concept-linked"]');
      await linked.waitFor();
      expect(await linked.locator('li').allTextContents()).toEqual([expect.stringMatching(/ in Practical SQL$/)]);
      expect(await linked.locator('a').getAttribute('href')).toBe('/concepts/?id=inner-join&course=practical-sql');
      await planner.screenshot({ path: `${SHOTS}/concept-linked.png`, fullPage: true });
      // Search can keep to one course: the choice shows beside the part, and every hit is that course's.
      const search = await openPage(storedSession(baseUrl, learner));
      await search.goto(`${baseUrl}/search/?q=hello+world&course=tiny-course`);
      await search.locator('.search-hits li').first().waitFor();
      expect(await search.locator('select[name="course"]').inputValue()).toBe('tiny-course');
      const hrefs = await search
        .locator('.search-hits h3 a, .search-hits h2 a')
        .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      expect(hrefs.length).toBeGreaterThan(0);
      for (const href of hrefs) expect(href).toMatch(/^\/courses\/tiny-course\/lessons\/(hello|world)(#|$)/);
      await search.locator('select[name="course"]').selectOption('');
      await search.waitForURL(`${baseUrl}/search/?q=hello+world`);
      // The admin dashboard offers the same choice, and asks for that course's figures.
      const dashboard = await openPage();
      await dashboard.goto(`${baseUrl}/admin/#content`);
      await dashboard.getByLabel('Admin key').fill(inject('authorKey'));
      await dashboard.getByRole('button', { name: 'Open the dashboard' }).click();
      const courseChoice = dashboard.locator('.admin-course select[name="course"]');
      await courseChoice.waitFor();
      const filtered = dashboard.waitForResponse((r) => r.url().endsWith('/api/admin/analytics/lessons?course=tiny-course'));
      await courseChoice.selectOption('tiny-course');
      expect((await filtered).status()).toBe(200);
      // The old lesson address of the default course still serves its lesson.
      const page = await openPage();
      await page.goto(`${baseUrl}/lessons/relational-model`);
      await page.getByRole('heading', { level: 1 }).first().waitFor();
    } finally {
      await fetch(`${baseUrl}/api/admin/content/courses/tiny-course?confirm=tiny-course`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${inject('authorKey')}` },
      });
    }
  }, 120_000);

  it('shows a visitor the catalog without progress, with a way to start', async () => {
    const page = await openPage();
    await page.goto(`${baseUrl}/courses/`);
    await page.locator('.course-card').waitFor();
    expect(await page.locator('.course-card .progress').count()).toBe(0);
    expect(await page.locator('.course-card .button').textContent()).toBe('Start the course');
  });
});
