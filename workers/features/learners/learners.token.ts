import { z } from 'zod';
import { base64UrlDecode, base64UrlEncode } from '../../platform/base64url';
import { LEARNER_ID } from './learners.schemas';

/** Learner tokens live this long; the site refreshes them when 30 days remain. */
export const TOKEN_TTL_SECONDS = 90 * 24 * 60 * 60;
const TOKEN_PREFIX = 'lt1';
const encoder = new TextEncoder();

const ClaimsSchema = z.strictObject({
  sub: z.string().regex(LEARNER_ID),
  iat: z.number().int(),
  exp: z.number().int(),
});
export type TokenClaims = z.infer<typeof ClaimsSchema>;

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

/**
 * HMAC-SHA256 signed learner tokens: `lt1.<claims>.<signature>`, both parts
 * base64url. Stateless, so a request is authenticated without any storage read;
 * the trade-off is that a token cannot be revoked before it expires except by
 * rotating the secret (which signs every learner out).
 */
export async function signLearnerToken(
  secret: string,
  learnerId: string,
  now: Date,
): Promise<{ token: string; expiresAt: Date }> {
  const iat = Math.floor(now.getTime() / 1000);
  const claims: TokenClaims = { sub: learnerId, iat, exp: iat + TOKEN_TTL_SECONDS };
  const body = `${TOKEN_PREFIX}.${base64UrlEncode(encoder.encode(JSON.stringify(claims)))}`;
  const signature = await crypto.subtle.sign('HMAC', await hmacKey(secret), encoder.encode(body));
  return { token: `${body}.${base64UrlEncode(new Uint8Array(signature))}`, expiresAt: new Date(claims.exp * 1000) };
}

/** Checks signature (in constant time, by WebCrypto's verify) first, then expiry. */
export async function verifyLearnerToken(secret: string, token: string, now: Date): Promise<TokenCheck> {
  const [prefix, payload, signature, ...rest] = token.split('.');
  if (prefix !== TOKEN_PREFIX || !payload || !signature || rest.length > 0) return { ok: false, reason: 'malformed' };
  const signatureBytes = base64UrlDecode(signature);
  if (!signatureBytes) return { ok: false, reason: 'malformed' };
  const valid = await crypto.subtle.verify('HMAC', await hmacKey(secret), signatureBytes, encoder.encode(`${prefix}.${payload}`));
  if (!valid) return { ok: false, reason: 'bad_signature' };
  const claims = parseClaims(payload);
  if (!claims) return { ok: false, reason: 'malformed' };
  if (claims.exp <= Math.floor(now.getTime() / 1000)) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}

function parseClaims(payload: string): TokenClaims | null {
  const bytes = base64UrlDecode(payload);
  if (!bytes) return null;
  try {
    const parsed = ClaimsSchema.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Imported keys per secret, per isolate: importKey is the slow part of a check. */
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    keys.set(secret, key);
  }
  return key;
}

/** A new learner id from 16 random bytes (passed in, so callers own randomness). */
export function newLearnerId(random: Uint8Array): string {
  return `lrn_${base64UrlEncode(random)}`;
}
