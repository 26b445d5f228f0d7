import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type HeldFile,
  type JudgeContext,
  judgeHeldFile,
  judgeReadFile,
} from '../../../agent/detect/judge-file.js';
import type { FileStat } from '../../../agent/host/file-stat.js';

const START = 1_700_000_000_000;
const disk = { major: 253, minor: 1 };

function fileStat(ino: bigint, overrides: Partial<FileStat> = {}): FileStat {
  return {
    dev: disk,
    ino,
    mtimeMs: START - 86_400_000,
    ctimeMs: START - 86_400_000,
    birthtimeMs: START - 86_400_000,
    size: 1000,
    isFile: true,
    ...overrides,
  };
}

function context(files: Record<string, FileStat>): JudgeContext {
  return { lookup: (p) => files[p], bootTimeMs: START - 3_600_000, processStartMs: START, toleranceMs: 2000 };
}

function held(rawPath: string, inode: bigint, dev = disk): HeldFile {
  const deleted = rawPath.endsWith(' (deleted)');
  return { rawPath, path: deleted ? rawPath.slice(0, -10) : rawPath, deleted, dev, inode };
}

describe('judgeHeldFile', () => {
  it('is silent for an unchanged file', () => {
    assert.equal(
      judgeHeldFile(held('/usr/lib/libc.so.6', 10n), context({ '/usr/lib/libc.so.6': fileStat(10n) })),
      undefined,
    );
  });

  it('flags an unlinked name as deleted, mentioning a replacement when one exists', () => {
    const replaced = judgeHeldFile(
      held('/usr/lib/libssl.so.3 (deleted)', 10n),
      context({ '/usr/lib/libssl.so.3': fileStat(11n) }),
    );
    assert.equal(replaced?.reason, 'deleted');
    assert.equal(replaced?.path, '/usr/lib/libssl.so.3');
    assert.match(replaced!.detail, /new one installed/);
    const gone = judgeHeldFile(held('/usr/lib/libgone.so (deleted)', 10n), context({}));
    assert.equal(gone?.reason, 'deleted');
    assert.equal(gone?.detail, 'file deleted');
  });

  it('is not fooled by a file whose real name ends in " (deleted)"', () => {
    const ctx = context({ '/opt/x/lib (deleted)': fileStat(20n) });
    assert.equal(judgeHeldFile(held('/opt/x/lib (deleted)', 20n), ctx), undefined);
  });

  it('does not flag a deleted mark when the same inode is back at the path', () => {
    assert.equal(
      judgeHeldFile(held('/usr/lib/liba.so (deleted)', 30n), context({ '/usr/lib/liba.so': fileStat(30n) })),
      undefined,
    );
  });

  it('flags a different inode at the path as replaced (a mount stacked over the directory)', () => {
    const v = judgeHeldFile(
      held('/usr/lib/libz.so.1', 40n),
      context({ '/usr/lib/libz.so.1': fileStat(41n) }),
    );
    assert.equal(v?.reason, 'replaced');
  });

  it('flags a device change as replaced, but not when a device is anonymous (overlay, btrfs)', () => {
    const otherDisk = { major: 8, minor: 1 };
    const moved = judgeHeldFile(held('/lib/x.so', 50n, otherDisk), context({ '/lib/x.so': fileStat(50n) }));
    assert.equal(moved?.reason, 'replaced');
    const overlay = { major: 0, minor: 45 };
    assert.equal(
      judgeHeldFile(held('/lib/x.so', 50n, overlay), context({ '/lib/x.so': fileStat(50n) })),
      undefined,
    );
  });

  it('flags an in-place overwrite by mtime, with the tolerance for btime resolution', () => {
    const late = judgeHeldFile(
      held('/lib/y.so', 60n),
      context({ '/lib/y.so': fileStat(60n, { mtimeMs: START + 5000 }) }),
    );
    assert.equal(late?.reason, 'modified');
    const withinTolerance = fileStat(60n, { mtimeMs: START + 1500 });
    assert.equal(judgeHeldFile(held('/lib/y.so', 60n), context({ '/lib/y.so': withinTolerance })), undefined);
  });

  it('reports a path that vanished without a deleted mark as missing', () => {
    assert.equal(judgeHeldFile(held('/chroot/lib.so', 70n), context({}))?.reason, 'missing');
  });

  it('recognises package-manager temporary names and reports the real path', () => {
    const rpm = judgeHeldFile(held('/usr/lib64/libssl.so.3;65a1b2c3 (deleted)', 80n), context({}));
    assert.deepEqual([rpm?.reason, rpm?.path], ['renamed', '/usr/lib64/libssl.so.3']);
    const dpkg = judgeHeldFile(
      held('/usr/lib/libfoo.so.1.dpkg-new', 81n),
      context({ '/usr/lib/libfoo.so.1.dpkg-new': fileStat(81n) }),
    );
    assert.deepEqual([dpkg?.reason, dpkg?.path], ['renamed', '/usr/lib/libfoo.so.1']);
  });
});

describe('judgeReadFile (scripts and modules)', () => {
  it('ignores a chmod: ctime moved, content and inode did not', () => {
    const chmodded = fileStat(1n, { ctimeMs: START + 60_000 });
    assert.equal(judgeReadFile('/srv/app.py', context({ '/srv/app.py': chmodded })), undefined);
  });
  it('flags content changed after the start', () => {
    const edited = fileStat(1n, { mtimeMs: START + 60_000, ctimeMs: START + 60_000 });
    assert.equal(judgeReadFile('/srv/app.py', context({ '/srv/app.py': edited }))?.reason, 'modified');
  });
  it('flags a new inode installed with an old mtime, as dpkg and rpm do', () => {
    const installed = fileStat(2n, { birthtimeMs: START + 60_000, ctimeMs: START + 60_000 });
    assert.equal(
      judgeReadFile(
        '/usr/lib/python3/dist-packages/m.py',
        context({ '/usr/lib/python3/dist-packages/m.py': installed }),
      )?.reason,
      'replaced',
    );
  });
  it('flags a removed script', () => {
    assert.equal(judgeReadFile('/srv/gone.py', context({}))?.reason, 'deleted');
  });
});

describe('the start time is read only when it can matter', () => {
  it('never asks for it when the file has not changed since boot', () => {
    let asked = 0;
    const ctx: JudgeContext = {
      lookup: () => fileStat(1n),
      bootTimeMs: START - 3_600_000,
      get processStartMs() {
        asked++;
        return START;
      },
      toleranceMs: 2000,
    };
    assert.equal(judgeHeldFile(held('/lib/a.so', 1n), ctx), undefined);
    assert.equal(judgeReadFile('/lib/a.py', ctx), undefined);
    assert.equal(asked, 0);
  });
});
