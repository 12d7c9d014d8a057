import { base64UrlEncode } from '../../platform/base64url';
import { sha256Hex } from '../../platform/sha256';

/** Scopes an author key can carry. */
export const SCOPES = ['content:write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

const KEY_PREFIX = 'lek_';

/**
 * Builds a new author key from 32 random bytes (passed in, so this stays pure).
 * The key is shown once; only its SHA-256 is stored. A plain hash is enough for
 * a 256-bit random secret: there is nothing to brute-force.
 */
export async function newAuthorKey(
  random: Uint8Array,
  idRandom: Uint8Array,
): Promise<{ id: string; key: string; keyHash: string }> {
  const key = KEY_PREFIX + base64UrlEncode(random);
  return { id: `key_${base64UrlEncode(idRandom)}`, key, keyHash: await sha256Hex(key) };
}

export function looksLikeAuthorKey(value: string): boolean {
  return value.startsWith(KEY_PREFIX) && value.length >= KEY_PREFIX.length + 40 && /^[A-Za-z0-9_-]+$/.test(value);
}

export function hasScope(granted: readonly string[], needed: Scope): boolean {
  return granted.includes(needed) || granted.includes('admin');
}
