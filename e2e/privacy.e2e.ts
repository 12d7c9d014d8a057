import { readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { SHOTS, useBrowser } from './browser';
import { asLearner, onboardedLearner, SESSION_KEY, storedSession } from './learner';

const baseUrl = inject('baseUrl');
const { newPage } = useBrowser();

describe('the Privacy section of the profile', () => {
  it('saves consent choices, downloads the data, and deletes the account after a confirmation', async () => {
    const learner = await onboardedLearner(baseUrl);
    const page = await newPage({ ...storedSession(baseUrl, learner), acceptDownloads: true });
    await page.goto(`${baseUrl}/profile/`);
    await page.getByRole('heading', { name: 'Privacy' }).waitFor();

    // Consent: both on by default; turning the model off is stored and honoured by the API.
    const model = page.getByLabel('Personalize lessons with a language model');
    await model.waitFor();
    expect(await model.isChecked()).toBe(true);
    expect(await page.getByLabel('Use my activity in course statistics and experiments').isChecked()).toBe(true);
    await model.uncheck();
    await page.getByRole('button', { name: 'Save privacy choices' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Your choices apply from now on' }).count()).toBe(1);
    expect(await asLearner(baseUrl, learner, '/api/learners/me/consent')).toMatchObject({ model: false, analytics: true });
    await page.reload();
    await page.getByLabel('Personalize lessons with a language model').waitFor();
    expect(await page.getByLabel('Personalize lessons with a language model').isChecked()).toBe(false);

    // Download: one JSON document of the learner's data.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download my data' }).click(),
    ]);
    const file = await download.path();
    const exported = JSON.parse(readFileSync(file, 'utf8')) as { learnerId: string; learner: Record<string, unknown[]> };
    expect(exported.learnerId).toBe(learner.learnerId);
    expect(exported.learner.profile).toHaveLength(1);
    await page.screenshot({ path: `${SHOTS}/profile-privacy.png`, fullPage: true });

    // Delete: nothing happens until the second, explicit confirmation.
    await page.getByRole('button', { name: 'Delete my account…' }).click();
    await page.getByRole('alertdialog').waitFor();
    await page.getByRole('button', { name: 'Keep my account' }).click();
    expect(await page.getByRole('alertdialog').count()).toBe(0);
    expect((await fetch(`${baseUrl}/api/learners/me`, { headers: { authorization: `Bearer ${learner.token}` } })).status).toBe(
      200,
    );

    await page.getByRole('button', { name: 'Delete my account…' }).click();
    await page.getByRole('button', { name: 'Yes, delete everything' }).click();
    await page.getByRole('heading', { name: 'Account deleted' }).waitFor();
    expect((await fetch(`${baseUrl}/api/learners/me`, { headers: { authorization: `Bearer ${learner.token}` } })).status).toBe(
      401,
    );
    // This browser forgot the erased learner.
    expect(await page.evaluate((key) => window.localStorage.getItem(key), SESSION_KEY)).toBeNull();
  });
});
