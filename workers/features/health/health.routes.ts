import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/app-env';
import { AppError, problemResponses } from '../../http/problem';
import { validationHook } from '../../http/validation';

const PROBE_TIMEOUT_MS = 2000;

const CheckSchema = z.object({ ok: z.boolean(), ms: z.number(), error: z.string().optional() });
const HealthSchema = z
  .object({ status: z.literal('ok'), checks: z.object({ d1: CheckSchema, kv: CheckSchema, r2: CheckSchema }) })
  .openapi('Health');

async function probe(run: () => Promise<unknown>): Promise<z.infer<typeof CheckSchema>> {
  const started = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      run(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
      }),
    ]);
    return { ok: true, ms: Date.now() - started };
  } catch (error) {
    return { ok: false, ms: Date.now() - started, error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

export const healthRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['Operations'],
      summary: 'Readiness: D1, KV and R2 each answer',
      responses: {
        200: { description: 'Every dependency answered', content: { 'application/json': { schema: HealthSchema } } },
        ...problemResponses(503),
      },
    }),
    async (c) => {
      const { probes } = c.get('deps');
      const [d1, kv, r2] = await Promise.all([probe(probes.d1), probe(probes.kv), probe(probes.r2)]);
      const checks = { d1, kv, r2 };
      const failed = Object.entries(checks).filter(([, check]) => !check.ok);
      if (failed.length > 0) {
        throw new AppError(
          'service_unavailable',
          failed.map(([name, check]) => `${name}: ${check.error ?? 'failed'}`).join('; '),
        );
      }
      return c.json({ status: 'ok' as const, checks }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/live',
      tags: ['Operations'],
      summary: 'Liveness: answers without touching storage (the benchmark floor)',
      responses: {
        200: { description: 'Alive', content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } } },
      },
    }),
    (c) => c.json({ status: 'ok' as const }, 200),
  );
