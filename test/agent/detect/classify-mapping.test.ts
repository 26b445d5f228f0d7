import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildScanConfig } from '../../../agent/config/scan-config.js';
import { createMappingClassifier } from '../../../agent/detect/classify-mapping.js';

describe('createMappingClassifier', () => {
  const classify = createMappingClassifier(buildScanConfig());

  it('never treats pseudo files, shared memory, devices or GPU objects as code to reload', () => {
    const cases: Record<string, string> = {
      '[vdso]': 'pseudo',
      'anon_inode:[perf_event]': 'pseudo',
      '/[aio]': 'pseudo',
      '/anon_hugepage': 'pseudo',
      '/memfd:runc_cloned:/proc/self/exe': 'memfd',
      '/memfd:': 'memfd',
      '/SYSV0000abcd': 'sysv-shm',
      '/SYSV00000000': 'sysv-shm',
      '/dev/shm/jit-1234': 'device',
      '/dev/zero': 'device',
      '/drm mm object': 'gpu',
      '/i915': 'gpu',
    };
    for (const [path, expected] of Object.entries(cases)) assert.equal(classify(path), expected, path);
  });

  it('reports real libraries under /tmp but not JIT and trampoline files (smart policy)', () => {
    assert.equal(classify('/tmp/app/libreal.so'), 'file');
    assert.equal(classify('/tmp/ffiAbC123'), 'temp-generated');
    assert.equal(classify('/tmp/jna123456.tmp'), 'temp-generated');
    assert.equal(classify('/tmp/jna--1234/jna5678.tmp'), 'temp-generated');
    assert.equal(classify('/tmp/_MEIabc123/libpython3.11.so'), 'temp-generated');
    assert.equal(classify('/run/user/1000/orcexec.XyZ'), 'temp-generated');
    assert.equal(classify('/usr/lib/ffiAbC123'), 'file', 'generated names only count inside temp dirs');
  });

  it('honours the ignore and report policies', () => {
    const ignoreAll = createMappingClassifier(buildScanConfig({ tempPolicy: 'ignore' }));
    assert.equal(ignoreAll('/tmp/app/libreal.so'), 'temp-generated');
    const reportAll = createMappingClassifier(buildScanConfig({}, { tempPolicy: 'report' }));
    assert.equal(reportAll('/tmp/ffiAbC123'), 'file');
  });

  it('applies ignorePaths globs', () => {
    const c = createMappingClassifier(buildScanConfig({ ignorePaths: ['/opt/legacy/**', '/srv/*.so'] }));
    assert.equal(c('/opt/legacy/lib/x.so'), 'ignored');
    assert.equal(c('/srv/a.so'), 'ignored');
    assert.equal(c('/srv/sub/a.so'), 'file');
  });
});
