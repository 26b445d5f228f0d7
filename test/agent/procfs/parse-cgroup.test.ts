import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCgroupPath } from '../../../agent/procfs/parse-cgroup.js';
import { parseCmdline, parseStatusUid } from '../../../agent/procfs/parse-status.js';

describe('parseCgroupPath', () => {
  it('reads the unified (v2) line', () => {
    assert.equal(parseCgroupPath('0::/system.slice/nginx.service\n'), '/system.slice/nginx.service');
  });
  it('falls back to the name=systemd line on cgroup v1', () => {
    const v1 = '12:memory:/system.slice/cron.service\n1:name=systemd:/system.slice/cron.service\n';
    assert.equal(parseCgroupPath(v1), '/system.slice/cron.service');
  });
  it('prefers the v1 systemd line when a hybrid host leaves the v2 line at the root', () => {
    const hybrid = '1:name=systemd:/system.slice/ssh.service\n0::/\n';
    assert.equal(parseCgroupPath(hybrid), '/system.slice/ssh.service');
  });
  it('returns undefined when nothing names a unit', () => {
    assert.equal(parseCgroupPath('4:memory:/x\n'), undefined);
  });
});

describe('status and cmdline', () => {
  it('takes the real uid', () => {
    assert.equal(parseStatusUid('Name:\tx\nUid:\t1000\t1000\t1000\t1000\n'), 1000);
    assert.equal(parseStatusUid('Name:\tx\n'), undefined);
  });
  it('splits NUL-separated arguments and keeps empty ones', () => {
    assert.deepEqual(parseCmdline('python3\0-m\0http.server\0\0'), ['python3', '-m', 'http.server', '']);
    assert.deepEqual(parseCmdline(''), []);
  });
});
