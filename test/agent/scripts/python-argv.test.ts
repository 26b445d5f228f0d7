import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type PythonInvocation, parsePythonArgv } from '../../../agent/scripts/python-argv.js';

describe('parsePythonArgv', () => {
  const base: PythonInvocation = { noSite: false, safePath: false };
  const cases: [string[], Partial<PythonInvocation>][] = [
    [['python3', 'app.py', '--port', '80'], { script: 'app.py' }],
    [['python3', '-u', '/srv/app.py'], { script: '/srv/app.py' }],
    [['python3', '-Bu', 'app.py'], { script: 'app.py' }],
    [['python3', '-W', 'ignore', 'app.py'], { script: 'app.py' }],
    [['python3', '-Wignore', 'app.py'], { script: 'app.py' }],
    [['python3', '-X', 'dev', '-X', 'importtime', 'app.py'], { script: 'app.py' }],
    [['python3', '-uW', 'error', 'app.py'], { script: 'app.py' }],
    [['python3', '--check-hash-based-pycs', 'always', 'app.py'], { script: 'app.py' }],
    [['python3', '--check-hash-based-pycs=never', 'app.py'], { script: 'app.py' }],
    [['python3', '-m', 'http.server', '8000'], { module: 'http.server' }],
    [['python3', '-mhttp.server'], { module: 'http.server' }],
    [['python3', '-Im', 'pip', 'install'], { module: 'pip', safePath: true }],
    [['python3', '-c', 'import json; print(1)', 'arg'], { code: 'import json; print(1)' }],
    [['python3', '-cimport os'], { code: 'import os' }],
    [['python3', '-S', '-P', 'app.py'], { script: 'app.py', noSite: true, safePath: true }],
    [['python3', '-', 'x'], {}],
    [['python3'], {}],
    [['python3', '-i'], {}],
    [['python3', '--', '-weird.py'], { script: '-weird.py' }],
    [['/usr/bin/python3 -u', 'not-split'], { script: 'not-split' }],
  ];
  for (const [argv, expected] of cases) {
    it(JSON.stringify(argv), () => assert.deepEqual(parsePythonArgv(argv), { ...base, ...expected }));
  }
});
