import { env } from 'cloudflare:test';
import { expect } from 'vitest';
import type { FakeReply } from '../../scripts/fake-openai';

/**
 * A model name of its own, scripted on the fake OpenAI server (a real HTTP server the
 * test run starts), so parallel tests never share a script: the Worker vars that point
 * at it (`vars` add or replace), and the requests it received.
 */
export async function givenFakeModel(replies: FakeReply[], vars: Record<string, string> = {}) {
  const model = `fake-${crypto.randomUUID()}`;
  const base = env.FAKE_OPENAI_URL.replace(/\/v1$/, '');
  const scripted = await fetch(`${base}/__script`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, replies }),
  });
  expect(scripted.ok).toBe(true);
  return {
    model,
    vars: {
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: env.FAKE_OPENAI_URL,
      OPENAI_MODEL: model,
      OPENAI_MAX_RETRIES: '0',
      OPENAI_TIMEOUT_MS: '5000',
      ...vars,
    },
    async calls() {
      const response = await fetch(`${base}/__calls?model=${model}`);
      return (await response.json<{ calls: { messages: { role: string; content: string }[] }[] }>()).calls;
    },
  };
}
