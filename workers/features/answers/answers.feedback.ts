import { z } from 'zod';
import { base64UrlDecode, base64UrlEncode } from '../../platform/base64url';
import { hmacKey } from '../learners/learners.token';

const PREFIX = 'ans1';
const encoder = new TextEncoder();

/** What an answer's id says about it: enough to count feedback on it, nothing the learner typed. */
const AnswerRefSchema = z.strictObject({
  /** The cache key's hash: the same question, scope and content give the same answer. */
  k: z.string().regex(/^[0-9a-f]{16}$/),
  e: z.enum(['offline', 'model']),
  /** The lesson the answer is about (its first citation, else its first suggestion, else the one asked from). */
  l: z.string().min(1).max(200).nullable(),
});
export type AnswerRef = z.infer<typeof AnswerRefSchema>;

/**
 * An answer's id, `ans1.<ref>.<signature>`: the ref signed with the server's secret
 * for this learner alone, so feedback is taken only on answers this learner was given
 * (another learner's id, or a made-up one, fails the check) without storing answers.
 */
export async function signAnswerRef(secret: string, learnerId: string, ref: AnswerRef): Promise<string> {
  const body = `${PREFIX}.${base64UrlEncode(encoder.encode(JSON.stringify(ref)))}`;
  const signature = await crypto.subtle.sign('HMAC', await hmacKey(secret), encoder.encode(`${learnerId}.${body}`));
  return `${body}.${base64UrlEncode(new Uint8Array(signature).slice(0, 16))}`;
}

/** The ref of an answer id signed for `learnerId`, or null for any other string. */
export async function readAnswerRef(secret: string, learnerId: string, id: string): Promise<AnswerRef | null> {
  const [prefix, payload, signature, ...rest] = id.split('.');
  if (prefix !== PREFIX || !payload || !signature || rest.length > 0) return null;
  const bytes = base64UrlDecode(payload);
  if (!bytes) return null;
  const expected = new Uint8Array(
    await crypto.subtle.sign('HMAC', await hmacKey(secret), encoder.encode(`${learnerId}.${prefix}.${payload}`)),
  ).slice(0, 16);
  // Compared in full, whatever differs first.
  const given = base64UrlDecode(signature);
  if (!given || given.length !== expected.length || given.reduce((d, b, i) => d | (b ^ (expected[i] ?? 0)), 0) !== 0) {
    return null;
  }
  try {
    const ref = AnswerRefSchema.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
    return ref.success ? ref.data : null;
  } catch {
    return null;
  }
}
