/** Producer side of a queue, typed by its message union. */
export interface JobQueue<T> {
  sendAll(messages: T[]): Promise<void>;
}

/** Cloudflare Queues adapter; batches respect the 100-message sendBatch limit. */
export function createJobQueue<T>(queue: Queue): JobQueue<T> {
  return {
    async sendAll(messages) {
      for (let i = 0; i < messages.length; i += 100) {
        await queue.sendBatch(messages.slice(i, i + 100).map((body) => ({ body, contentType: 'json' as const })));
      }
    },
  };
}
