/** A single-consumer async queue: producers push from any callback, the stream drains it. */
export function createEventQueue<T>(): AsyncIterable<T> & { push: (item: T) => void; close: () => void } {
  const items: T[] = [];
  let closed = false;
  let wake: () => void = () => undefined;
  return {
    push(item) {
      items.push(item);
      wake();
    },
    close() {
      closed = true;
      wake();
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const item = items.shift();
        if (item !== undefined) {
          yield item;
          continue;
        }
        if (closed) return;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
}
