import { applyD1Migrations, env, reset } from 'cloudflare:test';
import { afterEach, beforeEach, vi } from 'vitest';
import { consoleErrors } from './console';

// Storage is shared between tests unless reset: every test starts from empty D1, R2, KV.
beforeEach(async () => {
  await reset();
  await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
});

// An unexpected console.error fails the test; tests that expect one call consoleErrors.expect().
beforeEach(() => {
  consoleErrors.lines = [];
  consoleErrors.expected = false;
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    consoleErrors.lines.push(args.map(String).join(' '));
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  if (!consoleErrors.expected && consoleErrors.lines.length > 0) {
    throw new Error(`unexpected console.error:\n${consoleErrors.lines.join('\n')}`);
  }
});
