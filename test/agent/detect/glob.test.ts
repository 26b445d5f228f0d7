import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileGlobs, globToRegExp } from '../../../agent/detect/glob.js';

describe('globs', () => {
  it('* stays within a segment, ** crosses them, ? is one character', () => {
    assert.equal(globToRegExp('/a/*.so').test('/a/b.so'), true);
    assert.equal(globToRegExp('/a/*.so').test('/a/b/c.so'), false);
    assert.equal(globToRegExp('/a/**').test('/a/b/c.so'), true);
    assert.equal(globToRegExp('ffi??????').test('ffiAbC123'), true);
    assert.equal(globToRegExp('ffi??????').test('ffiAbC12'), false);
  });
  it('treats regex metacharacters literally', () => {
    assert.equal(globToRegExp('getty@*.service').test('getty@tty1.service'), true);
    assert.equal(globToRegExp('a.b').test('axb'), false);
    assert.equal(globToRegExp('(x)+').test('(x)+'), true);
  });
  it('a trailing slash means the whole directory', () => {
    assert.equal(globToRegExp('/opt/app/').test('/opt/app/lib/x.so'), true);
  });
  it('an empty list matches nothing', () => {
    assert.equal(compileGlobs([])('anything'), false);
    assert.equal(compileGlobs(['x', 'y*'])('yes'), true);
  });
});
