import { z } from 'zod';
import { base64UrlDecode, base64UrlEncode } from '../../platform/base64url';
import { LEARNER_ID } from './learners.schemas';

/** Learner tokens live this long; the site refreshes them when 30 days remain. */
export const TOKEN_TTL_SECONDS = 90 * 24 * 60 * 60;
const TOKEN_PREFIX = 'lt1';
const encoder = new TextEncoder();

/** How far ahead of this server's clock a token's issue time may be (another instance's clock). */
const CLOCK_SKEW_SECONDS = 300;

const ClaimsSchema = z.strictObject({
  sub: z.string().regex(LEARNER_ID),
  iat: z.number().int(),
  exp: z.number().int(),
  /** The learner's token epoch when issued (absent in tokens from before epochs: 0). */
  ep: z.number().int().min(0).default(0),
});
export type TokenClaims = z.infer<typeof ClaimsSchema>;

export type TokenCheck =
  { ok: true; claims: TokenClaims } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' | 'bad_lifetime' };

/**
 * HMAC-SHA256 signed learner tokens: `lt1.<claims>.<signature>`, both parts canonical
 * base64url. The claims carry the learner's token epoch; the learner's object keeps
 * the current one, so a refresh or "sign out everywhere" revokes every older token.
 */
export async function signLearnerToken(
  secret: string,
  learnerId: string,
  now: Date,
  epoch = 0,
): Promise<{ token: string; expiresAt: Date }> {
  const iat = Math.floor(now.getTime() / 1000);
  const claims: TokenClaims = { sub: learnerId, iat, exp: iat + TOKEN_TTL_SECONDS, ep: epoch };
  const body = `${TOKEN_PREFIX}.${base64UrlEncode(encoder.encode(JSON.stringify(claims)))}`;
  const signature = await crypto.subtle.sign('HMAC', await hmacKey(secret), encoder.encode(body));
  return { token: `${body}.${base64UrlEncode(new Uint8Array(signature))}`, expiresAt: new Date(claims.exp * 1000) };
}

/**
 * Checks signature (in constant time, by WebCrypto's verify; once per token per isolate) first, then the lifetime:
 * issued no later than a little ahead of now, living at most TOKEN_TTL_SECONDS from its
 * issue, and not past its expiry. Whether its epoch is still current is the learner's
 * object's to say.
 */
export async function verifyLearnerToken(secret: string, token: string, now: Date): Promise<TokenCheck> {
  const signed = await signedClaims(secret, token);
  if (!signed.ok) return signed;
  const { claims } = signed;
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (claims.iat > nowSeconds + CLOCK_SKEW_SECONDS || claims.exp - claims.iat > TOKEN_TTL_SECONDS) {
    return { ok: false, reason: 'bad_lifetime' };
  }
  if (claims.exp <= nowSeconds) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}

/**
 * Tokens whose signature and claims this isolate checked, with the secret they were checked
 * against: a learner's next requests skip the HMAC and the parse (the lifetime is still
 * checked on every request). At most MAX_VERIFIED, the oldest forgotten first.
 */
const verified = new Map<string, { secret: string; claims: TokenClaims }>();
const MAX_VERIFIED = 10_000;

/** The claims of a token with this server's signature, or why it has none. */
async function signedClaims(
  secret: string,
  token: string,
): Promise<{ ok: true; claims: TokenClaims } | { ok: false; reason: 'malformed' | 'bad_signature' }> {
  const known = verified.get(token);
  if (known?.secret === secret) return { ok: true, claims: known.claims };
  const [prefix, payload, signature, ...rest] = token.split('.');
  if (prefix !== TOKEN_PREFIX || !payload || !signature || rest.length > 0) return { ok: false, reason: 'malformed' };
  const signatureBytes = base64UrlDecode(signature);
  if (!signatureBytes) return { ok: false, reason: 'malformed' };
  const valid = await crypto.subtle.verify('HMAC', await hmacKey(secret), signatureBytes, encoder.encode(`${prefix}.${payload}`));
  if (!valid) return { ok: false, reason: 'bad_signature' };
  const claims = parseClaims(payload);
  if (!claims) return { ok: false, reason: 'malformed' };
  if (verified.size >= MAX_VERIFIED) verified.delete(verified.keys().next().value ?? '');
  verified.set(token, { secret, claims });
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

export function hmacKey(secret: string): Promise<CryptoKey> {
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
