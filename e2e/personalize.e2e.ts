import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { SHOTS, useBrowser } from './browser';
import { contrastRatios } from './contrast';
import { asLearner, onboardedLearner, SESSION_KEY, storedSession, SEED_COURSE_PATH } from './learner';

const baseUrl = inject('baseUrl');
const { newPage } = useBrowser();

const progress = (page: Page) => page.locator('.progress-label').textContent();
const personalizedText = (page: Page) => page.locator('#panel-personalized .prose').textContent();

describe('personalized lessons', () => {
  it('onboards a new visitor by keyboard and clicks, then shows and caches their version of a lesson', async () => {
    const page = await newPage();
    await page.goto(`${baseUrl}/`);
    await page.waitForURL(`${baseUrl}/onboarding/`);
    await expect.poll(() => progress(page)).toBe('Question 1 of 6');
    const next = page.locator('main form button[type="submit"]');
    expect(await next.isDisabled()).toBe(true);
    expect(await page.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('1');

    // 1. Experience, by mouse; a beginner gets a recap of the lesson's prerequisites.
    await page.getByLabel('I have never used it').check();
    await next.click();
    await expect.poll(() => progress(page)).toBe('Question 2 of 6');
    // 2-4. Background, goals, style by keyboard: focus is on the question, Tab enters the group,
    // Space chooses, Enter moves on.
    for (const step of [3, 4, 5]) {
      await page.keyboard.press('Tab');
      await page.keyboard.press('Space');
      await page.keyboard.press('Enter');
      await expect.poll(() => progress(page)).toBe(`Question ${step} of 6`);
    }
    // 5. Minutes per session: the number box next to the slider; Enter submits the step.
    await page.getByRole('spinbutton').fill('30');
    await page.keyboard.press('Enter');
    await expect.poll(() => progress(page)).toBe('Question 6 of 6');
    // 6. Example domain, then Back keeps the answers given.
    await page.getByLabel('Shops and orders').check();
    await page.getByRole('button', { name: 'Back' }).click();
    await expect.poll(() => page.getByRole('spinbutton').inputValue()).toBe('30');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByLabel('Shops and orders').isChecked()).toBe(true);
    for (const { selector, ratio } of await contrastRatios(page, ['.progress-label', '.choice-label', '.lede']))
      expect(ratio, selector).toBeGreaterThanOrEqual(4.5);
    await page.screenshot({ path: `${SHOTS}/onboarding.png`, fullPage: true });
    await page.getByRole('button', { name: 'Finish' }).click();

    await page.waitForURL(`${baseUrl}/`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Practical SQL');
    await page.getByRole('link', { name: 'Filtering rows with WHERE' }).first().click();
    await page.waitForURL(`${baseUrl}${SEED_COURSE_PATH}/lessons/filtering-with-where`);
    await page.getByRole('tab', { name: 'Personalized' }).click();
    expect(await page.getByRole('tab', { selected: true }).textContent()).toBe('Personalized');
    await expect.poll(() => personalizedText(page), { timeout: 20_000 }).toContain('What to remember from earlier lessons');
    await page.locator('.adaptations li').first().waitFor();
    expect(await page.locator('.engine').textContent()).toBe('Adapted for you by LearnEdge (no language model involved)');
    expect(await page.locator('.badge-cache').count()).toBe(0);
    expect(await page.locator('.adaptations h2').textContent()).toBe('What changed for you');
    // The tabs, how the text was made and the start of the adapted lesson, in one screen.
    await page.locator('.tabs').evaluate((tabs) => tabs.scrollIntoView());
    await page.screenshot({ path: `${SHOTS}/personalized.png` });

    // A reload keeps the tab, and the same text now comes from the cache.
    await page.reload();
    await expect.poll(() => page.getByRole('tab', { selected: true }).textContent()).toBe('Personalized');
    await page.locator('.badge-cache').waitFor();
    expect(await page.locator('.badge-cache').textContent()).toBe('From cache');
    await expect.poll(() => personalizedText(page)).toContain('What to remember from earlier lessons');
    await page.locator('.adaptations li').first().waitFor();
    for (const { selector, ratio } of await contrastRatios(page, [
      '.badge-cache',
      '.engine',
      '.adaptations li',
      '.tabs .tab[aria-selected="true"]',
      '.tabs .tab[aria-selected="false"]',
    ]))
      expect(ratio, selector).toBeGreaterThanOrEqual(4.5);

    // Tabs follow the WAI-ARIA pattern: arrows move the selection and the focus.
    await page.getByRole('tab', { name: 'Personalized' }).focus();
    await page.keyboard.press('ArrowLeft');
    expect(await page.getByRole('tab', { selected: true }).textContent()).toBe('Original');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('tab-original');
    expect(await page.locator('#panel-original .prose').textContent()).not.toContain('What to remember from earlier lessons');
    expect(await page.locator('#panel-personalized').isHidden()).toBe(true);
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => personalizedText(page)).toContain('What to remember from earlier lessons');
  });

  it('replaces a forged token with a new learner and brings them back to the lesson they opened', async () => {
    const forged = { learnerId: 'lrn_forgedforgedforged', token: 'forged.token.value', expiresAt: '2099-01-01T00:00:00Z' };
    const page = await newPage(storedSession(baseUrl, forged));
    await page.goto(`${baseUrl}/lessons/inner-joins`);
    await page.waitForURL(`${baseUrl}/onboarding/?next=${encodeURIComponent(`${SEED_COURSE_PATH}/lessons/inner-joins`)}`);
    await expect.poll(() => progress(page)).toBe('Question 1 of 6');
    const stored = await page.evaluate((key) => localStorage.getItem(key), SESSION_KEY);
    expect(stored).not.toContain(forged.token);
    expect(stored).toMatch(/"learnerId":"lrn_/);

    // Answer every question with its first option (the number keeps its default).
    for (let step = 1; step <= 6; step++) {
      await expect.poll(() => progress(page)).toBe(`Question ${step} of 6`);
      if (step !== 5) await page.locator('.choice input').first().check();
      await page.locator('main form button[type="submit"]').click();
    }
    await page.waitForURL(`${baseUrl}${SEED_COURSE_PATH}/lessons/inner-joins`);
    await expect.poll(() => page.locator('h1#lesson-title').textContent()).toBe('Combining tables with inner joins');
  });

  it('saves a changed preference on the profile page and clears cached lessons, at phone width', async () => {
    const learner = await onboardedLearner(baseUrl, { style: 'hands-on', exampleDomain: 'sports' });
    const page = await newPage(storedSession(baseUrl, learner), 375, 740);
    await page.goto(`${baseUrl}/profile/`);
    const handsOn = page.getByLabel('Hands-on: try it, then read why');
    await handsOn.waitFor();
    expect(await handsOn.isChecked()).toBe(true);
    expect(await page.getByRole('link', { name: 'Profile' }).getAttribute('aria-current')).toBe('page');

    // A number out of range is refused next to its question, before anything is sent.
    await page.getByRole('spinbutton').fill('1000');
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await expect.poll(() => page.locator('#q-sessionMinutes-error').textContent()).toContain('from 5 to 240');
    await page.getByRole('spinbutton').fill('45');

    await page.getByLabel('Analytical: reasons, rules and proofs').check();
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Saved' }).count()).toBe(1);
    expect(await page.locator('.field-error').count()).toBe(0);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${SHOTS}/profile.png`, fullPage: true });

    // One lesson personalized with the new answers, then cleared from the page.
    await asLearner(baseUrl, learner, '/api/personalize', {
      method: 'POST',
      body: JSON.stringify({ lessonSlug: 'inner-joins' }),
    });
    await page.getByRole('button', { name: 'Clear my personalized lessons' }).click();
    await expect
      .poll(() => page.locator('.profile-section .notice-success').textContent())
      .toBe('Cleared 1 personalized lesson.');

    await page.reload();
    await page.getByLabel('Analytical: reasons, rules and proofs').waitFor();
    expect(await page.getByLabel('Analytical: reasons, rules and proofs').isChecked()).toBe(true);
    expect(await page.getByRole('spinbutton').inputValue()).toBe('45');
  });
});

describe('the Personalized tab, remembered', () => {
  it('lands a link to a section at its heading once the text is in, with the exercise answer behind a reveal', async () => {
    const learner = await onboardedLearner(baseUrl, { style: 'hands-on' });
    const page = await newPage(storedSession(baseUrl, learner));
    await page.addInitScript(() => localStorage.setItem('learnedge.lessonTab', 'personalized'));
    await page.goto(`${baseUrl}/lessons/filtering-with-where#try-it`);
    await page.locator('#panel-personalized .personalized-meta').waitFor();
    await page.locator('#panel-personalized #try-it').waitFor();
    await expect.poll(() => page.locator('#try-it').evaluate((h) => Math.round(h.getBoundingClientRect().top))).toBeLessThan(100);
    expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(1000);
    const reveal = page.locator('#panel-personalized .prose details.answer-reveal');
    expect(await reveal.count()).toBe(1);
    expect(await reveal.getByText('This returns Amara Okafor', { exact: false }).isVisible()).toBe(false);
  });
});

describe('a visitor not ready for onboarding', () => {
  it('skips it, reads the outline and a lesson as written, and is offered onboarding on the Personalized tab', async () => {
    const page = await newPage();
    await page.goto(`${baseUrl}/lessons/inner-joins`);
    await page.waitForURL(/\/onboarding\//);
    await page.getByRole('link', { name: 'Skip for now' }).click();
    await page.waitForURL(`${baseUrl}${SEED_COURSE_PATH}/lessons/inner-joins`);
    await expect.poll(() => page.locator('h1#lesson-title').textContent()).toBe('Combining tables with inner joins');
    // Other pages no longer send them to onboarding.
    await page.goto(`${baseUrl}/`);
    await page.locator('.outline h1').waitFor();
    expect(page.url()).toBe(`${baseUrl}/`);
    const refused: string[] = [];
    page.on('response', (r) => {
      if (r.status() >= 400) refused.push(`${r.status()} ${r.url()}`);
    });
    await page.goto(`${baseUrl}/lessons/inner-joins`);
    await page.getByRole('tab', { name: 'Personalized' }).click();
    const offer = page.getByRole('link', { name: 'Answer six short questions' });
    await offer.waitFor();
    expect(await offer.getAttribute('href')).toBe(
      `/onboarding/?next=${encodeURIComponent(`${SEED_COURSE_PATH}/lessons/inner-joins`)}`,
    );
    expect(await page.locator('#panel-personalized .notice-error').count()).toBe(0);
    // Their profile stays in reach, with the privacy settings (data download, deletion), and invites them to answer.
    await page.goto(`${baseUrl}/profile/`);
    await page.getByRole('heading', { name: 'Your profile' }).waitFor();
    expect(page.url()).toBe(`${baseUrl}/profile/`);
    expect(await page.getByRole('link', { name: 'Answer them now' }).getAttribute('href')).toBe(
      '/onboarding/?next=%2Fprofile%2F',
    );
    await page.getByRole('button', { name: /Download my data/ }).waitFor();
    // No request was made only to be refused (the personalized stream's 409, the preferences' 404 aside).
    expect(refused.filter((r) => !r.includes('/api/learners/me/preferences'))).toEqual([]);
  });
});
