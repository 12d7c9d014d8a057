import type { Page, Request } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { SHOTS, useBrowser } from './browser';
import { contrastRatios } from './contrast';
import { asLearner, onboardedLearner, storedSession, type LearnerSession, SEED_COURSE_PATH } from './learner';

const baseUrl = inject('baseUrl');
const { newPage } = useBrowser();

interface PathStep {
  lessonSlug: string;
  title: string;
  minutes: number;
  reason: string;
}

const FIRST = { slug: 'relational-model', title: 'Thinking in relations' };
const GOAL = { slug: 'inner-joins', title: 'Combining tables with inner joins' };
const DAY_MS = 86_400_000;
/** A date as the API counts days (UTC), `days` from today. */
const dayFromNow = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 10);

const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id);
const recommended = (page: Page) => page.locator('.recommendation-title a').allTextContents();
const recommendedIds = (page: Page) =>
  page.locator('.recommendation').evaluateAll((items) => items.map((li) => li.getAttribute('data-recommendation')));
const reasonsOf = (page: Page, id: string) =>
  page.locator(`[data-recommendation="${id}"] .recommendation-reasons li`).allTextContents();

function complete(learner: LearnerSession, slug: string) {
  return asLearner(baseUrl, learner, `/api/progress/lessons/${slug}/complete`, {
    method: 'POST',
    body: JSON.stringify({ eventId: crypto.randomUUID() }),
  });
}

describe('recommendations', () => {
  it('suggests what to do next with reasons, counts a retried accept once, and re-ranks as lessons are done', async () => {
    const learner = await onboardedLearner(baseUrl);
    const page = await newPage(storedSession(baseUrl, learner));
    const feedback: Request[] = [];
    page.on('request', (r) => {
      if (/\/api\/recommendations\/[^/]+\/feedback$/.test(r.url())) feedback.push(r);
    });

    await page.goto(`${baseUrl}/dashboard/`);
    await page.locator('.recommendation').first().waitFor();
    // Near the top: the first section after the summary.
    expect(await page.locator('main h2').first().textContent()).toBe('Recommended for you');
    // A new learner is offered the first lesson, since nothing else is open yet, and told why.
    expect(await recommended(page)).toEqual([FIRST.title]);
    const first = page.locator(`[data-recommendation="lesson:${FIRST.slug}"]`);
    expect(await first.locator('.badge-kind').textContent()).toBe('Lesson');
    expect(await first.locator('.recommendation-title a').getAttribute('href')).toBe(`/lessons/${FIRST.slug}`);
    expect(await reasonsOf(page, `lesson:${FIRST.slug}`)).toEqual([
      'The first lesson of the course: a good place to start.',
      'Part of your goal: Foundations.',
    ]);

    // Start, whose first try is lost on the way: the retry carries the same eventId, then the lesson opens.
    let dropped = false;
    await page.route('**/api/recommendations/*/feedback', (route) => {
      if (dropped) return route.continue();
      dropped = true;
      return route.abort('connectionreset');
    });
    await page.getByRole('button', { name: `Start: ${FIRST.title}` }).click();
    await page.waitForURL(`${baseUrl}${SEED_COURSE_PATH}/lessons/${FIRST.slug}`);
    const sent = feedback.map((r) => r.postDataJSON() as { eventId: string; action: string });
    expect(sent).toHaveLength(2);
    expect(sent[1]).toEqual(sent[0]);
    expect(sent[0]?.action).toBe('accepted');
    expect(feedback[0]?.url()).toContain(`/api/recommendations/${encodeURIComponent(`lesson:${FIRST.slug}`)}/feedback`);
    await page.unroute('**/api/recommendations/*/feedback');

    // The lesson is completed (through the API): the next lessons it opens take its place.
    await complete(learner, FIRST.slug);
    await page.goto(`${baseUrl}/dashboard/`);
    await page.locator('.recommendation').first().waitFor();
    const ids = await recommendedIds(page);
    expect(ids).not.toContain(`lesson:${FIRST.slug}`);
    expect(ids).toEqual(expect.arrayContaining(['lesson:data-types-and-null', 'lesson:select-and-projection']));
    expect(await recommended(page)).toEqual(expect.arrayContaining(['Data types and NULL', 'SELECT and projection']));
    expect(await reasonsOf(page, 'lesson:data-types-and-null')).toContain(`Builds on ${FIRST.title}, which you have completed.`);
    // The finished lesson's quiz is suggested too, and links to the quiz on the lesson page.
    const quiz = page.locator(`[data-recommendation="quiz:${FIRST.slug}"]`);
    expect(await quiz.locator('.recommendation-title').textContent()).toBe(`Quiz ${FIRST.title}`);
    expect(await quiz.locator('.recommendation-title a').getAttribute('href')).toBe(`/lessons/${FIRST.slug}#quiz-title`);
    for (const { selector, ratio } of await contrastRatios(page, [
      '.badge-kind-lesson',
      '.badge-kind-quiz',
      '.recommendation-reasons',
      '.recommendations-more',
    ]))
      expect(ratio, selector).toBeGreaterThanOrEqual(4.5);
    await page.screenshot({ path: `${SHOTS}/recommendations.png` });

    // Dismissing the second item removes it, says so where focus now is, and the reloaded list leaves it out.
    const second = page.locator('.recommendation').nth(1);
    const id = (await second.getAttribute('data-recommendation')) ?? '';
    const dismissed = ((await second.getByRole('button', { name: /^Dismiss/ }).getAttribute('aria-label')) ?? '').replace(
      /^Dismiss: /,
      '',
    );
    const reloaded = page.waitForResponse((r) => r.url().includes('/api/recommendations?') && r.request().method() === 'GET');
    await page.getByRole('button', { name: `Dismiss: ${dismissed}` }).click();
    await expect
      .poll(() => page.locator('.recommendations-status').textContent())
      .toBe(`Dismissed “${dismissed}”. It stays out of your suggestions for 7 days.`);
    expect(await focusedId(page)).toBe('recommendations-status');
    await reloaded;
    expect(await recommendedIds(page)).not.toContain(id);
    expect(feedback.at(-1)?.postDataJSON()).toMatchObject({ action: 'dismissed' });
    const ranked = await asLearner<{ items: { id: string }[] }>(baseUrl, learner, '/api/recommendations?limit=20');
    expect(ranked.items.map((i) => i.id)).not.toContain(id);

    // Undo brings it back at once, and says so.
    const restored = page.waitForResponse((r) => r.url().includes('/api/recommendations?') && r.request().method() === 'GET');
    await page.getByRole('button', { name: `Undo dismissing ${dismissed}` }).click();
    await expect
      .poll(() => page.locator('.recommendations-status').textContent())
      .toBe(`“${dismissed}” is back in your suggestions.`);
    await restored;
    expect(feedback.at(-1)?.postDataJSON()).toMatchObject({ action: 'restored' });
    await expect.poll(() => recommendedIds(page)).toContain(id);
    expect(await page.getByRole('button', { name: /^Undo/ }).count()).toBe(0);
  });
});

