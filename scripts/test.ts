/**
 * `npm test`: every check, in order, stopping at the first failure: typecheck,
 * lint, format check, site build, then all vitest projects (Worker tests in workerd,
 * CLI tests, browser end-to-end). Ends with one "N passed, N failed" line.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';

const steps: [string, string[]][] = [
  ['typecheck', ['npm', 'run', '-s', 'typecheck']],
  ['lint', ['npm', 'run', '-s', 'lint']],
  ['format', ['npm', 'run', '-s', 'format:check']],
  ['site build', ['npm', 'run', '-s', 'build:site']],
];

for (const [name, [cmd, ...args]] of steps) {
  console.log(`\n▶ ${name}`);
  const run = spawnSync(cmd ?? 'npm', args, { stdio: 'inherit' });
  if (run.status !== 0) {
    console.error(`\n✖ ${name} failed`);
    process.exit(run.status ?? 1);
  }
}

console.log('\n▶ tests (workers, cli, e2e)');
mkdirSync('.wrangler', { recursive: true });
const report = '.wrangler/vitest-report.json';
const tests = spawnSync('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`], {
  stdio: 'inherit',
});
try {
  const result = JSON.parse(readFileSync(report, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
  };
  console.log(`\n${result.numPassedTests} passed, ${result.numFailedTests} failed, ${result.numPendingTests} skipped`);
} catch {
  console.error('no test report was written');
}
process.exit(tests.status ?? 1);
