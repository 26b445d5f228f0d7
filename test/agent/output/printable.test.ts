import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { printable } from '../../../agent/output/printable.js';

describe('printable', () => {
  test('leaves ordinary text, UTF-8 and backslashes alone', () => {
    for (const text of ['nginx.service', 'dev-disk-by\\x2duuid.swap', 'café ☕ 日本', 'sshd: alice@pts/0']) {
      assert.equal(printable(text), text);
    }
  });

  test('shows terminal escapes, newlines and DEL as \\xNN', () => {
    assert.equal(printable('a\x1b[2Jb'), 'a\\x1b[2Jb');
    assert.equal(printable('line\nnext\r\t'), 'line\\x0anext\\x0d\\x09');
    assert.equal(printable('\x00\x7f\x9b'), '\\x00\\x7f\\x9b');
  });

  test('shows bidirectional controls and line separators as \\u{…}', () => {
    assert.equal(printable('evil\u202egpj.so'), 'evil\\u{202e}gpj.so');
    assert.equal(printable('\u2066x\u2069\u2028'), '\\u{2066}x\\u{2069}\\u{2028}');
  });
});
