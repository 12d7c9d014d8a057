import type { Page, Request } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { SHOTS, useBrowser } from './browser';
import { contrastRatios } from './contrast';
import { asLearner, onboardedLearner, storedSession, type LearnerSession, SEED_COURSE_PATH } from './learner';

const baseUrl = inject('baseUrl');
const { newPage } = useBrowser();

interface PlanItem {
  id: string;
  category: string;
  title: string;
  minutes: number;
  reasons: string[];
  status: 'open' | 'completed' | 'skipped';
  binding: { lessonSlug?: string };
  completes: { kind: string };
}
interface Plan {
  id: string;
  date: string;
  items: PlanItem[];
}

const todayPlan = (learner: LearnerSession) => asLearner<Plan>(baseUrl, learner, '/api/plans/today');
const card = (page: Page, id: string) => page.locator(`.task[data-task="${id}"]`);
const statusOf = (page: Page, id: string) => card(page, id).getAttribute('data-status');
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    return { label: el?.getAttribute('aria-label') ?? el?.textContent?.trim() ?? '', id: el?.id ?? '', tag: el?.tagName ?? '' };
  });
const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

/**
 * An onboarded learner who practises in the afternoon: tasks are scored for the time
 * of day, so a stated one keeps the plan the same whenever the test runs.
 */
async function afternoonLearner(): Promise<LearnerSession> {
  const learner = await onboardedLearner(baseUrl);
  const preferences = await asLearner<Record<string, unknown>>(baseUrl, learner, '/api/learners/me/preferences');
  await asLearner(baseUrl, learner, '/api/learners/me/preferences', {
    method: 'PUT',
    body: JSON.stringify({ ...preferences, preferredTime: 'afternoon' }),
  });
  return learner;
}

async function openToday(page: Page): Promise<void> {
  await page.goto(`${baseUrl}/today/`);
  await page.locator('.task').first().waitFor();
}

