import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { SHOTS, useBrowser } from './browser';
import { contrastRatios } from './contrast';
import { asLearner, onboardedLearner, storedSession, type LearnerSession } from './learner';

const baseUrl = inject('baseUrl');
const { newPage: openPage } = useBrowser();
let reader: LearnerSession;
beforeAll(async () => {
  reader = await onboardedLearner(baseUrl);
});

const newPage = (width?: number, height?: number) => openPage(storedSession(baseUrl, reader), width, height);
const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

/** The Ask panel once React owns it (Astro drops `ssr` from a hydrated island): text typed earlier would be lost. */
async function livePanel(page: Page) {
  const panel = page.locator('astro-island:not([ssr]) .ask-panel');
  await panel.waitFor();
  return panel;
}

async function typeQuestion(page: Page, question: string) {
  const panel = await livePanel(page);
  await panel.getByLabel('Your question').fill(question);
  return { panel, ask: panel.getByRole('button', { name: 'Ask' }) };
}

async function askIn(page: Page, question: string) {
  const { panel, ask } = await typeQuestion(page, question);
  await ask.click();
  await panel.locator('.answer-engine').waitFor();
  return panel;
}

describe('asking the course', () => {
  it('answers on a lesson from that lesson, each sentence linked to a quoted source that opens the heading', async () => {
    const page = await newPage();
    await page.goto(`${baseUrl}/lessons/filtering-with-where/`);
    const panel = await livePanel(page);
    expect(await panel.getByLabel('This lesson').isChecked()).toBe(true);
    await askIn(page, 'What happens when I compare something with NULL?');
    const citations = panel.locator('.answer-citations li');
    expect(await citations.count()).toBeGreaterThan(0);
    const hrefs = await citations.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
    for (const href of hrefs) expect(href).toMatch(/^\/courses\/practical-sql\/lessons\/filtering-with-where#/);
    // Every marker in the text points at a listed source.
    const markers = await panel.locator('.answer-text sup a').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
    expect(markers.length).toBeGreaterThan(0);
    for (const m of markers) expect(await page.locator(m).count()).toBe(1);
    expect(await panel.locator('.answer-engine').textContent()).toContain('without a model');
    for (const { selector, ratio } of await contrastRatios(page, [
      '.ask-panel label',
      '.answer-text',
      '.answer-citations blockquote',
      '.answer-engine',
    ])) {
      expect(ratio, selector).toBeGreaterThanOrEqual(4.5);
    }
    // Thumbs down with a reason, by the events pipeline, into the learner's own data.
    await panel.getByRole('button', { name: 'No' }).click();
    await panel.getByLabel('Unclear').check();
    await expect.poll(() => panel.locator('.answer-feedback [role="status"]').textContent()).toContain('your rating is saved');
    expect(await panel.getByRole('button', { name: 'No' }).getAttribute('aria-pressed')).toBe('true');
    await expect
      .poll(async () => JSON.stringify(await asLearner(baseUrl, reader, '/api/learners/me/export')), { timeout: 10_000 })
      .toMatch(/"rating":"down","reason":"unclear"/);
    await panel.screenshot({ path: `${SHOTS}/ask-panel-desktop.png` });

    await citations.first().locator('a').click();
    await page.waitForURL(/\/lessons\/filtering-with-where\/?#/);
  });

  it('says plainly when the course does not cover a question, on the /ask/ page, at phone width and by keyboard', async () => {
    const page = await newPage(390, 844);
    await page.goto(`${baseUrl}/ask/`);
    const panel = await livePanel(page);
    expect(await panel.getByLabel('This lesson').count()).toBe(0);
    expect(await panel.getByLabel('Whole course').isChecked()).toBe(true);
    await panel.getByLabel('Your question').focus();
    await page.keyboard.type('How do I bake sourdough bread?');
    await page.keyboard.press('Control+Enter');
    await panel.locator('.answer-engine').waitFor();
    expect(await panel.locator('.answer-text').textContent()).toContain('The course does not cover this');
    expect(await panel.locator('.answer-citations').count()).toBe(0);

    await (await typeQuestion(page, 'How do I sort rows from the highest price to the lowest?')).ask.click();
    await expect.poll(() => panel.locator('.answer-citations li').count()).toBeGreaterThan(0);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${SHOTS}/ask-phone.png`, fullPage: true });
  });

  it('keeps questions on the /ask/ page in conversations: a follow-up is read with the question before, and past ones reopen', async () => {
    const page = await newPage();
    await page.goto(`${baseUrl}/ask/`);
    const panel = await askIn(page, 'How do I sort rows from the highest price to the lowest?');
    expect(await panel.locator('.answer-citations li').count()).toBeGreaterThan(0);
    await (await typeQuestion(page, 'and what about NULL values there?')).ask.click();
    await expect.poll(() => panel.locator('.ask-turn').count()).toBe(1);
    await panel.locator('.answer-feedback').waitFor();
    expect(await panel.locator('.ask-turn-question').allTextContents()).toEqual([
      'You asked: How do I sort rows from the highest price to the lowest?',
      'You asked: and what about NULL values there?',
    ]);
    // The follow-up was answered about sorting, the question before it.
    const cited = await panel.locator('.ask-answer .answer-citations a').allTextContents();
    expect(cited.join(' ')).toMatch(/ORDER BY|[Ss]ort/);
    // The conversation's scope holds for its follow-ups.
    expect(await panel.getByLabel('Whole course').isDisabled()).toBe(true);
    const listed = panel.getByRole('navigation', { name: 'Your conversations' }).locator('li');
    await expect.poll(() => listed.allTextContents()).toContainEqual(expect.stringMatching(/^How do I sort rows.*\(2 asked\)$/));
    await panel.screenshot({ path: `${SHOTS}/ask-conversation-desktop.png` });

    await panel.getByRole('button', { name: 'New conversation' }).click();
    expect(await panel.locator('.ask-turn').count()).toBe(0);
    expect(await panel.getByLabel('Whole course').isDisabled()).toBe(false);
    await listed
      .getByRole('button', { name: /^How do I sort rows/ })
      .first()
      .click();
    await expect.poll(() => panel.locator('.ask-turn').count()).toBe(2);
  });

  it('tells the learner what to fix when the question is refused', async () => {
    const page = await newPage();
    await page.goto(`${baseUrl}/ask/`);
    await askInRefused(page);
  });
});

async function askInRefused(page: Page) {
  const { panel, ask } = await typeQuestion(page, 'what the fuck is a join');
  await ask.click();
  await expect.poll(() => panel.locator('[role="alert"]').textContent()).toMatch(/ask it another way/);
}
