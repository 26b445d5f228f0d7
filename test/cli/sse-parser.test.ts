// The SSE parser on the cuts a network makes: events split anywhere, CRLF and CR line ends,
// comments (heartbeats), multi-line data, ids that persist, retry.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SseParser } from '../../cli/api/sse-parser.js';

const STREAM =
  ': afterpatch events\nretry: 3000\n\n' +
  'id: 1\nevent: step.changed\ndata: {"a":1}\n\n' +
  ': heartbeat\r\n\r\n' +
  'event: rollout.changed\r\ndata: line one\r\ndata:line two\r\n\r\n' +
  'data: no event name\rid: 7\r\r\n';

test('the same events whatever the chunking', () => {
  for (let size = 1; size <= STREAM.length; size++) {
    const parser = new SseParser();
    const events = [];
    let comments = 0;
    let retry: number | undefined;
    for (let i = 0; i < STREAM.length; i += size) {
      const r = parser.push(STREAM.slice(i, i + size));
      events.push(...r.events);
      comments += r.comments;
      retry = r.retryMs ?? retry;
    }
    assert.deepEqual(
      events,
      [
        { event: 'step.changed', data: '{"a":1}', id: '1' },
        { event: 'rollout.changed', data: 'line one\nline two', id: '1' },
        { event: 'message', data: 'no event name', id: '7' },
      ],
      `chunk size ${size}`,
    );
    assert.equal(comments, 2);
    assert.equal(retry, 3000);
    assert.equal(parser.lastEventId, '7');
  }
});

test('an event without data is not dispatched; an unfinished one waits for its blank line', () => {
  const parser = new SseParser();
  assert.deepEqual(parser.push('event: x\n\n').events, []);
  assert.deepEqual(parser.push('data: y\n').events, []);
  assert.deepEqual(parser.push('\n').events, [{ event: 'message', data: 'y', id: undefined }]);
});
