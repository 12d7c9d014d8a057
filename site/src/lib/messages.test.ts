import { describe, expect, it } from 'vitest';
import { ApiError } from './api';
import { fieldName, learnerMessage } from './messages';

const problem = (status: number, errors?: { field: string; message: string }[]) =>
  new ApiError(
    status,
    {
      type: 'https://learnedge.dev/problems/x',
      title: 'x',
      status,
      detail: `${errors?.length ?? 0} field(s) failed validation`,
      instance: '/api/x',
      code: 'validation_failed',
      requestId: 'r-1',
      ...(errors ? { errors } : {}),
    },
    'failed',
  );

describe('learnerMessage', () => {
  it('names fields in words and never says "field(s) failed validation"', () => {
    const message = learnerMessage(
      problem(400, [
        { field: 'json/goals/0', message: '"foundations" is not a part of the course' },
        { field: 'json/answers/sessionMinutes', message: 'must be between 5 and 240' },
      ]),
    );
    expect(message).toBe(
      'Please check these: goals: "foundations" is not a part of the course; session minutes: must be between 5 and 240.',
    );
    expect(message).not.toContain('failed validation');
    expect(message).not.toContain('json/');
  });

  it.each([
    [401, 'Your session has ended. Reload the page to continue.'],
    [409, 'This changed in the meantime. Reload the page and try again.'],
    [503, 'The server had a problem. Try again in a moment.'],
  ])('says what a %d means', (status, text) => {
    expect(learnerMessage(problem(status))).toBe(text);
  });

  it('says how long to wait after too many requests', () => {
    expect(learnerMessage(new ApiError(429, null, 'x', 30))).toBe('That was a lot at once. Wait 30 seconds and try again.');
  });

  it('reads field paths as words', () => {
    expect(fieldName('json/answers/exampleDomain')).toBe('example domain');
    expect(fieldName('query/limit')).toBe('limit');
    expect(fieldName('json')).toBe('what was sent');
  });
});
