import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { SHOTS, useBrowser } from './browser';
import { asLearner, onboardedLearner, storedSession, type LearnerSession } from './learner';

const baseUrl = inject('baseUrl');
const { newPage } = useBrowser();

const FIRST = 'Thinking in relations';
const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

/** The right option of a quiz item, learned the way any learner could: by answering it once as `helper`. */
async function rightAnswer(helper: LearnerSession, itemId: string): Promise<number> {
  const graded = await asLearner<{ answer: number }>(baseUrl, helper, '/api/quizzes/attempts', {
    method: 'POST',
    body: JSON.stringify({ eventId: crypto.randomUUID(), itemId, answer: 0 }),
  });
  return graded.answer;
}

describe('placement test', () => {
  it('places a learner who knows the subject: what they showed is mastered, lessons open up, the dashboard moves on', async () => {
    const expert = await onboardedLearner(baseUrl, { experience: 'expert' });
    const helper = await onboardedLearner(baseUrl);
    const page = await newPage(storedSession(baseUrl, expert));
    await page.goto(`${baseUrl}/placement/?next=/dashboard/`);
    await page.getByRole('heading', { name: 'Already know some of this?' }).waitFor();
    await page.getByRole('button', { name: 'Start the placement test' }).click();

    let answered = 0;
    while (answered < 20) {
      const outcome = await Promise.race([
        page
          .getByRole('heading', { name: 'Your placement' })
          .waitFor()
          .then(() => 'done' as const),
        page
          .locator('input[type="radio"]:not([disabled])')
          .first()
          .waitFor()
          .then(() => 'question' as const),
      ]);
      if (outcome === 'done') break;
      const name = (await page.locator('input[type="radio"]').first().getAttribute('name')) ?? '';
      if (answered === 0) {
        expect(await page.locator('.placement-progress').textContent()).toMatch(/Question 1 of at most \d+/);
        await page.screenshot({ path: `${SHOTS}/placement-question-desktop.png`, fullPage: true });
      }
      const right = await rightAnswer(helper, name.replace(/^placement-/, ''));
      await page.locator(`input[name="${name}"][value="${right}"]`).check();
      await page.getByRole('button', { name: 'Answer' }).click();
      await page.locator(`input[name="${name}"]`).first().waitFor({ state: 'detached' });
      answered += 1;
    }
    expect(answered).toBeGreaterThanOrEqual(6);
    expect(await page.locator('.placement-summary').textContent()).toContain(
      `You answered ${answered} of ${answered} questions right.`,
    );
    const unlocked = await page.locator('.placement-lessons li').allTextContents();
    // Reported in the closing note: how many lessons the test opened for a learner who knows it all.
    console.log(`placement: ${answered} questions, ${unlocked.length} lessons unlocked: ${unlocked.join('; ')}`);
    expect(unlocked.length).toBeGreaterThan(0);
    expect(await page.locator('.placement-concepts tbody tr').count()).toBeGreaterThan(0);
    await page.screenshot({ path: `${SHOTS}/placement-result-desktop.png`, fullPage: true });

    const phone = await newPage(storedSession(baseUrl, expert), 390, 844);
    await phone.goto(`${baseUrl}/placement/`);
    await phone.getByRole('heading', { name: 'Your placement' }).waitFor();
    expect(await overflow(phone)).toBeLessThanOrEqual(0);
    await phone.screenshot({ path: `${SHOTS}/placement-result-phone.png`, fullPage: true });

    await page.getByRole('link', { name: 'See your recommendations' }).click();
    await page.waitForURL(/\/dashboard\/$/);
    await page.locator('.recommendation').first().waitFor();
    const titles = await page.locator('.recommendation-title a').allTextContents();
    expect(titles.some((t) => t !== FIRST)).toBe(true);

    // What the test showed is on the dashboard, each concept a link to its page in the concept graph.
    const about = page.locator('.mastery-list .concept-link').first();
    await about.waitFor();
    const concept = ((await about.textContent()) ?? '').replace(/^About /, '');
    await about.click();
    await page.getByRole('heading', { level: 1, name: concept }).waitFor();
    await page.getByRole('heading', { name: 'Where it is taught' }).waitFor();
    await page.getByRole('heading', { name: 'Know these first' }).waitFor();
    // The concept is the course's: its page, and its neighbours', are of that course.
    expect(new URL(page.url()).searchParams.get('course')).toBe('practical-sql');
    expect(await page.locator('.mastery-bar, .mastery-title').count()).toBeGreaterThan(0);
    await page.screenshot({ path: `${SHOTS}/concept-desktop.png`, fullPage: true });
    // A neighbour's link opens its own page.
    const neighbour = page.locator('.concept-neighbours a').first();
    if ((await neighbour.count()) > 0) {
      const label = (await neighbour.textContent()) ?? '';
      expect(await neighbour.getAttribute('href')).toMatch(/&course=practical-sql$/);
      await neighbour.click();
      await page.getByRole('heading', { level: 1, name: label }).waitFor();
    }
  });

  it('is offered from the profile, and skipping it goes where the learner was headed', async () => {
    const learner = await onboardedLearner(baseUrl);
    const page = await newPage(storedSession(baseUrl, learner));
    await page.goto(`${baseUrl}/profile/`);
    await page.getByRole('link', { name: 'Take the placement test' }).click();
    await page.waitForURL(/\/placement\/\?next=/);
    await page.getByRole('link', { name: 'Skip it, start from the beginning' }).click();
    await page.waitForURL(/\/profile\/$/);
  });
});
