import { describe, expect, it } from 'vitest';
import { readJsonEvents, readServerSentEvents, StreamProtocolError, type Guard } from './sse';

/** A body that delivers exactly these chunks, as a network might split them. */
function body(...chunks: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
      controller.close();
    },
  });
}

async function collect<T>(events: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const event of events) out.push(event);
  return out;
}

const guards = {
  delta: ((d) => typeof d === 'object' && d !== null && typeof (d as { text?: unknown }).text === 'string') as Guard<{
    text: string;
  }>,
  done: ((d) => typeof d === 'object' && d !== null) as Guard<object>,
};

describe('readServerSentEvents', () => {
  it('joins lines and events split anywhere across chunks', async () => {
    const events = await collect(
      readServerSentEvents(body('eve', 'nt: delta\nda', 'ta: {"text":"He', 'llo"}\n', '\nevent: done\r', '\ndata: {}\r\n\r\n')),
    );
    expect(events).toEqual([
      { event: 'delta', data: '{"text":"Hello"}' },
      { event: 'done', data: '{}' },
    ]);
  });

  it('reads several events from one chunk', async () => {
    const events = await collect(readServerSentEvents(body('event: a\ndata: 1\n\nevent: b\ndata: 2\n\ndata: 3\n\n')));
    expect(events).toEqual([
      { event: 'a', data: '1' },
      { event: 'b', data: '2' },
      { event: 'message', data: '3' },
    ]);
  });

  it('keeps a character whose UTF-8 bytes are split between chunks', async () => {
    const bytes = new TextEncoder().encode('data: café\n\n');
    const cut = bytes.indexOf(0xc3) + 1;
    const events = await collect(readServerSentEvents(body(bytes.slice(0, cut), bytes.slice(cut))));
    expect(events).toEqual([{ event: 'message', data: 'café' }]);
  });

  it('joins multi-line data, skips comments and drops an event left unfinished', async () => {
    const events = await collect(readServerSentEvents(body(': keep-alive\n\nevent: x\ndata: a\ndata:b\n\nevent: y\ndata: cut')));
    expect(events).toEqual([{ event: 'x', data: 'a\nb' }]);
  });
});

describe('readJsonEvents', () => {
  it('parses the data of known events and skips unknown ones', async () => {
    const events = await collect(
      readJsonEvents(
        body('event: ping\ndata: not json\n\nevent: delta\ndata: {"text":"Hi"}\n\nevent: done\ndata: {}\n\n'),
        guards,
      ),
    );
    expect(events).toEqual([
      { event: 'delta', data: { text: 'Hi' } },
      { event: 'done', data: {} },
    ]);
  });

  it('fails on malformed JSON in a known event', async () => {
    const events = collect(readJsonEvents(body('event: delta\ndata: {"text":\n\n'), guards));
    await expect(events).rejects.toThrow(StreamProtocolError);
    await expect(events).rejects.toThrow('"delta" event carried malformed JSON');
  });

  it('fails on data without the fields its event promises', async () => {
    await expect(collect(readJsonEvents(body('event: delta\ndata: {"txt":"Hi"}\n\n'), guards))).rejects.toThrow(
      'did not have the expected fields',
    );
  });

  it('does not mistake inherited names such as "toString" for known events', async () => {
    const events = await collect(readJsonEvents(body('event: toString\ndata: {}\n\n'), guards));
    expect(events).toEqual([]);
  });
});

describe('a consumer that stops early', () => {
  it('cancels the body so the connection is freed', async () => {
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('data: 1\n\ndata: 2\n\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const event of readServerSentEvents(stream)) {
      expect(event.data).toBe('1');
      break;
    }
    expect(cancelled).toBe(true);
  });
});
