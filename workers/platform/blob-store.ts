/** Content-addressed file storage. Keys are SHA-256 hashes, so objects never change. */
export interface BlobStore {
  put(hash: string, bytes: ArrayBuffer, contentType: string): Promise<void>;
  get(hash: string): Promise<{ body: ReadableStream; contentType: string; size: number } | null>;
  getText(hash: string): Promise<string | null>;
  delete(hashes: string[]): Promise<void>;
}

const key = (hash: string) => `blobs/${hash}`;

/**
 * Recently read text blobs, per isolate. A hash names its bytes forever, so an
 * entry can never be stale; the budget keeps memory bounded (oldest out first).
 */
const textByHash = new Map<string, string>();
let textBytes = 0;
const TEXT_MEMO_BUDGET = 8 * 1024 * 1024;
const TEXT_MEMO_MAX_ITEM = 512 * 1024;

function rememberText(hash: string, text: string): void {
  if (text.length > TEXT_MEMO_MAX_ITEM || textByHash.has(hash)) return;
  textByHash.set(hash, text);
  textBytes += text.length;
  for (const [oldest, value] of textByHash) {
    if (textBytes <= TEXT_MEMO_BUDGET) break;
    textByHash.delete(oldest);
    textBytes -= value.length;
  }
}

/** R2 adapter. R2 re-checks the SHA-256 on put, so a corrupted upload is refused by storage too. */
export function createR2BlobStore(bucket: R2Bucket): BlobStore {
  return {
    async put(hash, bytes, contentType) {
      await bucket.put(key(hash), bytes, { sha256: hash, httpMetadata: { contentType } });
    },
    async get(hash) {
      const object = await bucket.get(key(hash));
      if (!object) return null;
      return {
        body: object.body,
        contentType: object.httpMetadata?.contentType ?? 'application/octet-stream',
        size: object.size,
      };
    },
    async getText(hash) {
      const remembered = textByHash.get(hash);
      if (remembered !== undefined) return remembered;
      const object = await bucket.get(key(hash));
      if (!object) return null;
      const text = await object.text();
      rememberText(hash, text);
      return text;
    },
    async delete(hashes) {
      for (const hash of hashes) {
        const text = textByHash.get(hash);
        if (text !== undefined) textBytes -= text.length;
        textByHash.delete(hash);
      }
      // R2 deletes at most 1000 keys per call.
      for (let i = 0; i < hashes.length; i += 1000) await bucket.delete(hashes.slice(i, i + 1000).map(key));
    },
  };
}
