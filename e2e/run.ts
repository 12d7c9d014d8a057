/**
 * `npm run test:e2e [-- files or filters]`: builds the site (the local Worker serves
 * site/dist), then runs the browser and CLI end-to-end tests against a fresh local
 * Worker that global-setup.ts starts in its own process group and stops afterwards.
 * E2E_PORT and E2E_PERSIST_TO move it off the defaults (8799, .wrangler/e2e-state).
 */
import { spawnSync } from 'node:child_process';

const run = (command: string, args: string[]) => spawnSync(command, args, { stdio: 'inherit' }).status ?? 1;

const built = run('npm', ['run', '-s', 'build:site']);
if (built !== 0) process.exit(built);
process.exit(run('npx', ['vitest', 'run', '--project', 'e2e', ...process.argv.slice(2)]));
