import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type PerlInvocation,
  parsePerlArgv,
  perlShebangIncludeDirs,
} from '../../../agent/scripts/perl-argv.js';

describe('parsePerlArgv', () => {
  const base: PerlInvocation = { modules: [], includeDirs: [], searchPath: false };
  const cases: [string[], Partial<PerlInvocation>][] = [
    [['perl', 'tool.pl', 'arg'], { script: 'tool.pl' }],
    [['perl', '-w', '-T', '/usr/sbin/tool'], { script: '/usr/sbin/tool' }],
    [['perl', '-w -T', '/usr/sbin/tool'], { script: '/usr/sbin/tool' }],
    [['perl', '-wT', 'tool'], { script: 'tool' }],
    [['perl', '-I', 'lib', '-Iinc', 'tool'], { script: 'tool', includeDirs: ['lib', 'inc'] }],
    [
      ['perl', '-MData::Dumper', '-mPOSIX=floor', '-M-warnings', 'tool'],
      { script: 'tool', modules: ['Data::Dumper', 'POSIX', 'warnings'] },
    ],
    [['perl', '-MList::Util qw(sum)', 'tool'], { script: 'tool', modules: ['List::Util'] }],
    [['perl', '-e', 'print 1', 'arg'], { code: 'print 1' }],
    [['perl', '-le', 'print 1', '-e', 'print 2'], { code: 'print 1\nprint 2' }],
    [['perl', '-Eprint 1'], { code: 'print 1' }],
    [['perl', '-ne', 'print', 'file.txt'], { code: 'print' }],
    [['perl', '-0777', '-pi.bak', '-e', 's/a/b/', 'f'], { code: 's/a/b/' }],
    [['perl', '-l012', 'tool'], { script: 'tool' }],
    [['perl', '-x/tmp', 'tool'], { script: 'tool' }],
    [['perl', '-d:NYTProf', 'tool'], { script: 'tool' }],
    [['perl', '-S', 'tool'], { script: 'tool', searchPath: true }],
    [['perl', '--', '-tool'], { script: '-tool' }],
    [['perl', '-'], {}],
    [['perl'], {}],
  ];
  for (const [argv, expected] of cases) {
    it(JSON.stringify(argv), () => assert.deepEqual(parsePerlArgv(argv), { ...base, ...expected }));
  }
});

describe('perlShebangIncludeDirs', () => {
  it('reads -I from a #! line', () => {
    assert.deepEqual(perlShebangIncludeDirs('#!/usr/bin/perl -w -I/opt/lib'), ['/opt/lib']);
    assert.deepEqual(perlShebangIncludeDirs('#!/usr/bin/perl -I /opt/a -Ib'), ['/opt/a', 'b']);
    assert.deepEqual(perlShebangIncludeDirs('#!/usr/bin/env perl -Ilib'), ['lib']);
  });
  it('ignores other interpreters and lines without switches', () => {
    assert.deepEqual(perlShebangIncludeDirs('#!/usr/bin/perl'), []);
    assert.deepEqual(perlShebangIncludeDirs('#!/bin/sh -I/x'), []);
  });
});
