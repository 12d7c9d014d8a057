import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Debian's Chromium, headless, with every background connection off (the machine has no network). */
export function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run .ci/run or apt-get install -y chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Registers one browser for the calling test file and returns a page factory: each
 * page gets a fresh context (a new visitor unless `options` bring a stored session),
 * and any script error on a page fails the test that opened it.
 */
export function useBrowser(): { newPage: (options?: BrowserContextOptions, width?: number, height?: number) => Promise<Page> } {
  let browser: Browser | undefined;
  let pageErrors: Error[] = [];
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(() => {
    const errors = pageErrors;
    pageErrors = [];
    expect(errors.map((e) => e.message)).toEqual([]);
  });
  return {
    async newPage(options = {}, width = 1280, height = 900) {
      if (!browser) throw new Error('useBrowser: the browser starts in beforeAll');
      const context = await browser.newContext({ viewport: { width, height }, ...options });
      const page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(error));
      return page;
    },
  };
}

export const SHOTS = 'e2e/screenshots';
