// Server-Sent Events read with fetch, for tests of GET /api/v1/events.
import type { TestContext } from 'node:test';

/**
 * An SSE stream read with fetch: `next(name)` resolves with the data of the next such event, and
 * rejects when none came within `timeoutMs` (a test fails instead of waiting for its own timeout).
 */
export async function openStream(t: TestContext, url: string, headers: Record<string, string>) {
  const abort = new AbortController();
  const res = await fetch(url, { headers, signal: abort.signal });
  t.after(() => abort.abort());
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    next(name: string, timeoutMs = 15_000): Promise<Record<string, unknown>> {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no ${name} event within ${timeoutMs} ms`)), timeoutMs);
      });
      return Promise.race([nextEvent(name), late]).finally(() => clearTimeout(timer));
    },
    close: () => abort.abort(),
  };

  async function nextEvent(name: string): Promise<Record<string, unknown>> {
    for (;;) {
      const blocks = buffer.split('\n\n');
      buffer = blocks.pop() ?? '';
      for (const [i, block] of blocks.entries()) {
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event === name && data) {
          buffer = `${blocks.slice(i + 1).join('\n\n')}${buffer ? `\n\n${buffer}` : ''}`;
          return JSON.parse(data);
        }
      }
      const { value, done } = await reader.read();
      if (done) throw new Error(`stream ended before ${name}`);
      buffer += value;
    }
  }
}
