import { readFileSync } from 'node:fs';
import type { Page, Request } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { SHOTS, useBrowser } from './browser';
import { contrastRatios } from './contrast';
import { asLearner, onboardedLearner, storedSession } from './learner';

const baseUrl = inject('baseUrl');
const { newPage } = useBrowser();

interface KeyedItem {
  question: string;
  choices: string[];
  answer: number;
}

/** A sample lesson's quiz with its answers, from the course files (the page learns them only after grading). */
function answerKey(file: string): KeyedItem[] {
  const frontmatter = readFileSync(file, 'utf8').split(/^---$/m)[1] ?? '';
  return (parse(frontmatter) as { quiz: KeyedItem[] }).quiz;
}

/** Page text drops the backticks around code; so does this, to match a question to its key. */
const plain = (text: string) => text.replaceAll('`', '').trim();

const WHERE = {
  slug: 'filtering-with-where',
  title: 'Filtering rows with WHERE',
  key: answerKey('seeds/course/01-foundations/02-querying-one-table/02-filtering-with-where.md'),
};
const JOINS = {
  slug: 'inner-joins',
  key: answerKey('seeds/course/02-applied/04-combining-tables/01-inner-joins.md'),
};

/** The item on screen in `scope`, found in the lesson's key by its question. */
async function shownItem(page: Page, scope: string, key: KeyedItem[]): Promise<KeyedItem> {
  const question = plain((await page.locator(`${scope} legend h3`).textContent()) ?? '');
  const item = key.find((k) => plain(k.question) === question);
  if (!item) throw new Error(`"${question}" is not in the answer key`);
  return item;
}

