import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cleanExePath,
  detectInterpreter,
  parseInterpreterExe,
} from '../../../agent/scripts/detect-interpreter.js';

describe('detectInterpreter', () => {
  const cases: [string, string | undefined][] = [
    ['/usr/bin/python', 'python'],
    ['/usr/bin/python3', 'python'],
    ['/usr/bin/python3.11', 'python'],
    ['/usr/bin/python2.7', 'python'],
    ['/usr/bin/python3.11d', 'python'],
    ['/usr/bin/pypy3', 'python'],
    ['/usr/libexec/platform-python3.6', 'python'],
    ['/usr/bin/perl', 'perl'],
    ['/usr/bin/perl5.36.0', 'perl'],
    ['/usr/bin/ruby', 'ruby'],
    ['/usr/bin/ruby3.1', 'ruby'],
    ['/usr/bin/node', 'node'],
    ['/usr/bin/nodejs', 'node'],
    ['/usr/lib/jvm/java-17-openjdk-amd64/bin/java', 'java'],
    ['/usr/bin/python3.11 (deleted)', 'python'],
    ['/usr/bin/perl;5f3a2b1c', 'perl'],
    ['/usr/bin/python3-config', undefined],
    ['/usr/bin/perldoc', undefined],
    ['/usr/bin/javac', undefined],
    ['/usr/sbin/nginx', undefined],
    ['/usr/bin/rubyx', undefined],
  ];
  for (const [exe, expected] of cases) {
    it(`${exe} -> ${expected}`, () => assert.equal(detectInterpreter(exe), expected));
  }
});

describe('parseInterpreterExe', () => {
  it('reads the language version from the name', () => {
    assert.equal(parseInterpreterExe('/usr/bin/python3.11')?.version, '3.11');
    assert.equal(parseInterpreterExe('/usr/bin/python3')?.version, '3');
    assert.equal(parseInterpreterExe('/usr/bin/python')?.version, undefined);
    assert.equal(parseInterpreterExe('/usr/bin/perl5.36.0')?.version, '5.36.0');
    assert.equal(parseInterpreterExe('/usr/bin/ruby3.1')?.version, '3.1');
    assert.equal(parseInterpreterExe('/usr/bin/node20')?.version, undefined);
  });

  it('keeps the version of a replaced interpreter and strips the deletion mark from the path', () => {
    assert.deepEqual(parseInterpreterExe('/usr/bin/python3.11 (deleted)'), {
      interpreter: 'python',
      path: '/usr/bin/python3.11',
      version: '3.11',
    });
  });

  it('marks PyPy, whose directories are named pypy3.X', () => {
    assert.equal(parseInterpreterExe('/opt/pypy/bin/pypy3.9')?.flavor, 'pypy');
    assert.equal(parseInterpreterExe('/opt/pypy/bin/pypy3.9')?.version, '3.9');
  });
});

describe('cleanExePath', () => {
  it('removes procfs and package manager suffixes', () => {
    assert.equal(cleanExePath('/usr/bin/perl (deleted)'), '/usr/bin/perl');
    assert.equal(cleanExePath('/usr/bin/ruby3.1;65a1b2c3'), '/usr/bin/ruby3.1');
    assert.equal(cleanExePath('/usr/bin/node.dpkg-new'), '/usr/bin/node');
    assert.equal(cleanExePath('/usr/bin/node'), '/usr/bin/node');
  });
});
