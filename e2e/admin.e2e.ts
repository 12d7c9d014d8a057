import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { SHOTS, useBrowser } from './browser';
import { asLearner, onboardedLearner } from './learner';

const baseUrl = inject('baseUrl');
const authorKey = inject('authorKey');
const { newPage } = useBrowser();

/** Only learners with these answers are in the experiment: the other e2e files' learners never are. */
const AUDIENCE = { experience: 'expert', background: 'science' };
const EXPERIMENT = {
  id: 'e2e-new-share',
  name: 'More new tasks for experts',
  hypothesis: 'Experts complete more plan tasks when more of them are new.',
  flagKey: 'plans.new_share',
  condition: AUDIENCE,
  variants: [
    { key: 'control', weight: 50, value: { discovery: 0.8, establishment: 0.3, mastery: 0.15 } },
    { key: 'more-new', weight: 50, value: { discovery: 0.95, establishment: 0.5, mastery: 0.3 } },
  ],
  primaryMetric: 'plan_tasks_completed',
  guardrailMetrics: ['return_1d', 'quiz_accuracy'],
};

async function admin<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(`${baseUrl}/api/admin${path}`, {
    ...init,
    headers: { authorization: `Bearer ${authorKey}`, 'content-type': 'application/json' },
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

interface Plan {
  id: string;
  items: { id: string }[];
}

/** An experiment's definition as the API saved it. */
async function definition(id: string): Promise<Record<string, unknown>> {
  const { experiments } = await admin<{ experiments: { id: string; definition: Record<string, unknown> }[] }>('/experiments');
  const found = experiments.find((e) => e.id === id);
  if (!found) throw new Error(`no experiment ${id}`);
  return found.definition;
}

const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

async function openDashboard(page: Page, tab = ''): Promise<void> {
  await page.goto(`${baseUrl}/admin/${tab ? `#${tab}` : ''}`);
  await page.getByLabel('Admin key').fill(authorKey);
  await page.getByRole('button', { name: 'Open the dashboard' }).click();
}

describe('admin dashboard', () => {
  it('shows the overview, item analysis and an experiment’s results, each chart with its table; creates and starts an experiment', async () => {
    await admin('/experiments', { method: 'POST', body: JSON.stringify(EXPERIMENT) });
    await admin(`/experiments/${EXPERIMENT.id}/start`, { method: 'POST' });
    // Learners of the audience: each is exposed by their plan, some tick a task off; all answer a quiz item.
    const book = (await (await fetch(`${baseUrl}/api/content/book`)).json()) as {
      parts: { chapters: { lessons: { slug: string }[] }[] }[];
    };
    const lesson = book.parts[0]?.chapters[0]?.lessons[0]?.slug ?? '';
    const learners = [];
    // Few learners: new learners are limited to 30 a minute per address, and the other e2e files make theirs too.
    for (let i = 0; i < 8; i++) {
      const learner = await onboardedLearner(baseUrl, AUDIENCE);
      learners.push(learner);
      const plan = await asLearner<Plan>(baseUrl, learner, '/api/plans/today');
      const done = plan.items.slice(0, i % 3);
      for (const item of done) {
        await asLearner(baseUrl, learner, `/api/plans/${plan.id}/items/${item.id}/feedback`, {
          method: 'POST',
          body: JSON.stringify({ eventId: crypto.randomUUID(), outcome: 'completed', rating: 4 }),
        });
      }
      // Everyone is offered recommendations and accepts the first.
      const recs = await asLearner<{ items: { id: string }[] }>(baseUrl, learner, '/api/recommendations?limit=5');
      if (recs.items[0]) {
        await asLearner(baseUrl, learner, `/api/recommendations/${recs.items[0].id}/feedback`, {
          method: 'POST',
          body: JSON.stringify({ eventId: crypto.randomUUID(), action: 'accepted' }),
        });
      }
      // Everyone opens the first lesson, two in three complete it.
      const stamp = () => JSON.stringify({ eventId: crypto.randomUUID() });
      await asLearner(baseUrl, learner, `/api/progress/lessons/${lesson}/start`, { method: 'POST', body: stamp() });
      if (i % 3 !== 0)
        await asLearner(baseUrl, learner, `/api/progress/lessons/${lesson}/complete`, { method: 'POST', body: stamp() });
      // Two quiz items each: the second is answered from abilities the first moved apart.
      for (let q = 0; q < 2; q++) {
        const next = await asLearner<{ item: { id: string } | null }>(baseUrl, learner, `/api/quizzes/${lesson}/next`);
        if (!next.item) break;
        await asLearner(baseUrl, learner, '/api/quizzes/attempts', {
          method: 'POST',
          body: JSON.stringify({ eventId: crypto.randomUUID(), itemId: next.item.id, answer: (i + q) % 4 === 0 ? 1 : 0 }),
        });
      }
    }
    // A search the course has nothing for, as a learner might type it.
    const miss = await fetch(`${baseUrl}/api/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'Xyzzy  plugh' }),
    });
    expect(miss.status).toBe(200);
    expect(((await miss.json()) as { hits: unknown[] }).hits).toEqual([]);
    // The learners' objects send their deltas within seconds; the queue applies them.
    await expect
      .poll(
        async () =>
          (
            await admin<{ exposures: { learners: number }[] }>(`/experiments/${EXPERIMENT.id}/results?fresh=true`)
          ).exposures.reduce((s, e) => s + e.learners, 0),
        { timeout: 30_000, interval: 500 },
      )
      .toBe(learners.length);

    const page = await newPage({}, 1280, 900);
    await openDashboard(page);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await expect.poll(() => page.locator('.admin-stats dd').first().textContent()).not.toBe('0');
    // Every chart has a table view with the same numbers.
    const funnel = page.locator('figure', { hasText: 'Funnel' });
    await funnel.getByText('Table view').click();
    await expect.poll(() => funnel.locator('tbody tr').count()).toBe(4);
    await page.screenshot({ path: `${SHOTS}/admin-overview-desktop.png`, fullPage: true });

    await page.getByRole('tab', { name: 'Content' }).click();
    await page.getByRole('heading', { name: 'Quiz items' }).waitFor();
    expect(await page.locator('.admin-table tbody tr').count()).toBeGreaterThan(0);
    await page.screenshot({ path: `${SHOTS}/admin-items-desktop.png`, fullPage: true });

    await page.getByRole('tab', { name: 'Learning' }).click();
    await page.getByRole('heading', { name: 'BKT: right answers' }).waitFor();
    expect(await page.locator('#segments-heading + p + .admin-table-wrap tbody tr').count()).toBeGreaterThan(0);
    const mastery = page.locator('figure', { hasText: 'Mastery by concept' });
    await mastery.getByText('Table view').click();
    await expect.poll(() => mastery.locator('tbody tr').count()).toBeGreaterThan(0);
    await page.getByRole('heading', { name: /^Ranking weights learned from learners/ }).waitFor();
    expect(await page.locator('table[aria-labelledby="weights-heading"] tbody tr').count()).toBe(8);
    await page.screenshot({ path: `${SHOTS}/admin-learning-desktop.png`, fullPage: true });

    await page.getByRole('tab', { name: 'Practice' }).click();
    const byCategory = page.locator('figure', { hasText: 'Daily-plan tasks by category' });
    await byCategory.getByText('Table view').click();
    await expect.poll(() => byCategory.locator('tbody tr').count()).toBeGreaterThan(0);
    const byReason = page.locator('figure', { hasText: 'Recommendations by reason' });
    await byReason.getByText('Table view').click();
    await expect.poll(() => byReason.locator('tbody tr').count()).toBeGreaterThan(0);
    await page.locator('tr', { hasText: 'xyzzy plugh' }).waitFor();
    await page.screenshot({ path: `${SHOTS}/admin-practice-desktop.png`, fullPage: true });

    await page.getByRole('tab', { name: 'Experiments' }).click();
    const row = page.locator('tr', { hasText: EXPERIMENT.name });
    await row.waitFor();
    await row.getByRole('button', { name: 'Results' }).click();
    await page.getByRole('heading', { name: `Results: ${EXPERIMENT.name}` }).waitFor();
    await page.locator('figure', { hasText: 'plan tasks completed' }).getByText('Table view').click();
    await page.screenshot({ path: `${SHOTS}/admin-experiment-desktop.png`, fullPage: true });

    // The form: a split that does not sum to 100 and a value that is not JSON are caught before
    // sending; a value of the wrong shape for the flag is refused by the API at that field.
    await page.getByRole('button', { name: 'New experiment' }).click();
    const form = page.locator('form', { has: page.getByRole('heading', { name: 'Create an experiment' }) });
    await form.getByLabel('Experiment key').fill('e2e-draft');
    await form.getByLabel('Name', { exact: true }).fill('A second look');
    await form.getByLabel('Flag it sets').fill(EXPERIMENT.flagKey);
    await form.getByLabel('Variant 1 flag value (JSON)').fill(JSON.stringify(EXPERIMENT.variants[0]!.value));
    await form.getByLabel('Variant 2 flag value (JSON)').fill('{discovery: 1}');
    await form.getByLabel('Variant 2 traffic %').fill('40');
    await form.getByRole('button', { name: 'Create draft' }).click();
    await form.getByText('weights must sum to 100 (they sum to 90)').waitFor();
    await form.getByText('must be JSON').waitFor();
    expect(await form.getByLabel('Variant 2 flag value (JSON)').getAttribute('aria-invalid')).toBe('true');
    await form.getByLabel('Variant 2 traffic %').fill('50');
    await form.getByLabel('Variant 2 flag value (JSON)').fill('{"discovery": 2, "establishment": 0.5, "mastery": 0.3}');
    await form.getByRole('button', { name: 'Create draft' }).click();
    await expect.poll(() => form.getByLabel('Variant 2 flag value (JSON)').getAttribute('aria-invalid')).toBe('true');
    expect(await form.locator('.field-error').allTextContents()).not.toContain(
      'must be JSON (true, 0.5, "offline", {"a": 1}, ...)',
    );
    await form.getByLabel('Variant 2 flag value (JSON)').fill(JSON.stringify(EXPERIMENT.variants[1]!.value));
    await form.getByText('Targeting and exclusivity').click();
    await form.getByLabel('Namespace (optional)').fill('e2e');
    await form.getByLabel('Range end (0-1)').fill('0.5');
    await form.getByRole('group', { name: 'Guardrail metrics (must not get worse)' }).getByLabel('return 1d').check();
    await page.screenshot({ path: `${SHOTS}/admin-experiment-form-desktop.png`, fullPage: true });
    await form.getByRole('button', { name: 'Create draft' }).click();
    const draft = page.locator('tr', { hasText: 'A second look' });
    await draft.waitFor();
    expect(await draft.locator('td').nth(1).textContent()).toBe('draft');
    expect(await definition('e2e-draft')).toMatchObject({
      flagKey: EXPERIMENT.flagKey,
      namespace: { name: 'e2e', range: [0, 0.5] },
      variants: [
        { key: 'control', weight: 50, value: EXPERIMENT.variants[0]!.value },
        { key: 'treatment', weight: 50, value: EXPERIMENT.variants[1]!.value },
      ],
      guardrailMetrics: ['return_7d', 'return_1d'],
    });

    // Editing keeps what was saved and changes what was edited.
    await draft.getByRole('button', { name: 'Edit A second look' }).click();
    const edit = page.locator('form', { has: page.getByRole('heading', { name: 'Edit A second look' }) });
    expect(await edit.getByLabel('Experiment key').getAttribute('readonly')).not.toBeNull();
    await edit.getByLabel('Name', { exact: true }).fill('A second look, 70/30');
    await edit.getByLabel('Variant 1 traffic %').fill('70');
    await edit.getByLabel('Variant 2 traffic %').fill('30');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    const edited = page.locator('tr', { hasText: 'A second look, 70/30' });
    await edited.waitFor();
    expect(await edited.locator('td').nth(2).textContent()).toBe('70% / 30%');
    expect(await definition('e2e-draft')).toMatchObject({
      name: 'A second look, 70/30',
      namespace: { name: 'e2e', range: [0, 0.5] },
    });
    // It runs on the same flag as the first: starting it is refused until that one stops.
    await edited.getByRole('button', { name: 'Start' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('e2e-new-share');

    const phone = await newPage({}, 390, 844);
    await openDashboard(phone);
    await phone.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(await overflow(phone)).toBeLessThanOrEqual(0);
    await phone.screenshot({ path: `${SHOTS}/admin-overview-phone.png`, fullPage: true });
    await phone.getByRole('tab', { name: 'Experiments' }).click();
    await phone.getByRole('button', { name: 'New experiment' }).click();
    await phone.getByText('Targeting and exclusivity').click();
    await phone.getByLabel('Range end (0-1)').waitFor();
    expect(await overflow(phone)).toBeLessThanOrEqual(0);
    await phone.screenshot({ path: `${SHOTS}/admin-experiment-form-phone.png`, fullPage: true });

    // The experiment ends so later runs start from a stopped one.
    await admin(`/experiments/${EXPERIMENT.id}/stop`, { method: 'POST' });
  });

  it('asks for a key first and forgets a wrong one', async () => {
    const page = await newPage();
    await page.goto(`${baseUrl}/admin/`);
    await page.getByLabel('Admin key').fill('not-a-key');
    await page.getByRole('button', { name: 'Open the dashboard' }).click();
    await page.getByLabel('Admin key').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('learnedge.adminKey'))).toBeNull();
  });
});