const choose = (page: Page, scope: string, index: number) => page.locator(`${scope} .choice input`).nth(index).check();
const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id);
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('learning progress', () => {
  it('records a lesson and its quiz, and shows them on the dashboard', async () => {
    const learner = await onboardedLearner(baseUrl);
    const page = await newPage(storedSession(baseUrl, learner));
    const attempts: Request[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/api/quizzes/attempts')) attempts.push(r);
    });

    const started = page.waitForRequest((r) => r.url().endsWith(`/api/progress/lessons/${WHERE.slug}/start`));
    // The start is held until the lesson is shown: its status arriving later moves nothing (a click aimed at a tab lands on it).
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(`**/api/progress/lessons/${WHERE.slug}/start`, async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(`${baseUrl}/lessons/${WHERE.slug}`);
    expect((await started).postDataJSON()).toMatchObject({ eventId: expect.stringMatching(uuid) as unknown });
    const tabsTop = () => page.locator('.tabs').evaluate((tabs) => tabs.getBoundingClientRect().top);
    const before = await tabsTop();
    expect(await page.locator('.lesson-status').textContent()).toBe('');
    release();
    await expect.poll(() => page.locator('.lesson-status').textContent()).toContain('In progress');
    expect(await tabsTop()).toBe(before);
    await page.unroute(`**/api/progress/lessons/${WHERE.slug}/start`);

    // A wrong answer: feedback names the right choice, explains it, and shows the concept's mastery.
    await page.locator('#quiz-title').waitFor();
    await page.locator('.quiz form legend h3').waitFor();
    const first = await shownItem(page, '.quiz form', WHERE.key);
    await choose(page, '.quiz form', (first.answer + 1) % first.choices.length);
    await page.getByRole('button', { name: 'Check answer' }).click();
    await expect.poll(() => page.locator('#quiz-feedback-title').textContent()).toBe('Not quite');
    expect(await focusedId(page)).toBe('quiz-feedback-title');
    expect(await page.locator('.feedback').textContent()).toContain(
      `The right answer is: ${plain(first.choices[first.answer] ?? '')}`,
    );
    expect(await page.locator('.choice-right .choice-mark').textContent()).toBe('Right answer');
    expect(await page.locator('.choice-wrong .choice-mark').textContent()).toBe('Your answer');
    const wrongConcept = (await page.locator('.feedback-mastery .mastery-title').textContent()) ?? '';
    expect(wrongConcept).not.toBe('');
    expect(await page.locator('.feedback-mastery .mastery-detail').textContent()).toBe('0 of 1 answer correct');

    // A right answer, whose first try is lost on the way: the retry carries the same eventId.
    await page.getByRole('button', { name: 'Next question' }).click();
    await page.locator('.quiz form legend h3').waitFor();
    const second = await shownItem(page, '.quiz form', WHERE.key);
    expect(second.question).not.toBe(first.question);
    let dropped = false;
    await page.route('**/api/quizzes/attempts', (route) => {
      if (dropped) return route.continue();
      dropped = true;
      return route.abort('connectionreset');
    });
    await choose(page, '.quiz form', second.answer);
    await page.getByRole('button', { name: 'Check answer' }).click();
    await expect.poll(() => page.locator('#quiz-feedback-title').textContent()).toBe('Correct');
    const ids = attempts.slice(1).map((r) => (r.postDataJSON() as { eventId: string }).eventId);
    expect(ids).toHaveLength(2);
    expect(ids[1]).toBe(ids[0]);
    const rightConcept = (await page.locator('.feedback-mastery .mastery-title').textContent()) ?? '';
    for (const { selector, ratio } of await contrastRatios(page, ['.feedback h3', '.feedback p', '.choice-mark', '.badge-level']))
      expect(ratio, selector).toBeGreaterThanOrEqual(4.5);
    await page.locator('.quiz').evaluate((quiz) => quiz.scrollIntoView());
    await page.screenshot({ path: `${SHOTS}/lesson-quiz.png` });

    // Leaving the tab reports the active time counted so far.
    const heartbeat = page.waitForRequest((r) => r.url().endsWith(`/api/progress/lessons/${WHERE.slug}/time`));
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    const beat = (await heartbeat).postDataJSON() as { eventId: string; seconds: number };
    expect(beat.eventId).toMatch(uuid);
    expect(beat.seconds).toBeGreaterThanOrEqual(1);
    expect(beat.seconds).toBeLessThanOrEqual(60);
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    });

    await page.getByRole('button', { name: 'Mark lesson complete' }).click();
    await expect.poll(() => page.locator('.lesson-completion .notice-success').textContent()).toContain('Lesson completed on');
    expect(await page.locator('.lesson-status').textContent()).toContain('Completed');
    expect(await page.getByRole('button', { name: 'Mark lesson complete' }).count()).toBe(0);

    // A minute more of reading (the chart starts once there is a minute to show).
    await asLearner(baseUrl, learner, `/api/progress/lessons/${WHERE.slug}/time`, {
      method: 'PUT',
      body: JSON.stringify({ eventId: crypto.randomUUID(), seconds: 60 }),
    });
    await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
    await page.waitForURL(`${baseUrl}/dashboard/`);
    expect(await page.getByRole('link', { name: 'Dashboard', exact: true }).getAttribute('aria-current')).toBe('page');
    const count = (id: string) => page.locator(`[data-completion="${id}"] .completion-count`).textContent();
    await expect.poll(() => count('part-foundations')).toBe('1 of 9 lessons · 11%');
    expect(await count('chapter-querying-one-table')).toBe('1 of 3 lessons · 33%');
    expect(await count('part-applied')).toBe('0 of 9 lessons · 0%');
    expect(await page.locator('.stats').textContent()).toContain('Lessons completed1 of 24');
    // The lesson just completed is not offered again: Continue points at the next one in the course.
    const book = (await (await fetch(`${baseUrl}/api/content/book`)).json()) as {
      parts: { chapters: { lessons: { slug: string; title: string }[] }[] }[];
    };
    const order = book.parts.flatMap((p) => p.chapters.flatMap((c) => c.lessons));
    const after = order[order.findIndex((l) => l.slug === WHERE.slug) + 1];
    expect(await page.locator('.continue a').textContent()).toBe(`Next: “${after?.title ?? ''}”`);
    expect(await page.locator('.continue a').getAttribute('href')).toBe(`/lessons/${after?.slug ?? ''}`);

    // Mastery of both concepts, and predictions for them.
    await page.locator('.mastery-list').waitFor();
    const masteryTitles = await page.locator('.mastery-list .mastery-title').allTextContents();
    expect(masteryTitles).toEqual(expect.arrayContaining([wrongConcept, rightConcept]));
    // One measure on screen (mastery); the forecast is a detail on demand, not a second percentage beside it.
    expect(await page.locator('#mastery').textContent()).not.toContain('Probability');
    expect(await page.locator('#predictions').count()).toBe(0);
    const more = page.locator('.mastery-list li').filter({ hasText: rightConcept }).locator('details.mastery-more');
    expect(await more.locator('p').isVisible()).toBe(false);
    await more.locator('summary').click();
    expect(await more.locator('p').textContent()).toMatch(
      /^Chance of answering a question on it correctly: \d+% today, \d+% in 7 days without review/,
    );

    // The week's active time, as a chart and as a table.
    expect(await page.locator('.week-chart svg[role="img"] title').first().textContent()).toBe('Active time per week');
    await page.getByText('Show as a table').click();
    const weekRows = page.locator('.chart-table tbody tr');
    expect(await weekRows.count()).toBe(8);
    expect(await weekRows.last().locator('td').textContent()).not.toBe('0 min');

    // The wrong answer comes back for review: "again" schedules it a minute later, so it is due now or very soon.
    await page.locator('.review-overview').waitFor();
    const dueNow = await page.locator('.due-list li').count();
    if (dueNow > 0) {
      expect(await page.locator('.due-list').textContent()).toContain(plain(first.question));
    } else {
      const notice = (await page.locator('.review-overview .notice').textContent()) ?? '';
      expect(notice).toMatch(/^No reviews due — the next one is due (now|in \d+ minutes?) \(/);
      expect(await page.locator('.review-overview').textContent()).toContain('2 cards scheduled for later.');
    }
    for (const { selector, ratio } of await contrastRatios(page, [
      '.stats dt',
      '.completion-count',
      '.mastery-detail',
      '.badge-level',
      '.week-chart figcaption',
      '.chart-table summary',
    ]))
      expect(ratio, selector).toBeGreaterThanOrEqual(4.5);
    await page.screenshot({ path: `${SHOTS}/dashboard.png`, fullPage: true });
  });

  it('ends a round after every question is answered once, and never repeats at once the question just explained', async () => {
    const learner = await onboardedLearner(baseUrl);
    const page = await newPage(storedSession(baseUrl, learner));
    await page.goto(`${baseUrl}/lessons/${WHERE.slug}`);
    const asked: string[] = [];
    for (let i = 0; i < WHERE.key.length; i++) {
      await page.locator('.quiz form legend h3').waitFor();
      const item = await shownItem(page, '.quiz form', WHERE.key);
      asked.push(item.question);
      await choose(page, '.quiz form', (item.answer + 1) % item.choices.length);
      await page.getByRole('button', { name: 'Check answer' }).click();
      await expect.poll(() => page.locator('#quiz-feedback-title').textContent()).toBe('Not quite');
      await page.getByRole('button', { name: 'Next question' }).click();
    }
    expect(new Set(asked).size).toBe(WHERE.key.length);
    // Every question answered, all missed: a summary and a choice, not the same question again.
    await expect
      .poll(() => page.locator('.quiz-round p').textContent())
      .toContain(`You have answered every question once: 0 of ${WHERE.key.length} right.`);
    expect(await page.locator('.quiz form').count()).toBe(0);
    await page.getByRole('button', { name: 'Try the missed questions again now' }).click();
    await page.locator('.quiz form legend h3').waitFor();
    const retried = await shownItem(page, '.quiz form', WHERE.key);
    expect(retried.question).not.toBe(asked.at(-1));
  });

  it('reviews a due card: answer, feedback with the next due date, then a clear empty state', async () => {
    const learner = await onboardedLearner(baseUrl);
    // A wrong answer an hour ago, sent as an event: its card ("again", due a minute later) is due now.
    const [item] = JOINS.key;
    if (!item) throw new Error('the inner joins lesson has no quiz');
    const wrong = (item.answer + 1) % item.choices.length;
    await asLearner(baseUrl, learner, '/api/events', {
      method: 'POST',
      body: JSON.stringify({
        events: [
          {
            type: 'quiz.attempted',
            eventId: crypto.randomUUID(),
            occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
            itemId: `${JOINS.slug}-q1`,
            answer: wrong,
          },
        ],
      }),
    });
    await expect
      .poll(async () => (await asLearner<{ due: unknown[] }>(baseUrl, learner, '/api/reviews/due')).due.length, {
        timeout: 20_000,
      })
      .toBe(1);

    const page = await newPage(storedSession(baseUrl, learner), 375, 740);
    await page.goto(`${baseUrl}/dashboard/`);
    await page.locator('.due-list li').waitFor();
    expect(await page.locator('.review-overview').textContent()).toContain('1 review due now.');
    await page.getByRole('button', { name: 'Start reviewing' }).click();
    await page.locator('.review-card legend h3').waitFor();
    expect(await focusedId(page)).toBe(`review-${JOINS.slug}-q1-prompt`);
    expect(await page.locator('.review-card .progress-label').textContent()).toContain('Card 1 of 1');

    // Checking without a choice asks for one.
    await page.getByRole('button', { name: 'Check answer' }).click();
    expect(await page.locator('.review-card .field-error').textContent()).toBe('Choose an answer first.');
    await choose(page, '.review-card', item.answer);
    await page.getByLabel('Easy').check();
    await page.getByRole('button', { name: 'Check answer' }).click();
    await expect.poll(() => page.locator('#review-feedback-title').textContent()).toBe('Correct');
    expect(await focusedId(page)).toBe('review-feedback-title');
    expect(await page.locator('.review-next').textContent()).toMatch(
      /^Rated “Easy”\. Next review (tomorrow|in \d+ (minutes?|hours?|days?)) \(/,
    );
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${SHOTS}/review.png`, fullPage: true });

    await page.getByRole('button', { name: 'Finish this round' }).click();
    await expect
      .poll(() => page.locator('.review-overview .notice').textContent())
      .toMatch(/^No reviews due — the next one is due (tomorrow|in \d+ (minutes?|hours?|days?)) \(/);
    expect(await page.locator('.review-overview').textContent()).toContain('1 card scheduled for later.');
    // The round refreshed the mastery beside it: one right and one wrong answer now.
    await expect.poll(() => page.locator('.mastery-list .mastery-detail').first().textContent()).toBe('1 of 2 answers correct');
  });

  it('tells a new learner what to do first, with no empty charts or zero counts', async () => {
    const learner = await onboardedLearner(baseUrl);
    const page = await newPage(storedSession(baseUrl, learner));
    await page.goto(`${baseUrl}/dashboard/`);
    await page.locator('.review-overview').waitFor();
    expect(await page.locator('.review-overview .notice').textContent()).toContain('No reviews yet.');
    // Where to start: the course's first lesson, as a button.
    const book = (await (await fetch(`${baseUrl}/api/content/book`)).json()) as {
      parts: { chapters: { lessons: { slug: string; title: string }[] }[] }[];
    };
    const first = book.parts[0]?.chapters[0]?.lessons[0];
    await expect.poll(() => page.locator('.summary .button').textContent()).toBe(`Start “${first?.title ?? ''}”`);
    expect(await page.locator('.summary .button').getAttribute('href')).toBe(`/lessons/${first?.slug ?? ''}`);
    expect(await page.locator('.stats').count()).toBe(0);
    await expect.poll(() => page.locator('#mastery-title + .notice').textContent()).toContain('No concepts practised yet.');
    expect(await page.locator('#completion-title + .notice').textContent()).toContain('No lessons completed yet.');
    expect(await page.locator('#time-title + .notice').textContent()).toContain('No study time yet.');
    expect(await page.locator('.week-chart').count()).toBe(0);
    // Seconds are no chart yet: a sliver on a scale of minutes says nothing.
    await asLearner(baseUrl, learner, '/api/progress/lessons/relational-model/time', {
      method: 'PUT',
      body: JSON.stringify({ eventId: crypto.randomUUID(), seconds: 20 }),
    });
    await page.reload();
    await expect
      .poll(() => page.locator('#time-title + .notice').textContent())
      .toContain('Under a minute of study time so far.');
    expect(await page.locator('.week-chart').count()).toBe(0);
    expect(await page.locator('.completion').count()).toBe(0);
    expect(await page.locator('main').textContent()).not.toMatch(/not practised yet|\b0 of \d+|Predictions/);
    await page.screenshot({ path: `${SHOTS}/dashboard-new.png`, fullPage: true });
  });
});