describe('today’s plan', () => {
  it('shows the tasks with their reasons, and takes a check-off, a rating, a skip, a swap and a lesson done', async () => {
    const learner = await afternoonLearner();
    const page = await newPage(storedSession(baseUrl, learner));
    const feedback: Request[] = [];
    page.on('request', (r) => {
      if (/\/api\/plans\/[^/]+\/items\/[^/]+\/feedback$/.test(r.url())) feedback.push(r);
    });

    // The home page points an onboarded learner to the plan, and the site's first link is Today.
    await page.goto(`${baseUrl}/`);
    await page.locator('.outline h1').waitFor();
    expect(await page.getByRole('link', { name: 'Today’s plan' }).getAttribute('href')).toBe('/today/');
    expect(await page.locator('.site-header nav a').first().textContent()).toBe('Today');
    await page.getByRole('link', { name: 'Today’s plan' }).click();
    await page.waitForURL(`${baseUrl}/today/`);
    await page.locator('.task').first().waitFor();
    expect(await page.getByRole('link', { name: 'Today', exact: true }).getAttribute('aria-current')).toBe('page');

    // 3 to 6 tasks, as the API planned them, each with its minutes and reasons.
    const plan = await todayPlan(learner);
    const cards = page.locator('.task');
    expect(await cards.count()).toBe(plan.items.length);
    expect(plan.items.length).toBeGreaterThanOrEqual(3);
    expect(plan.items.length).toBeLessThanOrEqual(6);
    expect(await page.locator('.task-title').allTextContents()).toEqual(plan.items.map((i) => i.title));
    for (const item of plan.items) {
      expect(await card(page, item.id).locator('.task-minutes').textContent()).toBe(`${item.minutes} min`);
      expect(await card(page, item.id).locator('.task-reasons li').allTextContents()).toEqual(item.reasons);
      expect(item.reasons.length).toBeGreaterThan(0);
    }
    const total = plan.items.reduce((sum, i) => sum + i.minutes, 0);
    expect(await page.locator('.today-date').textContent()).toContain(`${plan.items.length} tasks · ${total} min`);
    expect(await page.locator('.plan-facts dt').allTextContents()).toEqual(expect.arrayContaining(['Phase', 'Pace', 'Style']));
    expect(await page.locator('.today-progress-text').textContent()).toBe(
      `0 of ${plan.items.length} tasks done · 0 of ${total} min`,
    );
    // Read while every task is open (by the end, a short plan may have none left open).
    for (const { selector, ratio } of await contrastRatios(page, ['.task-status-open']))
      expect(ratio, selector).toBeGreaterThanOrEqual(4.5);

    // The learn task goes to its lesson; two other tasks take the actions.
    const learn = plan.items.find((i) => i.category === 'learn' && i.completes.kind === 'lesson');
    if (!learn?.binding.lessonSlug) throw new Error(`no learn task bound to a lesson in ${JSON.stringify(plan.items)}`);
    expect(await card(page, learn.id).locator('.task-title a').getAttribute('href')).toBe(
      `${SEED_COURSE_PATH}/lessons/${learn.binding.lessonSlug}`,
    );
    // The longest of the others that can be swapped is swapped (a replacement has to fit the minutes it leaves),
    // and another one checked off.
    const others = plan.items.filter((i) => i.id !== learn.id).sort((a, b) => b.minutes - a.minutes);
    if (others.length < 2) throw new Error('the plan has fewer than two tasks besides the lesson');

    // Swap: another task of the same category takes its place, and focus goes to it. A newcomer has little for
    // some kinds to bind to (no lesson opened, no weak concept): a task whose kind has nothing else that fits
    // says so on its card and stays, and the next longest is swapped instead.
    let swapped: PlanItem | undefined;
    for (const candidate of others) {
      await page.getByRole('button', { name: new RegExp(`^Swap “${escape(candidate.title)}”`) }).click();
      await expect
        .poll(
          async () =>
            (await card(page, candidate.id).count()) === 0 ||
            (await card(page, candidate.id).locator('.notice-error').count()) > 0,
        )
        .toBe(true);
      const refused = await card(page, candidate.id).locator('.notice-error').allTextContents();
      if (refused.length === 0) {
        swapped = candidate;
        break;
      }
      expect(refused[0]).toMatch(new RegExp(`^Nothing else of the ${candidate.category} kind fits today`));
    }
    if (!swapped) throw new Error(`no task of ${JSON.stringify(others)} could be swapped`);
    const position = plan.items.findIndex((i) => i.id === swapped.id);
    const after = await todayPlan(learner);
    const replacement = after.items[position];
    if (!replacement) throw new Error('the swap left no task in its place');
    expect(replacement.category).toBe(swapped.category);
    expect(replacement.title).not.toBe(swapped.title);
    expect(replacement.reasons[0]).toBe(`Swapped in for “${swapped.title}”`);
    expect(await cards.nth(position).locator('.task-title').textContent()).toBe(replacement.title);
    expect((await focused(page)).id).toBe(`task-${replacement.id}-title`);
    expect(await page.locator('.today-status').textContent()).toBe(`Swapped “${swapped.title}” for “${replacement.title}”.`);

    const checked = others.find((i) => i.id !== swapped.id);
    if (!checked) throw new Error('no task left to check off');

    // Done, whose first try is lost on the way: the retry carries the same eventId, and the task stays done.
    let dropped = false;
    await page.route('**/api/plans/*/items/*/feedback', (route) => {
      if (dropped) return route.continue();
      dropped = true;
      return route.abort('connectionreset');
    });
    await page.getByRole('button', { name: `Mark “${checked.title}” done` }).click();
    await expect.poll(() => statusOf(page, checked.id)).toBe('completed');
    await expect.poll(() => page.locator('.today-status').textContent()).toBe(`Marked “${checked.title}” done.`);
    const sent = feedback.map((r) => r.postDataJSON() as { eventId: string; outcome: string });
    expect(sent).toHaveLength(2);
    expect(sent[1]).toEqual(sent[0]);
    expect(sent[0]?.outcome).toBe('completed');
    await page.unroute('**/api/plans/*/items/*/feedback');
    expect(await card(page, checked.id).locator('.task-status').textContent()).toBe('✓ Done');
    expect(await page.locator('.today-progress-text').textContent()).toBe(
      `1 of ${plan.items.length} tasks done · ${checked.minutes} of ${after.items.reduce((sum, i) => sum + i.minutes, 0)} min`,
    );

    // A rating once it is done.
    await page.getByRole('button', { name: `Rate “${checked.title}” 4 out of 5` }).click();
    await expect.poll(() => page.locator('.today-status').textContent()).toBe(`Rated “${checked.title}” 4 out of 5.`);
    expect(await page.getByRole('button', { name: `Rate “${checked.title}” 4 out of 5` }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    expect(feedback.at(-1)?.postDataJSON()).toMatchObject({ outcome: 'completed', rating: 4 });
    expect(feedback.at(-1)?.url()).toContain(`/api/plans/${plan.id}/items/${checked.id}/feedback`);

    // Skip, with a reason.
    await page.getByRole('button', { name: `Skip “${replacement.title}”` }).click();
    await card(page, replacement.id).getByLabel('No time today').check();
    await page.getByRole('button', { name: `Skip “${replacement.title}” now` }).click();
    await expect.poll(() => statusOf(page, replacement.id)).toBe('skipped');
    // Shown at once, announced once the API has it.
    await expect.poll(() => page.locator('.today-status').textContent()).toBe(`Skipped “${replacement.title}” (no time today).`);
    expect(feedback.at(-1)?.postDataJSON()).toMatchObject({ outcome: 'skipped', skipReason: 'no_time' });

    // All of it is on the server: a reload shows the same.
    await page.reload();
    await page.locator('.task').first().waitFor();
    expect(await statusOf(page, checked.id)).toBe('completed');
    expect(await statusOf(page, replacement.id)).toBe('skipped');
    expect(await statusOf(page, learn.id)).toBe('open');
    // With what the learner said: the rating stays chosen, the skip keeps its reason.
    expect(await page.getByRole('button', { name: `Rate “${checked.title}” 4 out of 5` }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    expect(await card(page, replacement.id).locator('.task-status').textContent()).toBe('Skipped: no time today');

    // The lesson, completed on its page: back on Today its task is done.
    await card(page, learn.id).locator('.task-title a').click();
    await page.waitForURL(`${baseUrl}${SEED_COURSE_PATH}/lessons/${learn.binding.lessonSlug}`);
    await page.getByRole('button', { name: 'Mark lesson complete' }).click();
    await expect.poll(() => page.locator('.lesson-completion .notice-success').textContent()).toContain('Lesson completed on');
    await page.goBack();
    await page.waitForURL(`${baseUrl}/today/`);
    await expect.poll(() => statusOf(page, learn.id)).toBe('completed');
    expect(await page.locator('.today-progress-text').textContent()).toBe(
      `2 of ${plan.items.length} tasks done · ${checked.minutes + learn.minutes} of ${after.items.reduce((s, i) => s + i.minutes, 0)} min · 1 skipped`,
    );

    const categories = [...new Set(after.items.map((i) => i.category))].map((c) => `.badge-category-${c}`);
    for (const { selector, ratio } of await contrastRatios(page, [
      ...categories,
      '.today-date',
      '.plan-facts dt',
      '.plan-fact-reason',
      '.task-minutes',
      '.task-reasons',
      '.task-status-completed',
      '.task-status-skipped',
      '.rating',
    ]))
      expect(ratio, selector).toBeGreaterThanOrEqual(4.5);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${SHOTS}/today-desktop.png`, fullPage: true });
  });

  it('works by keyboard alone at phone width', async () => {
    const learner = await onboardedLearner(baseUrl, { sessionMinutes: 30 });
    const page = await newPage(storedSession(baseUrl, learner), 390, 844);
    await openToday(page);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    const plan = await todayPlan(learner);
    const [first, second] = plan.items;
    if (!first || !second) throw new Error('the plan has fewer than two tasks');

    // From the top of the page, Tab reaches the first task's actions in reading order.
    await page.locator('#main').focus();
    const order: string[] = [];
    for (let i = 0; i < 12 && !order.includes(`Swap “${first.title}”`); i++) {
      await page.keyboard.press('Tab');
      const { label } = await focused(page);
      order.push(label.replace(/ for another .+ task$/, ''));
    }
    const done = order.indexOf(`Mark “${first.title}” done`);
    expect(done).toBeGreaterThanOrEqual(0);
    expect(order.slice(done)).toEqual([`Mark “${first.title}” done`, `Skip “${first.title}”`, `Swap “${first.title}”`]);
    // The focused button shows it.
    const outline = await page.evaluate(() => {
      const style = getComputedStyle(document.activeElement as Element);
      return { style: style.outlineStyle, width: Number.parseFloat(style.outlineWidth) };
    });
    expect(outline.style).toBe('solid');
    expect(outline.width).toBeGreaterThanOrEqual(2);

    // Skip opens the reasons with focus in them; an arrow picks one, Tab reaches "Skip it".
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    expect((await focused(page)).tag).toBe('INPUT');
    await page.keyboard.press('ArrowRight');
    expect(await card(page, first.id).getByLabel('Too hard for now').isChecked()).toBe(true);
    await page.keyboard.press('Tab');
    expect((await focused(page)).label).toBe(`Skip “${first.title}” now`);
    await page.keyboard.press('Enter');
    await expect.poll(() => statusOf(page, first.id)).toBe('skipped');
    expect((await focused(page)).id).toBe(`task-${first.id}-title`);

    // On to the next task's Done, then a rating, by keyboard.
    for (let i = 0; i < 8 && (await focused(page)).label !== `Mark “${second.title}” done`; i++) await page.keyboard.press('Tab');
    expect((await focused(page)).label).toBe(`Mark “${second.title}” done`);
    await page.keyboard.press('Enter');
    await expect.poll(() => statusOf(page, second.id)).toBe('completed');
    expect((await focused(page)).id).toBe(`task-${second.id}-title`);
    // The rating is offered once the tick is saved, as the announcement says.
    await expect.poll(() => page.locator('.today-status').textContent()).toBe(`Marked “${second.title}” done.`);
    for (let i = 0; i < 3 && !(await focused(page)).label.startsWith('Rate'); i++) await page.keyboard.press('Tab');
    expect((await focused(page)).label).toBe(`Rate “${second.title}” 1 out of 5`);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.getByRole('button', { name: `Rate “${second.title}” 3 out of 5` }).getAttribute('aria-pressed'))
      .toBe('true');
    expect((await focused(page)).label).toBe(`Rate “${second.title}” 3 out of 5`);

    const statuses = await todayPlan(learner);
    expect(statuses.items.find((i) => i.id === first.id)?.status).toBe('skipped');
    expect(statuses.items.find((i) => i.id === second.id)?.status).toBe('completed');
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${SHOTS}/today-phone.png`, fullPage: true });
  });

  it('invites a learner who has not onboarded, and says so when the course has no practice tasks', async () => {
    const session = (await (await fetch(`${baseUrl}/api/learners`, { method: 'POST' })).json()) as LearnerSession;
    const page = await newPage(storedSession(baseUrl, session));
    await page.goto(`${baseUrl}/today/`);
    const invite = page.getByRole('link', { name: 'Answer them now' });
    await invite.waitFor();
    expect(await invite.getAttribute('href')).toBe('/onboarding/?next=%2Ftoday%2F');
    expect(await page.locator('.notice-error').count()).toBe(0);

    // The seeded course has a library: its absence is the API's 404, as it words it.
    const learner = await onboardedLearner(baseUrl);
    const other = await newPage(storedSession(baseUrl, learner));
    await other.route(/\/api\/plans\/today/, (route) =>
      route.fulfill({
        status: 404,
        contentType: 'application/problem+json',
        body: JSON.stringify({
          type: 'https://learnedge.dev/problems/not_found',
          title: 'Not found',
          status: 404,
          detail: 'This course has no practice library yet',
          instance: '/api/plans/today',
          code: 'not_found',
          requestId: 'e2e',
        }),
      }),
    );
    await other.goto(`${baseUrl}/today/`);
    await expect.poll(() => other.locator('.today .notice').textContent()).toContain('This course has no practice tasks yet');
    expect(await other.locator('.notice-error').count()).toBe(0);
  });
});

describe('the daily plan in the profile', () => {
  it('fills in the device’s time zone, checks it, and saves the time of day and minutes a day', async () => {
    const learner = await onboardedLearner(baseUrl);
    const page = await newPage({ ...storedSession(baseUrl, learner), timezoneId: 'Europe/Paris' }, 390, 844);
    await page.goto(`${baseUrl}/profile/`);
    const zone = page.getByLabel('Time zone');
    await zone.waitFor();
    expect(await zone.inputValue()).toBe('Europe/Paris');
    expect(await page.getByLabel('Any time').isChecked()).toBe(true);

    // A zone no browser knows is refused beside the field, before anything is sent.
    await zone.fill('Mars/Olympus_Mons');
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await expect.poll(() => page.locator('#plan-timeZone-error').textContent()).toContain('Enter a time zone from the list');
    expect(await zone.getAttribute('aria-invalid')).toBe('true');

    await zone.fill('America/New_York');
    await page.getByLabel('Evening', { exact: true }).check();
    await page.getByLabel('Minutes a day').selectOption('45');
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Saved' }).count()).toBe(1);
    expect(await asLearner(baseUrl, learner, '/api/learners/me/preferences')).toMatchObject({
      timeZone: 'America/New_York',
      preferredTime: 'evening',
      dailyMinutes: 45,
    });
    expect(await overflow(page)).toBeLessThanOrEqual(0);

    // How they practise, in words with the counts.
    await page.getByRole('heading', { name: 'How you practise' }).waitFor();
    await expect
      .poll(() => page.locator('[data-profile="consistency"] dd').textContent())
      .toMatch(/planned day|No planned days yet/);
    expect(await page.locator('[data-profile="variety"] dd').textContent()).toMatch(/new kinds of task/);
    for (const { selector, ratio } of await contrastRatios(page, [
      '.profile-lines dt',
      '.profile-lines dd',
      '.plan-choices summary',
    ]))
      expect(ratio, selector).toBeGreaterThanOrEqual(4.5);
    await page.locator('.practice-profile').screenshot({ path: `${SHOTS}/profile-practice.png` });

    await page.reload();
    await zone.waitFor();
    expect(await zone.inputValue()).toBe('America/New_York');
    expect(await page.getByLabel('Evening', { exact: true }).isChecked()).toBe(true);
    expect(await page.getByLabel('Minutes a day').inputValue()).toBe('45');
    await page.locator('.plan-settings').screenshot({ path: `${SHOTS}/profile-plan.png` });

    // "Any time" unsets the time of day.
    await page.getByLabel('Any time').check();
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Saved' }).count()).toBe(1);
    const saved = await asLearner<Record<string, unknown>>(baseUrl, learner, '/api/learners/me/preferences');
    expect(saved).not.toHaveProperty('preferredTime');
    expect(saved).toMatchObject({ timeZone: 'America/New_York', dailyMinutes: 45 });
  });
});

describe('the week on the dashboard', () => {
  it('shows the week with a chart of its days, the tasks by kind and the insights', async () => {
    const learner = await onboardedLearner(baseUrl);
    const plan = await todayPlan(learner);
    const [done] = plan.items;
    if (!done) throw new Error('the plan has no task');
    await asLearner(baseUrl, learner, `/api/plans/${plan.id}/items/${done.id}/feedback`, {
      method: 'POST',
      body: JSON.stringify({ eventId: crypto.randomUUID(), outcome: 'completed', rating: 5 }),
    });

    const page = await newPage(storedSession(baseUrl, learner));
    await page.goto(`${baseUrl}/dashboard/`);
    await page.getByRole('heading', { name: 'Your week' }).waitFor();
    const week = page.locator('#week');
    await week.locator('.week-summary').waitFor();
    const insights = await week.locator('.week-insights li').count();
    expect(insights).toBeGreaterThanOrEqual(2);
    expect(insights).toBeLessThanOrEqual(4);
    expect(await week.locator('.week-range').textContent()).toMatch(/^\w{3} \d{1,2} – \w{3} \d{1,2}/);
    expect(await week.locator('.week-stats').textContent()).toContain('Tasks done');
    expect(await week.locator('.week-stats').textContent()).toContain(`${done.minutes} min`);
    expect(await week.locator('.day-chart svg[role="img"] title').first().textContent()).toBe('Minutes of tasks done per day');
    expect(await week.locator('.day-chart rect.chart-bar').count()).toBe(7);
    await week.getByText('Show the days as a table').click();
    expect(await week.locator('.day-table tbody tr').count()).toBe(7);
    expect(await week.locator('.week-categories').textContent()).toContain(
      `${done.category === 'warm-up' ? 'Warm-up' : done.category.charAt(0).toUpperCase() + done.category.slice(1)}: 1 of`,
    );
    for (const { selector, ratio } of await contrastRatios(page, ['.week-range', '.week-stats dt', '.day-chart figcaption']))
      expect(ratio, selector).toBeGreaterThanOrEqual(4.5);
    await week.screenshot({ path: `${SHOTS}/dashboard-week.png` });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
