import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createProcessFiles, type ProcessRoot } from '../../../agent/host/process-files.js';
import { parseInterpreterExe } from '../../../agent/scripts/detect-interpreter.js';
import {
  parsePthFile,
  parsePyvenvCfg,
  pythonPathCandidates,
  pythonSearchPath,
} from '../../../agent/scripts/python-search-paths.js';
import { createScriptLookup } from '../../../agent/scripts/script-lookup.js';
import { createScriptParseCache } from '../../../agent/scripts/script-parse-cache.js';
import { fixturePath } from '../../helpers/paths.js';

const lookupFor = (root: ProcessRoot) =>
  createScriptLookup(createProcessFiles(), root, createScriptParseCache(), 512 * 1024);
const exe = (path: string) => parseInterpreterExe(path) ?? assert.fail(path);

describe('pythonPathCandidates', () => {
  it('lists Debian, RPM and source-build directories in python search order', () => {
    assert.deepEqual(pythonPathCandidates({ prefix: '/usr', version: '3.11' }), {
      stdlib: [
        '/usr/lib64/python3.11',
        '/usr/lib64/python3.11/lib-dynload',
        '/usr/lib/python3.11',
        '/usr/lib/python3.11/lib-dynload',
      ],
      site: [
        '/usr/local/lib/python3.11/dist-packages',
        '/usr/lib/python3/dist-packages',
        '/usr/lib/python3.11/dist-packages',
        '/usr/local/lib64/python3.11/site-packages',
        '/usr/local/lib/python3.11/site-packages',
        '/usr/lib64/python3.11/site-packages',
        '/usr/lib/python3.11/site-packages',
      ],
    });
  });

  it("takes a venv's site-packages and its base interpreter's stdlib", () => {
    const venv = { dir: '/opt/venv', homePrefix: '/usr/local', includeSystemSite: false };
    const paths = pythonPathCandidates({ prefix: '/usr', version: '3.12', venv });
    assert.deepEqual(paths.stdlib.slice(2), [
      '/usr/local/lib/python3.12',
      '/usr/local/lib/python3.12/lib-dynload',
    ]);
    assert.deepEqual(paths.site, [
      '/opt/venv/lib/python3.12/site-packages',
      '/opt/venv/lib64/python3.12/site-packages',
    ]);
    const withSystem = pythonPathCandidates({
      prefix: '/usr',
      version: '3.12',
      venv: { ...venv, includeSystemSite: true },
    });
    assert.ok(withSystem.site.includes('/usr/local/lib/python3.12/site-packages'));
  });

  it('names PyPy directories pypy3.X', () => {
    const paths = pythonPathCandidates({ prefix: '/opt/pypy', version: '3.9', flavor: 'pypy' });
    assert.ok(paths.stdlib.includes('/opt/pypy/lib/pypy3.9'));
    assert.ok(paths.site.includes('/opt/pypy/lib/pypy3.9/site-packages'));
  });

  it('keeps only version-independent directories when the minor version is unknown', () => {
    assert.deepEqual(pythonPathCandidates({ prefix: '/usr', version: '3' }), {
      stdlib: [],
      site: ['/usr/lib/python3/dist-packages'],
    });
    assert.deepEqual(pythonPathCandidates({ prefix: '/usr' }), { stdlib: [], site: [] });
  });
});

describe('parsePyvenvCfg', () => {
  it('reads home, version and include-system-site-packages', () => {
    const text = 'home = /usr/local/bin\ninclude-system-site-packages = True\nversion = 3.12.1\n';
    assert.deepEqual(parsePyvenvCfg(text, '/opt/v'), {
      dir: '/opt/v',
      homePrefix: '/usr/local',
      includeSystemSite: true,
      version: '3.12',
    });
  });
  it('accepts version_info (virtualenv) and ignores a relative home', () => {
    assert.deepEqual(parsePyvenvCfg('home = bin\nversion_info = 3.10.4.final.0\n', '/v'), {
      dir: '/v',
      includeSystemSite: false,
      version: '3.10',
    });
  });
});

describe('parsePthFile', () => {
  it('keeps directory lines and never the code lines', () => {
    const text = '# comment\n/srv/src\nrelative/dir\n\nimport sys; sys.path.insert(0, "/evil")\nimport\tos\n';
    assert.deepEqual(parsePthFile(text, '/usr/lib/python3/dist-packages'), [
      '/srv/src',
      '/usr/lib/python3/dist-packages/relative/dir',
    ]);
  });
});

describe('pythonSearchPath', () => {
  const root = { prefix: fixturePath('scripts', 'python-root'), cacheKey: 'python-root' };

  it('keeps the directories that exist, with .pth directories after their site directory', () => {
    assert.deepEqual(pythonSearchPath(lookupFor(root), exe('/usr/bin/python3.11'), 'python3', '/'), {
      version: '3.11',
      stdlib: ['/usr/lib/python3.11', '/usr/lib/python3.11/lib-dynload'],
      site: ['/usr/local/lib/python3.11/dist-packages', '/usr/lib/python3/dist-packages', '/srv/src'],
    });
  });

  it('finds the venv through a relative argv[0]', () => {
    const path = pythonSearchPath(lookupFor(root), exe('/usr/bin/python3.11'), 'bin/python', '/opt/venv');
    assert.deepEqual(path.site, ['/opt/venv/lib/python3.11/site-packages']);
  });

  describe('with two python versions installed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'afterpatch-pyver-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    for (const version of ['3.11', '3.12']) {
      mkdirSync(join(dir, 'usr', 'lib', `python${version}`), { recursive: true });
      writeFileSync(join(dir, 'usr', 'lib', `python${version}`, 'os.py'), '');
    }
    const twoRoot = { prefix: dir, cacheKey: 'two' };

    it('does not guess the version of a bare python3', () => {
      const path = pythonSearchPath(lookupFor(twoRoot), exe('/usr/bin/python3'), 'python3', '/');
      assert.equal(path.version, undefined);
      assert.deepEqual(path.stdlib, []);
    });

    it('uses the version in the name', () => {
      const path = pythonSearchPath(lookupFor(twoRoot), exe('/usr/bin/python3.12'), 'python3', '/');
      assert.deepEqual(path.stdlib, ['/usr/lib/python3.12']);
    });
  });
});
