/**
 * A reader for `text/event-stream` bodies fetched with `fetch` (EventSource cannot
 * POST or send an Authorization header). Follows the WHATWG parsing rules the API
 * uses: `event:` and `data:` fields, `:` comments, a blank line ends an event.
 */

/** One event as it came over the wire: its name (default `message`) and raw data. */
export interface RawEvent {
  event: string;
  data: string;
}

/** The stream broke the protocol: malformed JSON, or data of the wrong shape. */
export class StreamProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StreamProtocolError';
  }
}

/** Yields each complete event; chunks may split lines, events and UTF-8 characters anywhere. */
export async function* readServerSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<RawEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let hasData = false;
  let finished = false;

  // Returns the event a blank line completes, if it had any data.
  const takeLine = (line: string): RawEvent | null => {
    if (line === '') {
      const done = hasData ? { event: event || 'message', data: data.join('\n') } : null;
      event = '';
      data = [];
      hasData = false;
      return done;
    }
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') {
      data.push(value);
      hasData = true;
    }
    return null;
  };

  try {
    for (;;) {
      const { done, value } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      for (;;) {
        const end = buffer.search(/\r\n|\r|\n/);
        // A lone trailing \r may be the first half of \r\n: wait for the next chunk.
        if (end === -1 || (end === buffer.length - 1 && buffer[end] === '\r' && !done)) break;
        const breakLength = buffer.startsWith('\r\n', end) ? 2 : 1;
        const completed = takeLine(buffer.slice(0, end));
        buffer = buffer.slice(end + breakLength);
        if (completed) yield completed;
      }
      // An event not ended by a blank line is incomplete and, per the spec, dropped.
      if (done) {
        finished = true;
        return;
      }
    }
  } finally {
    // A consumer that stops early (done, or the reader left) frees the connection.
    if (!finished) reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/** A check that a parsed `data` value has the shape its event promises. */
export type Guard<T> = (data: unknown) => data is T;

/** The union of `{ event, data }` pairs a set of guards accepts. */
export type TypedEvent<G extends Record<string, Guard<unknown>>> = {
  [K in keyof G & string]: { event: K; data: G[K] extends Guard<infer T> ? T : never };
}[keyof G & string];

/**
 * Yields the events named in `guards` with their JSON data checked; other event
 * names are skipped (the server may add new ones). Malformed JSON or data of the
 * wrong shape throws {@link StreamProtocolError}.
 */
export async function* readJsonEvents<G extends Record<string, Guard<unknown>>>(
  body: ReadableStream<Uint8Array>,
  guards: G,
): AsyncGenerator<TypedEvent<G>> {
  for await (const { event, data } of readServerSentEvents(body)) {
    if (!Object.hasOwn(guards, event)) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      throw new StreamProtocolError(`The "${event}" event carried malformed JSON.`);
    }
    const guard = guards[event];
    if (!guard?.(parsed)) throw new StreamProtocolError(`The "${event}" event did not have the expected fields.`);
    yield { event, data: parsed } as TypedEvent<G>;
  }
}
