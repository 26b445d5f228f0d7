import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isNotFound, readBoundedText, readBoundedTextSync } from '../../../agent/packages/read-bounded.js';

const dir = mkdtempSync(join(tmpdir(), 'afterpatch-read-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'log');
writeFileSync(file, 'line one\nline two\nline three\n');
mkdirSync(join(dir, 'sub'));

describe('readBoundedText', () => {
  it('reads a small file whole', async () => {
    assert.deepEqual(await readBoundedText(file, 1000), {
      text: 'line one\nline two\nline three\n',
      truncated: false,
    });
  });

  it('reads the head of a large file', async () => {
    assert.deepEqual(await readBoundedText(file, 8), { text: 'line one', truncated: true });
  });

  it('reads the tail without the partial first line', async () => {
    // The last 16 bytes are " two\nline three\n": the broken first line is dropped.
    assert.deepEqual(await readBoundedText(file, 16, { fromEnd: true }), {
      text: 'line three\n',
      truncated: true,
    });
  });

  it('returns errors instead of throwing', async () => {
    const missing = await readBoundedText(join(dir, 'nope'), 10);
    assert.equal(missing.text, undefined);
    assert.ok(isNotFound(missing.error));
    const directory = await readBoundedText(join(dir, 'sub'), 10);
    assert.equal(directory.text, undefined);
    assert.equal(directory.error?.code, 'EINVAL');
    assert.ok(!isNotFound(directory.error));
  });
});

describe('readBoundedTextSync', () => {
  it('reads the head, bounded, and returns errors', () => {
    assert.deepEqual(readBoundedTextSync(file, 1000), {
      text: 'line one\nline two\nline three\n',
      truncated: false,
    });
    assert.deepEqual(readBoundedTextSync(file, 4), { text: 'line', truncated: true });
    assert.equal(readBoundedTextSync(join(dir, 'nope'), 10).error?.code, 'ENOENT');
    assert.equal(readBoundedTextSync(join(dir, 'sub'), 10).error?.code, 'EINVAL');
  });
});
