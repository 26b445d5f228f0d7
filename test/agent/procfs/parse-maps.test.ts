import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { decodeMapsPath, parseDevice, parseExecMappings } from '../../../agent/procfs/parse-maps.js';
import { fixturePath } from '../../helpers/paths.js';

const edgeCases = readFileSync(fixturePath('procfs', 'maps-edge-cases.txt'), 'utf8');

describe('parseExecMappings', () => {
  const mappings = parseExecMappings(edgeCases);
  const byPath = new Map(mappings.map((m) => [m.rawPath, m]));

  it('keeps only executable, file-backed mappings, once per file', () => {
    assert.deepEqual(
      mappings.map((m) => m.rawPath),
      [
        '/usr/sbin/nginx (deleted)',
        '/usr/lib/x86_64-linux-gnu/libc.so.6',
        '/opt/my app/lib/libspace y.so',
        '/opt/odd\nname/libnl.so',
        '/memfd:runc_cloned:/proc/self/exe (deleted)',
        '/SYSV0000abcd (deleted)',
        '/dev/shm/sem.jit (deleted)',
        '/var/lib/overlay/lib.so',
        '/mnt/nvme/libwide.so',
      ],
    );
  });

  it('drops read-only data mappings even when deleted', () => {
    assert.equal(byPath.has('/var/lib/db/data.db (deleted)'), false);
  });

  it('splits the deleted mark from the path', () => {
    const nginx = byPath.get('/usr/sbin/nginx (deleted)');
    assert.equal(nginx?.path, '/usr/sbin/nginx');
    assert.equal(nginx?.deleted, true);
    assert.equal(byPath.get('/usr/lib/x86_64-linux-gnu/libc.so.6')?.deleted, false);
  });

  it('decodes device numbers and inodes beyond 2^53', () => {
    const libc = byPath.get('/usr/lib/x86_64-linux-gnu/libc.so.6');
    assert.deepEqual(libc?.dev, { major: 0xfd, minor: 1 });
    assert.equal(libc?.inode, 2097266n);
    assert.equal(byPath.get('/var/lib/overlay/lib.so')?.inode, 123456789012345n);
    assert.deepEqual(byPath.get('/mnt/nvme/libwide.so')?.dev, { major: 0x103, minor: 0x1a2 });
  });

  it('keeps spaces inside paths', () => {
    assert.equal(byPath.get('/opt/my app/lib/libspace y.so')?.path, '/opt/my app/lib/libspace y.so');
  });

  it('accepts an empty maps file (zombie) and a missing trailing newline', () => {
    assert.deepEqual(parseExecMappings(''), []);
    const one = parseExecMappings('7f00-7f10 r-xp 00000000 08:01 42 /lib/x.so');
    assert.equal(one[0]?.path, '/lib/x.so');
  });

  it('ignores malformed lines instead of throwing', () => {
    assert.deepEqual(parseExecMappings('garbage\n7f00 r-xp\n\n'), []);
  });
});

describe('decodeMapsPath and parseDevice', () => {
  it('turns the kernel escape \\012 back into a newline', () => {
    assert.equal(decodeMapsPath('/a\\012b'), '/a\nb');
    assert.equal(decodeMapsPath('/plain'), '/plain');
  });
  it('parses hex major:minor and rejects junk', () => {
    assert.deepEqual(parseDevice('08:11'), { major: 8, minor: 17 });
    assert.equal(parseDevice('zz'), undefined);
  });
});
