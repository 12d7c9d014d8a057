import { env } from 'cloudflare:test';
import markdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import type { FakeReply } from '../../../scripts/fake-openai';
import { givenFakeModel } from '../../test/fake-model';
import { api, buildCourse, givenAuthorKey, givenLearner, lessonBody, push, readEvents } from '../../test/builders';
import type { PersonalizedLesson } from './personalize.schemas';
import { unsafeConstructs } from './personalize.sanitize';

const FENCE = '```';
/** A lesson about HTML shows markup in code: it must reach the learner byte for byte. */
const CODE = `${FENCE}html\n<script>document.title = 'code, not markup';</script>\n<a href="javascript:void(0)" onclick="go()">go</a>\n${FENCE}`;
const INLINE_CODE = '`<iframe src="x.html">`';
const HOSTILE = `Intro to lesson-2. <script>fetch('/api/learners/me/token').then((r) => r.text()).then(steal)</script>

## Idea

Some words about lesson-2 here. Inline ${INLINE_CODE} is code.
<iframe src="https://evil.test/frame"></iframe>
<object data="x.swf"></object><embed src="x.swf">

<style>body { display: none }</style>

Text <img src=x onerror="alert(1)"> and <ScRiPt>alert(2)</sCrIpT> and <!-- <script>alert(3)</script> --> and <script

- [a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](&#106;avascript&#58;alert(1)) [d](vbscript:msgbox(1))
- [e](data:text/html;base64,PHNjcmlwdD4=) ![f](data:image/svg+xml;base64,PHN2Zz4=) <javascript:alert(4)>
- <a href="javascript:alert(5)">raw link</a> <img src="data:image/png;base64,AAAA"> [g](<java\tscript:alert(6)>)

${CODE}

## Practice

Try it.
`;

/** What a renderer with raw HTML on (and no link filter) makes of the text: the tags and destinations a browser would see. */
function rendered(markdown: string) {
  const md = markdownIt({ html: true, linkify: true });
  md.validateLink = () => true;
  const html = md.render(markdown);
  return {
    html,
    urls: [...html.matchAll(/\s(?:href|src)="([^"]*)"/g)].map((m) => m[1] ?? ''),
  };
}

function expectHarmless(markdown: string) {
  expect(unsafeConstructs(markdown)).toEqual([]);
  const { html, urls } = rendered(markdown);
  expect(html).not.toMatch(/<(script|iframe|object|embed|style)\b/i);
  expect(html).not.toMatch(/<[a-z][^>]*\son[a-z]+\s*=/i);
  for (const url of urls) expect(url).toMatch(/^(https?:|mailto:|[/#?]|[^:]*$)/i);
}

async function givenHostileCourse() {
  // The prerequisite's title reaches the text through the offline engine's recap.
  const course = await buildCourse(4, {
    'lesson-1': { title: 'Lesson 1 <img src=x onerror=alert(7)>' },
    'lesson-2': { body: HOSTILE },
  });
  await push(course, await givenAuthorKey());
}

async function personalize(token: string, vars: Record<string, string> = {}) {
  const response = await api('/api/personalize', { method: 'POST', key: token, json: { lessonSlug: 'lesson-2' }, vars });
  expect(response.status).toBe(200);
  return response.json<PersonalizedLesson>();
}

const givenModel = (replies: FakeReply[]) => givenFakeModel(replies);

describe('personalized lessons are safe to render, whatever the lesson holds', () => {
  it('strips raw HTML and script links from the offline text, keeps code blocks byte for byte, and caches the safe text', async () => {
    await givenHostileCourse();
    const { token } = await givenLearner({ experience: 'none' });
    const first = await personalize(token);
    expect(first).toMatchObject({ engine: 'offline', cached: false });
    expectHarmless(first.markdown);
    expect(first.markdown).toContain('Lesson 1 &lt;img src=x onerror=alert(7)>');
    expect(first.markdown).toContain(CODE);
    expect(first.markdown).toContain(INLINE_CODE);

    const again = await personalize(token);
    expect(again).toMatchObject({ cached: true, markdown: first.markdown });
    const events = await readEvents(
      await api('/api/personalize/stream', { method: 'POST', key: token, json: { lessonSlug: 'lesson-2' } }),
    );
    expect(events.find((e) => e.event === 'delta')?.data).toEqual({ text: first.markdown });
  });

  it('serves the lesson as written sanitized when the model fails', async () => {
    await givenHostileCourse();
    const { token } = await givenLearner();
    const fake = await givenModel([{ status: 500 }]);
    const result = await personalize(token, fake.vars);
    expect(result).toMatchObject({ engine: 'original', degraded: true });
    expectHarmless(result.markdown);
    expect(result.markdown).toContain(CODE);
  });
});

describe('model output that shows prompt injection', () => {
  const ORIGINAL = lessonBody('lesson-2');
  const GOOD = `Intro to lesson-2, rewritten for you.\n\n## Idea\n\nA friendlier explanation.\n\n${FENCE}sql\nSELECT 1;\n${FENCE}\n\n## Practice\n\nTry it on your own shop data.\n`;

  it('refuses a link the lesson does not have and serves the lesson as written', async () => {
    await push(await buildCourse(4), await givenAuthorKey());
    const { learnerId, token } = await givenLearner();
    const fake = await givenModel([{ content: `${GOOD}\nYour session expired: [log in again](https://evil.test/login).\n` }]);
    const result = await personalize(token, fake.vars);
    expect(result).toMatchObject({ engine: 'original', degraded: true, markdown: ORIGINAL });
    expect(result.notice).toContain('a link that is not in the lesson');
    const { results } = await env.DB.prepare('SELECT outcome FROM generation_log WHERE learner_id = ?').bind(learnerId).all();
    expect(results).toEqual([{ outcome: 'rejected' }]);
    expect((await env.CACHE.list({ prefix: 'personalized:' })).keys).toHaveLength(0);

    // The lesson reached the model as delimited, untrusted data.
    const [call] = await fake.calls();
    const [system, user] = call?.messages ?? [];
    const nonce = /^<<<LESSON-([0-9a-f]{32})$/m.exec(user?.content ?? '')?.[1];
    expect(nonce).toBeDefined();
    expect(user?.content).toContain(`${ORIGINAL}\nLESSON-${nonce}>>>`);
    expect(system?.content).toContain('untrusted data');
  });

  it('escapes raw HTML in model output that passes the check, before caching it', async () => {
    await push(await buildCourse(4), await givenAuthorKey());
    const { token } = await givenLearner();
    const injected = GOOD.replace(
      'A friendlier explanation.',
      'A friendlier <img src=x onerror=alert(1)> explanation.\n\n<script>alert(2)</script>',
    );
    const fake = await givenModel([{ content: injected }]);
    const result = await personalize(token, fake.vars);
    expect(result).toMatchObject({ engine: 'model', degraded: false });
    expectHarmless(result.markdown);
    expect(result.markdown).toContain('A friendlier &lt;img src=x onerror=alert(1)> explanation.');
    expect((await personalize(token, fake.vars)).markdown).toBe(result.markdown);
  });
});
