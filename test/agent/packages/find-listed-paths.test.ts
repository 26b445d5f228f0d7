import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findListedPaths } from '../../../agent/packages/find-listed-paths.js';

const list = [
  '/.',
  '/usr',
  '/usr/lib/x/libssl.so.3.extra',
  '/usr/lib/x/libssl.so.3',
  '/usr/lib/x/libcrypto.so.3',
].join('\n');

function wanted(paths: string[]): Map<string, true> {
  return new Map(paths.map((p) => [p, true]));
}

// Few wanted paths use one text search each, many use a line split: both must agree.
const padding = Array.from({ length: 40 }, (_, i) => `/nowhere/${i}`);

describe('findListedPaths', () => {
  for (const [label, extra] of [
    ['few wanted paths', []],
    ['many wanted paths', padding],
  ] as const) {
    describe(label, () => {
      it('finds whole lines, including the first and a last one without newline', () => {
        const found = findListedPaths(list, wanted(['/.', '/usr/lib/x/libcrypto.so.3', ...extra]));
        assert.deepEqual(found.sort(), ['/.', '/usr/lib/x/libcrypto.so.3']);
      });

      it('does not take a prefix, a suffix or a middle of a line for the line', () => {
        const found = findListedPaths(
          list,
          wanted(['/usr/lib/x/libssl.so', '/lib/x/libssl.so.3', '/us', ...extra]),
        );
        assert.deepEqual(found, []);
      });

      it('finds a line that first appears as a prefix of another line', () => {
        assert.deepEqual(findListedPaths(list, wanted(['/usr/lib/x/libssl.so.3', ...extra])), [
          '/usr/lib/x/libssl.so.3',
        ]);
      });

      it('never matches an empty wanted path against an empty line', () => {
        assert.deepEqual(findListedPaths('/a\n\n/b\n', wanted(['', ...extra])), []);
      });
    });
  }
});

describe('findListedPaths on bytes', () => {
  it('finds whole lines in a buffer, as in a string', () => {
    const bytes = Buffer.from(`${list}\n/usr/share/dоc/ü\n`);
    assert.deepEqual(findListedPaths(bytes, wanted(['/.', '/usr/lib/x/libssl.so', '/usr/share/dоc/ü'])), [
      '/.',
      '/usr/share/dоc/ü',
    ]);
    assert.deepEqual(findListedPaths(bytes, wanted(['/usr/lib/x/libssl.so.3', ...padding])), [
      '/usr/lib/x/libssl.so.3',
    ]);
  });
});
