// An incremental parser for Server-Sent Events (the WHATWG "event stream interpretation"): feed it
// text chunks as they arrive, in any cut, and it returns each complete event. Comments (the
// server's heartbeats) are reported apart so a reader can tell a quiet stream from a dead one.
export interface SseEvent {
  /** `message` when the server gave no `event:` line. */
  event: string;
  data: string;
  /** The last `id:` seen on this stream (ids persist across events, as in EventSource). */
  id: string | undefined;
}

export interface SseChunkResult {
  events: SseEvent[];
  /** Comment lines (`: heartbeat`) seen in this chunk. */
  comments: number;
  /** The server's `retry:` in milliseconds, when it sent one in this chunk. */
  retryMs: number | undefined;
}

/** Bytes of one event before it is dropped as garbage rather than buffered without bound. */
const MAX_EVENT_CHARS = 1024 * 1024;

export class SseParser {
  private buffer = '';
  private dataLines: string[] = [];
  private eventType = '';
  private dataChars = 0;
  lastEventId: string | undefined;

  push(chunk: string): SseChunkResult {
    const result: SseChunkResult = { events: [], comments: 0, retryMs: undefined };
    this.buffer += chunk;
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      // A lone \r at the end may be the first half of \r\n: wait for more.
      if (!match || (match[0] === '\r' && match.index === this.buffer.length - 1)) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      this.line(line, result);
    }
    if (this.buffer.length > MAX_EVENT_CHARS) this.buffer = '';
    return result;
  }

  private line(line: string, result: SseChunkResult): void {
    if (line === '') {
      this.dispatch(result);
      return;
    }
    if (line.startsWith(':')) {
      result.comments++;
      return;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.eventType = value;
        break;
      case 'data':
        this.dataChars += value.length;
        if (this.dataChars <= MAX_EVENT_CHARS) this.dataLines.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) result.retryMs = Number(value);
        break;
      default:
      // Unknown fields are ignored, as the specification says.
    }
  }

  private dispatch(result: SseChunkResult): void {
    if (this.dataLines.length > 0 && this.dataChars <= MAX_EVENT_CHARS) {
      result.events.push({
        event: this.eventType || 'message',
        data: this.dataLines.join('\n'),
        id: this.lastEventId,
      });
    }
    this.dataLines = [];
    this.eventType = '';
    this.dataChars = 0;
  }
}
