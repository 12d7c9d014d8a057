/** URL-safe base64 without padding (RFC 4648 §5), for ids, keys and tokens. */
export function base64UrlEncode(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * The inverse of base64UrlEncode; null for text that is not canonical URL-safe base64:
 * no padding, no length of 4n+1, and no set bits after the last whole byte, so each
 * byte string has exactly one encoding (a signature cannot be varied and still pass).
 */
export function base64UrlDecode(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    bytes = Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
  } catch {
    return null;
  }
  return base64UrlEncode(bytes) === text ? bytes : null;
}
