import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stripTempSuffix } from '../../../agent/packages/temp-suffix.js';

describe('stripTempSuffix', () => {
  it('strips rpm ;hex suffixes of 8 digits or more', () => {
    assert.deepEqual(stripTempSuffix('/usr/lib64/libssl.so.3;65b2c1f0'), {
      path: '/usr/lib64/libssl.so.3',
      renamed: true,
    });
    assert.deepEqual(stripTempSuffix('/usr/lib64/libc.so.6;0123456789abcdef'), {
      path: '/usr/lib64/libc.so.6',
      renamed: true,
    });
    assert.deepEqual(stripTempSuffix('/usr/bin/x;ABCDEF12'), { path: '/usr/bin/x', renamed: true });
  });

  it('strips dpkg .dpkg-new and .dpkg-tmp', () => {
    assert.deepEqual(stripTempSuffix('/usr/lib/x86_64-linux-gnu/libc.so.6.dpkg-new'), {
      path: '/usr/lib/x86_64-linux-gnu/libc.so.6',
      renamed: true,
    });
    assert.deepEqual(stripTempSuffix('/usr/sbin/nginx.dpkg-tmp'), { path: '/usr/sbin/nginx', renamed: true });
  });

  it("strips prelink's .#prelink#.XXXXXX", () => {
    assert.deepEqual(stripTempSuffix('/usr/lib64/libfoo.so.1.#prelink#.Ab3xZ9'), {
      path: '/usr/lib64/libfoo.so.1',
      renamed: true,
    });
  });

  it('leaves names that merely look similar', () => {
    const untouched = [
      '/usr/lib64/libssl.so.3', // no suffix
      '/usr/lib64/libssl.so.3;1234567', // 7 hex digits
      '/usr/lib64/libssl.so.3;1234567g', // not hex
      '/usr/lib64/libssl.so.3;12345678.bak', // not at the end
      '/data/a;b/file', // ';' in a directory name
      '/data/dir;12345678/file', // suffix on a directory, not the file
      '/usr/lib64/;12345678', // nothing before the suffix
      '/etc/nginx/nginx.conf.dpkg-old', // a conffile dpkg keeps, not a temporary name
      '/etc/nginx/nginx.conf.dpkg-dist',
      '/usr/lib/x/.dpkg-new', // a file named only the suffix
      '/usr/lib/x/libc.so.6.dpkg-newer',
      '/usr/lib/x/libc.so.6.dpkg-new/inner', // suffix on a directory
      '/usr/lib64/libfoo.so.1.#prelink#.Ab3x', // 5 characters
      '/usr/lib64/libfoo.so.1.#prelink#.Ab3xZ9Q', // 7 characters
      '/usr/lib64/libfoo.so.1#prelink#.Ab3xZ9', // missing dot
    ];
    for (const path of untouched) assert.deepEqual(stripTempSuffix(path), { path, renamed: false }, path);
  });

  it('strips one suffix only', () => {
    assert.deepEqual(stripTempSuffix('/usr/bin/a.dpkg-new;12345678'), {
      path: '/usr/bin/a.dpkg-new',
      renamed: true,
    });
  });
});