describe('learning path', () => {
  it('sets a goal and lays out the steps, flagging a target date the pace cannot reach', async () => {
    // 30 minutes a day: seven lessons (115 min) need four days.
    const learner = await onboardedLearner(baseUrl, { sessionMinutes: 30 });
    await complete(learner, FIRST.slug);
    const page = await newPage(storedSession(baseUrl, learner));
    await page.goto(`${baseUrl}/path/`);

    // Without a set goal, the part chosen at onboarding stands in.
    await expect
      .poll(() => page.locator('.path-goal').textContent())
      .toContain('the part “Foundations”, which you chose when you started');
    expect(await page.getByRole('link', { name: 'Path', exact: true }).getAttribute('aria-current')).toBe('page');
    expect(await page.locator('.path-step').first().getAttribute('data-step')).toBe('data-types-and-null');

    // Setting a goal needs an item: the form says so and puts focus on the list.
    await page.getByLabel('A lesson').check();
    await page.getByRole('button', { name: 'Set goal' }).click();
    expect(await page.locator('#goal-id-error').textContent()).toBe('Choose a lesson.');
    expect(await focusedId(page)).toBe('goal-id');

    // A lesson several steps ahead, by tomorrow.
    const tomorrow = dayFromNow(1);
    await page.getByLabel('Lesson', { exact: true }).selectOption(GOAL.slug);
    await page.getByLabel('Target date').fill(tomorrow);
    await page.getByRole('button', { name: 'Set goal' }).click();
    await expect.poll(() => page.locator('.form-status').textContent()).toBe('Goal saved. The way there is shown below.');
    await expect.poll(() => page.locator('.path-goal').textContent()).toContain(`the lesson “${GOAL.title}”`);
    await expect.poll(() => page.locator('.path-reach').getAttribute('data-reach')).toBe('unreachable');

    // The steps, in the API's order with its reasons: the completed first lesson is not among them.
    const path = await asLearner<{
      steps: PathStep[];
      totalMinutes: number;
      concepts: { concept: string; title: string; status: string; date: string | null }[];
    }>(baseUrl, learner, '/api/learning-path');
    const steps = page.locator('ol.path-steps > li');
    expect(await steps.locator('.path-step-title').allTextContents()).toEqual(path.steps.map((s) => s.title));
    expect(await steps.locator('.path-step-reason').allTextContents()).toEqual(path.steps.map((s) => s.reason));
    expect(path.steps.map((s) => s.lessonSlug)).not.toContain(FIRST.slug);
    expect(path.steps[0]).toMatchObject({ lessonSlug: 'data-types-and-null', minutes: 16 });
    expect(path.steps.at(-1)).toMatchObject({ lessonSlug: GOAL.slug, reason: 'Your goal' });
    expect(await steps.first().locator('.path-step-meta').textContent()).toBe('16 min · 16 min in all · day 1');
    expect(await steps.last().locator('.path-step-meta').textContent()).toBe('16 min · 1 h 55 min in all · day 4');
    expect(await steps.last().getAttribute('class')).toContain('path-step-goal');
    // The goal lesson's concepts, each with the day it should be mastered at this pace.
    expect(path.concepts.length).toBeGreaterThan(0);
    const dates = page.locator('.path-concepts li');
    expect(await dates.count()).toBe(path.concepts.length);
    for (const [i, concept] of path.concepts.entries()) {
      expect(concept.status).toBe('expected');
      const text = (await dates.nth(i).textContent()) ?? '';
      expect(text.startsWith(concept.title), text).toBe(true);
      expect(text.slice(concept.title.length)).toMatch(/^: by \w{3}, \w{3} \d{1,2}, \d{4}, \d+% now/);
    }
    expect(await page.locator('.path-summary').textContent()).toBe(
      '7 lessons, about 1 h 55 min, ~4 days at your pace of 30 min/day (from your onboarding answers).',
    );
    const flag = (await page.locator('.path-reach').textContent()) ?? '';
    expect(flag).toMatch(/Not reachable by \w{3}, \w{3} \d{1,2}, \d{4} at your pace\./);
    expect(flag).toContain('you have 2 days left, today included. Study about 58 min a day to make it');
    for (const { selector, ratio } of await contrastRatios(page, [
      '.path-step-meta',
      '.path-reach p',
      '.path-step:not(.path-step-goal) .path-step-marker',
      '.path-step-goal .path-step-marker',
    ]))
      expect(ratio, selector).toBeGreaterThanOrEqual(4.5);
    await page.screenshot({ path: `${SHOTS}/learning-path.png`, fullPage: true });

    // A date far enough away is reachable at the same pace.
    await page.getByLabel('Target date').fill(dayFromNow(60));
    await page.getByRole('button', { name: 'Set goal' }).click();
    await expect.poll(() => page.locator('.path-reach').getAttribute('data-reach')).toBe('reachable');
    expect(await page.locator('.path-reach').textContent()).toMatch(/Reachable by .+ at your pace\./);
    expect(await page.locator('.path-reach').textContent()).toContain('you have 61 days left, today included.');
    expect(await asLearner(baseUrl, learner, '/api/learners/me/goal')).toEqual({
      goal: { type: 'lesson', id: GOAL.slug, targetDate: dayFromNow(60), course: 'practical-sql' },
    });

    // The phone layout keeps the timeline inside the screen.
    await page.setViewportSize({ width: 375, height: 740 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });

  it('explains the page to a learner with no goal at all', async () => {
    // A learner who skipped onboarding: no goal set and no part chosen.
    const session = (await (await fetch(`${baseUrl}/api/learners`, { method: 'POST' })).json()) as LearnerSession;
    const page = await newPage(storedSession(baseUrl, session));
    await page.goto(`${baseUrl}/path/`);
    await expect.poll(() => page.locator('#route-title + .notice').textContent()).toContain('No goal yet.');
    expect(await page.locator('#goal-id').inputValue()).toBe('');
  });
});
