import OpenAI from 'openai';

export interface ChatMessage {
  role: 'system' | 'user';
  content: string;
}

export interface Generation {
  text: string;
  promptTokens: number;
  completionTokens: number;
  /** True when the endpoint reported no usage and tokens were estimated from length. */
  usageEstimated: boolean;
  attempts: number;
}

export type GenerationFailure = 'rate_limited' | 'unavailable' | 'timeout' | 'rejected' | 'bad_response';

/** A generation that failed for good, after any retries; `kind` says why in one word. */
export class GenerationError extends Error {
  readonly kind: GenerationFailure;
  readonly attempts: number;

  constructor(kind: GenerationFailure, message: string, attempts: number) {
    super(message);
    this.name = 'GenerationError';
    this.kind = kind;
    this.attempts = attempts;
  }
}

/** Port over a chat model. `onDelta` receives text as it is produced. */
/** What a model call is for: usage and cost are recorded per feature. */
export type ModelFeature = 'answers' | 'personalize' | 'summaries';

export interface TextGenerator {
  readonly model: string;
  generate(messages: ChatMessage[], options: { feature: ModelFeature; onDelta?: (text: string) => void }): Promise<Generation>;
}

export interface OpenAiGeneratorOptions {
  apiKey: string;
  baseURL?: string | undefined;
  model: string;
  /** Deadline for one attempt, from request to last token. */
  timeoutMs: number;
  /** Retries after the first attempt, on 429, 5xx, connection errors and timeouts. */
  maxRetries: number;
  maxOutputTokens?: number;
  /** Injected for tests; default real timers and Math.random. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const BASE_DELAY_MS = 500;
/** The longest pause between two attempts. */
export const MAX_BACKOFF_MS = 8000;

/**
 * Any OpenAI-compatible chat endpoint (OpenAI, Workers AI's /v1, vLLM, Ollama…)
 * through the `openai` SDK. The SDK's own retries are off so that the policy is
 * ours and tested: exponential backoff with full jitter, honouring Retry-After, and
 * no retry once text has streamed to the learner (a retry would repeat it).
 */
export function createOpenAiTextGenerator(options: OpenAiGeneratorOptions): TextGenerator {
  // Built on first use: deps are made per request, and most requests never generate.
  let client: OpenAI | undefined;
  const openai = () =>
    (client ??= new OpenAI({
      apiKey: options.apiKey,
      baseURL: options.baseURL ?? null,
      maxRetries: 0,
      timeout: options.timeoutMs,
      // Failures surface as GenerationError and are logged once by the caller, not by the SDK.
      logLevel: 'off',
    }));
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;

  async function attempt(messages: ChatMessage[], onDelta: ((text: string) => void) | undefined, state: { streamed: boolean }) {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), options.timeoutMs);
    try {
      const stream = await openai().chat.completions.create(
        {
          model: options.model,
          messages,
          stream: true,
          stream_options: { include_usage: true },
          temperature: 0.3,
          ...(options.maxOutputTokens ? { max_tokens: options.maxOutputTokens } : {}),
        },
        { signal: deadline.signal },
      );
      let text = '';
      let usage: { prompt_tokens: number; completion_tokens: number } | undefined;
      for await (const chunk of stream) {
        const delta = chunk.choices[0]?.delta.content ?? '';
        if (delta) {
          text += delta;
          state.streamed = true;
          onDelta?.(delta);
        }
        if (chunk.usage) usage = chunk.usage;
      }
      return { text, usage };
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    model: options.model,
    async generate(messages, generateOptions) {
      const state = { streamed: false };
      for (let attempts = 1; ; attempts++) {
        try {
          const { text, usage } = await attempt(messages, generateOptions?.onDelta, state);
          if (!text.trim()) throw new GenerationError('bad_response', 'The model returned no text', attempts);
          const promptChars = messages.reduce((n, m) => n + m.content.length, 0);
          return {
            text,
            promptTokens: usage?.prompt_tokens ?? Math.ceil(promptChars / 4),
            completionTokens: usage?.completion_tokens ?? Math.ceil(text.length / 4),
            usageEstimated: usage === undefined,
            attempts,
          };
        } catch (error) {
          const failure = classify(error, attempts);
          const retryable = failure.kind === 'rate_limited' || failure.kind === 'unavailable' || failure.kind === 'timeout';
          if (!retryable || state.streamed || attempts > options.maxRetries) throw failure;
          await sleep(backoffMs(attempts, retryAfterMs(error), random));
        }
      }
    },
  };
}

/** Full-jitter exponential backoff, but never sooner than the server asked. */
export function backoffMs(attempt: number, retryAfter: number | null, random: () => number): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, BASE_DELAY_MS * 2 ** (attempt - 1));
  const jittered = Math.round(ceiling * (0.5 + random() / 2));
  return retryAfter === null ? jittered : Math.max(jittered, Math.min(retryAfter, MAX_BACKOFF_MS));
}

function retryAfterMs(error: unknown): number | null {
  if (!(error instanceof OpenAI.APIError)) return null;
  const headers = error.headers as Headers | undefined;
  if (!headers) return null;
  const seconds = Number(headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : null;
}

function classify(error: unknown, attempts: number): GenerationError {
  if (error instanceof GenerationError) return error;
  if (error instanceof OpenAI.APIConnectionTimeoutError || error instanceof OpenAI.APIUserAbortError) {
    return new GenerationError('timeout', 'The model did not answer in time', attempts);
  }
  if (error instanceof OpenAI.APIConnectionError) {
    return new GenerationError('unavailable', `The model endpoint could not be reached: ${error.message}`, attempts);
  }
  if (error instanceof OpenAI.APIError) {
    const status = Number(error.status ?? 0);
    if (status === 429) return new GenerationError('rate_limited', 'The model endpoint is rate-limiting us', attempts);
    if (status >= 500) return new GenerationError('unavailable', `The model endpoint failed with ${status}`, attempts);
    return new GenerationError('rejected', `The model endpoint refused the request (${status}): ${error.message}`, attempts);
  }
  if (error instanceof Error && error.name === 'AbortError') {
    return new GenerationError('timeout', 'The model did not answer in time', attempts);
  }
  // Malformed stream chunks and the like: the endpoint spoke something other than the protocol.
  return new GenerationError('bad_response', `The model endpoint sent an unusable answer: ${String(error)}`, attempts);
}
