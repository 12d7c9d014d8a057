import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody, sendJson } from './http-json';

/**
 * One scripted answer of the fake endpoint. `content` streams as SSE chunks (split
 * into `chunks` pieces); `status` answers an error instead; `garbage` sends bytes
 * that are not the protocol; `hang` never answers (for timeouts).
 */
export interface FakeReply {
  status?: number;
  retryAfter?: number;
  content?: string;
  chunks?: number;
  usage?: { prompt_tokens: number; completion_tokens: number } | null;
  garbage?: boolean;
  hang?: boolean;
  /** Pause between streamed chunks, to let a test see text arrive before the end. */
  chunkDelayMs?: number;
  /**
   * A regular expression run on the request's messages (their contents joined by a
   * newline): each `{{n}}` in `content` becomes its group n (empty without a match), so a
   * reply can echo what only this request held, such as a prompt's per-request canary.
   */
  capture?: string;
}

export interface FakeOpenAi {
  url: string;
  close(): Promise<void>;
}

/**
 * A real HTTP server speaking the OpenAI chat-completions protocol (streaming and
 * not), scripted per `model` name so parallel tests never share a script:
 * `POST /__script {model, replies}` queues replies (the last one repeats);
 * `GET /__calls?model=` returns the requests received for that model.
 */
export async function startFakeOpenAi(port = 0): Promise<FakeOpenAi> {
  const scripts = new Map<string, FakeReply[]>();
  const calls = new Map<string, unknown[]>();
  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: String(error) } }));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (req.method === 'POST' && url.pathname === '/__script') {
      const { model, replies } = JSON.parse(await readBody(req)) as { model: string; replies: FakeReply[] };
      scripts.set(model, replies);
      calls.set(model, []);
      return sendJson(res, 200, { ok: true });
    }
    if (req.method === 'GET' && url.pathname === '/__calls') {
      return sendJson(res, 200, { calls: calls.get(url.searchParams.get('model') ?? '') ?? [] });
    }
    if (req.method !== 'POST' || !url.pathname.endsWith('/chat/completions')) {
      return sendJson(res, 404, { error: { message: `no route ${req.method} ${url.pathname}` } });
    }
    const body = JSON.parse(await readBody(req)) as { model: string; stream?: boolean; messages: unknown[] };
    const list = calls.get(body.model) ?? [];
    list.push(body);
    calls.set(body.model, list);
    const queue = scripts.get(body.model) ?? [];
    const reply = (queue.length > 1 ? queue.shift() : queue[0]) ?? { content: 'fake reply' };
    if (reply.hang) return;
    if (reply.status && reply.status >= 400) {
      const headers: Record<string, string> = reply.retryAfter === undefined ? {} : { 'retry-after': String(reply.retryAfter) };
      return sendJson(res, reply.status, { error: { message: `scripted ${reply.status}`, type: 'fake' } }, headers);
    }
    if (reply.garbage) {
      res.writeHead(200, { 'content-type': body.stream ? 'text/event-stream' : 'application/json' });
      return res.end(body.stream ? 'data: {not json at all\n\n' : '<html>oops</html>');
    }
    const content = fill(reply, body.messages);
    const usage = reply.usage === undefined ? { prompt_tokens: 100, completion_tokens: 50, total_tokens: 150 } : reply.usage;
    if (!body.stream) {
      return sendJson(res, 200, {
        id: 'chatcmpl-fake',
        object: 'chat.completion',
        created: 0,
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        ...(usage ? { usage } : {}),
      });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const pieces = split(content, reply.chunks ?? 4);
    const chunk = (delta: object, extra: object = {}) =>
      `data: ${JSON.stringify({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 0, model: body.model, choices: [{ index: 0, delta, finish_reason: null }], ...extra })}\n\n`;
    res.write(chunk({ role: 'assistant', content: '' }));
    for (const piece of pieces) {
      if (reply.chunkDelayMs) await new Promise((r) => setTimeout(r, reply.chunkDelayMs));
      res.write(chunk({ content: piece }));
    }
    if (usage) {
      res.write(
        `data: ${JSON.stringify({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 0, model: body.model, choices: [], usage })}\n\n`,
      );
    }
    res.end('data: [DONE]\n\n');
  }

  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  server.unref();
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The reply's content, its `{{n}}` replaced by the groups of `capture` in the request's messages. */
function fill(reply: FakeReply, messages: unknown[]): string {
  const content = reply.content ?? '';
  if (reply.capture === undefined) return content;
  const sent = messages
    .map((m) => (m as { content?: unknown }).content)
    .map((c) => (typeof c === 'string' ? c : ''))
    .join('\n');
  const groups = new RegExp(reply.capture).exec(sent);
  return content.replace(/\{\{(\d+)\}\}/g, (_, n: string) => groups?.[Number(n)] ?? '');
}

function split(text: string, parts: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / Math.max(1, parts)));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}
