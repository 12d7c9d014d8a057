export const SOURCE_TYPES = ['pdf', 'docx', 'txt', 'markdown'] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** RFC 4648 base32 (lower case, no padding): 10 random bytes make a 16-character id. */
export function base32Id(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

/** Where learners open a source's original file (search results and concept pages link here). */
export function sourceFileUrl(id: string, page?: number | null): string {
  return `/api/sources/${id}/file${page ? `#page=${page}` : ''}`;
}
