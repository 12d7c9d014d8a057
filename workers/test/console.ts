/** What the Worker logged at error level during the current test. */
export const consoleErrors = {
  lines: [] as string[],
  expected: false,
  /** Declares that this test expects error logs, and returns them for assertions. */
  expect(): string[] {
    this.expected = true;
    return this.lines;
  },
};
