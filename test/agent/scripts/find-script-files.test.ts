import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createProcessFiles, type ProcessRoot } from '../../../agent/host/process-files.js';
import {
  createScriptParseCache,
  type FindScriptFilesInput,
  findScriptFiles,
  type ScriptFile,
} from '../../../agent/scripts/find-script-files.js';
import { fixturePath } from '../../helpers/paths.js';

const fixtureRoot = (name: string): ProcessRoot => ({ prefix: fixturePath('scripts', name), cacheKey: name });

function run(input: Omit<FindScriptFilesInput, 'files'>): ScriptFile[] {
  return findScriptFiles({ files: createProcessFiles(), ...input });
}

const paths = (files: ScriptFile[]) => files.map((f) => f.path).sort();

const tempDirs: string[] = [];
/** A real path: results are real paths. */
function tempDir(): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'afterpatch-scripts-')));
  tempDirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe('findScriptFiles: python', () => {
  const root = fixtureRoot('python-root');
  const base = { interpreter: 'python', exePath: '/usr/bin/python3.11', cwd: '/srv/app', root } as const;

  it('finds the script and every import that resolves to a source file, transitively', () => {
    const files = run({ ...base, argv: ['python3', 'main.py'] });
    assert.deepEqual(files[0], { path: '/srv/app/main.py', kind: 'script' });
    assert.ok(files.slice(1).every((f) => f.kind === 'module'));
    assert.deepEqual(paths(files), [
      '/srv/app/helpers/__init__.py',
      '/srv/app/helpers/sibling.py',
      '/srv/app/helpers/util.py',
      '/srv/app/lazymain.py', // the program's own function-level import
      '/srv/app/main.py',
      '/srv/app/mainonly.py', // the program's own __main__ block
      '/srv/app/outside.py',
      '/srv/src/editmod.py', // a plain directory line of a .pth file
      '/usr/lib/python3.11/abc.py',
      '/usr/lib/python3.11/codecs.py',
      '/usr/lib/python3.11/enum.py',
      '/usr/lib/python3.11/json/__init__.py',
      '/usr/lib/python3.11/json/decoder.py',
      '/usr/lib/python3.11/json/encoder.py',
      '/usr/lib/python3.11/json/scanner.py',
      '/usr/lib/python3.11/os.py',
      '/usr/lib/python3.11/re/__init__.py',
      '/usr/lib/python3.11/re/_compiler.py',
      '/usr/lib/python3.11/re/_constants.py',
      '/usr/lib/python3.11/re/_parser.py',
      '/usr/lib/python3.11/socket.py',
      '/usr/lib/python3.11/ssl.py',
      // _wrong's extension is tagged for 3.10: python3.11 skips it and finds the .py further on.
      '/usr/lib/python3/dist-packages/_wrong.py',
      '/usr/lib/python3/dist-packages/nspkg/a/__init__.py',
      '/usr/lib/python3/dist-packages/requests/__init__.py',
      '/usr/lib/python3/dist-packages/requests/api.py',
      '/usr/lib/python3/dist-packages/requests/models.py',
      '/usr/lib/python3/dist-packages/requests/sessions.py',
      '/usr/lib/python3/dist-packages/urllib3/__init__.py',
      '/usr/local/lib/python3.11/dist-packages/nspkg/b.py', // other portion of a namespace package
      '/usr/local/lib/python3.11/dist-packages/shadowed.py', // /usr/local comes first on Debian
    ]);
  });

  it('never follows imports written in comments, strings or docstrings, nor code lines of .pth files', () => {
    const found = paths(run({ ...base, argv: ['python3', 'main.py'] }));
    for (const decoy of ['fakedocstring', 'fakecomment', 'fakestring', 'fakedoctest']) {
      assert.ok(!found.includes(`/usr/lib/python3.11/${decoy}.py`), decoy);
    }
    assert.ok(!found.includes('/srv/never/nevermod.py'));
    assert.ok(!found.includes('/srv/app/notfromscript.py'), 'a script run by path is no package');
  });

  it("skips a module's function-level and __main__-only imports", () => {
    const found = paths(run({ ...base, argv: ['python3', 'main.py'] }));
    assert.ok(found.includes('/usr/lib/python3.11/enum.py'));
    assert.ok(!found.includes('/usr/lib/python3.11/doctest.py'));
    assert.ok(!found.includes('/usr/lib/python3.11/unittest/__init__.py'));
  });

  it('runs -m package as its __main__, finding the version of a bare python3 by listing', () => {
    const files = run({ ...base, exePath: '/usr/bin/python3', argv: ['python3', '-m', 'tool'] });
    assert.deepEqual(files.slice(0, 3), [
      { path: '/srv/app/tool/__init__.py', kind: 'module' },
      { path: '/srv/app/tool/__main__.py', kind: 'script' },
      { path: '/srv/app/tool/cli.py', kind: 'module' },
    ]);
    assert.ok(paths(files).includes('/usr/lib/python3.11/json/__init__.py'));
  });

  it('runs -m module.file as the script', () => {
    const files = run({ ...base, argv: ['python3', '-m', 'helpers.util'] });
    assert.deepEqual(files.slice(0, 2), [
      { path: '/srv/app/helpers/__init__.py', kind: 'module' },
      { path: '/srv/app/helpers/util.py', kind: 'script' },
    ]);
  });

  it('runs a directory as its __main__.py', () => {
    const files = run({ ...base, argv: ['python3', 'tool'] });
    assert.deepEqual(files[0], { path: '/srv/app/tool/__main__.py', kind: 'script' });
  });

  it('follows the imports of -c code without a script', () => {
    const files = run({ ...base, argv: ['python3', '-c', 'import ssl; from helpers import util'] });
    assert.ok(files.every((f) => f.kind === 'module'));
    assert.ok(paths(files).includes('/usr/lib/python3.11/ssl.py'));
    assert.ok(paths(files).includes('/srv/app/helpers/util.py'), '-c puts the cwd first on sys.path');
  });

  it('leaves site-packages out under -S and the script directory out under -I', () => {
    const noSite = paths(run({ ...base, argv: ['python3', '-S', 'main.py'] }));
    assert.ok(!noSite.some((p) => p.includes('-packages/')));
    assert.ok(noSite.includes('/usr/lib/python3.11/json/__init__.py'));
    const isolated = paths(run({ ...base, argv: ['python3', '-I', 'main.py'] }));
    assert.ok(isolated.includes('/srv/app/main.py'));
    assert.ok(!isolated.includes('/srv/app/helpers/__init__.py'));
  });

  it('uses a virtual environment named by argv[0]: its site-packages, the base stdlib, no system site', () => {
    const files = run({
      ...base,
      argv: ['/opt/venv/bin/python', '/srv/venvapp/main.py'],
      cwd: '/',
    });
    const found = paths(files);
    assert.ok(found.includes('/opt/venv/lib/python3.11/site-packages/vpkg/__init__.py'));
    assert.ok(found.includes('/usr/lib/python3.11/json/__init__.py'));
    assert.ok(!found.some((p) => p.includes('requests')));
  });

  it('keeps the version of an interpreter replaced on disk', () => {
    const files = run({ ...base, exePath: '/usr/bin/python3.11 (deleted)', argv: ['python3', 'main.py'] });
    assert.ok(paths(files).includes('/usr/lib/python3.11/ssl.py'));
  });

  it('stops at maxFiles, keeping the script and its direct imports first', () => {
    const files = run({ ...base, argv: ['python3', 'main.py'], limits: { maxFiles: 4 } });
    assert.deepEqual(
      files.map((f) => f.path),
      [
        '/srv/app/main.py',
        '/usr/lib/python3.11/os.py',
        '/usr/lib/python3.11/json/__init__.py',
        '/srv/app/helpers/__init__.py',
      ],
    );
  });

  it('reads no more than maxBytesPerFile of each file', () => {
    const files = run({ ...base, argv: ['python3', 'main.py'], limits: { maxBytesPerFile: 80 } });
    // Only the first lines of main.py are read: the docstring and `import os, json`.
    assert.deepEqual(paths(files).slice(0, 2), ['/srv/app/main.py', '/usr/lib/python3.11/abc.py']);
    assert.ok(!paths(files).includes('/usr/lib/python3.11/ssl.py'));
  });

  it('returns nothing when there is no script and no code', () => {
    assert.deepEqual(run({ ...base, argv: ['python3'] }), []);
    assert.deepEqual(run({ ...base, argv: ['python3', 'missing.py'] }), []);
  });

  it('reuses parsed imports across processes through the cache', () => {
    const cache = createScriptParseCache();
    const files = createProcessFiles();
    const first = findScriptFiles({ ...base, argv: ['python3', 'main.py'], files, cache });
    const parsed = cache.imports.size;
    assert.ok(parsed > 10);
    const second = findScriptFiles({ ...base, argv: ['python3', 'main.py'], files, cache });
    assert.deepEqual(second, first);
    assert.equal(cache.imports.size, parsed);
  });
});

describe('findScriptFiles: python on real files', () => {
  it('parses a file again after it changed', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'main.py'), 'import a\n');
    writeFileSync(join(dir, 'a.py'), '');
    writeFileSync(join(dir, 'b.py'), '');
    const cache = createScriptParseCache();
    const input: Omit<FindScriptFilesInput, 'files'> = {
      interpreter: 'python',
      exePath: '/nonexistent/bin/python3.11',
      argv: ['python3', join(dir, 'main.py')],
      cwd: '/',
      root: { prefix: '', cacheKey: 'host' },
      cache,
    };
    assert.deepEqual(paths(run(input)), [join(dir, 'a.py'), join(dir, 'main.py')]);
    writeFileSync(join(dir, 'main.py'), 'import a\nimport b\n');
    utimesSync(join(dir, 'main.py'), new Date(), new Date(Date.now() + 5000));
    assert.deepEqual(paths(run(input)), [join(dir, 'a.py'), join(dir, 'b.py'), join(dir, 'main.py')]);
  });

  it('puts the directory of the symlinked script first on sys.path, as CPython does; reports real paths', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'bin'));
    mkdirSync(join(dir, 'share'));
    writeFileSync(join(dir, 'share', 'tool.py'), 'import toolhelper\n\ndef main():\n    import lazyhelper\n');
    writeFileSync(join(dir, 'share', 'toolhelper.py'), '');
    writeFileSync(join(dir, 'share', 'lazyhelper.py'), '');
    symlinkSync('../share/tool.py', join(dir, 'bin', 'tool'));
    const files = run({
      interpreter: 'python',
      exePath: '/nonexistent/bin/python3.11',
      argv: ['python3', join(dir, 'bin', 'tool')],
      cwd: '/',
      root: { prefix: '', cacheKey: 'host' },
    });
    assert.deepEqual(files, [
      { path: join(dir, 'share', 'tool.py'), kind: 'script' },
      { path: join(dir, 'share', 'toolhelper.py'), kind: 'module' },
      { path: join(dir, 'share', 'lazyhelper.py'), kind: 'module' },
    ]);
  });

  it('does not open a FIFO named like a module', (t) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'main.py'), 'import trap\n');
    try {
      execFileSync('mkfifo', [join(dir, 'trap.py')]);
    } catch {
      t.skip('mkfifo is not available');
      return;
    }
    const files = run({
      interpreter: 'python',
      exePath: '/nonexistent/bin/python3.11',
      argv: ['python3', join(dir, 'main.py')],
      cwd: '/',
      root: { prefix: '', cacheKey: 'host' },
    });
    assert.deepEqual(paths(files), [join(dir, 'main.py')]);
  });
});

describe('findScriptFiles: live /usr/bin/python3', () => {
  const stdlib = existsSync('/usr/lib')
    ? readdirSync('/usr/lib').find(
        (e) => /^python3\.\d+$/.test(e) && existsSync(`/usr/lib/${e}/json/__init__.py`),
      )
    : undefined;
  it('resolves a local module and the stdlib json package of the real interpreter', (t) => {
    if (!existsSync('/usr/bin/python3') || stdlib === undefined) {
      t.skip('no /usr/bin/python3 with a stdlib under /usr/lib');
      return;
    }
    const dir = tempDir();
    writeFileSync(
      join(dir, 'main.py'),
      'import json\nimport localmod\n\nprint(json.dumps(localmod.VALUE))\n',
    );
    writeFileSync(join(dir, 'localmod.py'), 'VALUE = 1\n');
    const started = process.hrtime.bigint();
    const files = findScriptFiles({
      interpreter: 'python',
      exePath: '/usr/bin/python3',
      argv: ['/usr/bin/python3', join(dir, 'main.py')],
      cwd: dir,
      root: { prefix: '', cacheKey: 'host' },
      files: createProcessFiles(),
    });
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    t.diagnostic(`findScriptFiles (cold) took ${elapsedMs.toFixed(1)} ms for ${files.length} files`);
    assert.deepEqual(files[0], { path: join(dir, 'main.py'), kind: 'script' });
    const found = files.map((f) => f.path);
    assert.ok(found.includes(join(dir, 'localmod.py')));
    assert.ok(found.includes(`/usr/lib/${stdlib}/json/__init__.py`));
    assert.ok(found.includes(`/usr/lib/${stdlib}/json/decoder.py`));
  });
});

describe('findScriptFiles: perl', () => {
  const root = fixtureRoot('perl-root');
  const base = { interpreter: 'perl', exePath: '/usr/bin/perl', cwd: '/', root } as const;

  it('follows use/require through @INC, use lib with FindBin, -I on the #! line, parent and if', () => {
    const files = run({ ...base, argv: ['/usr/bin/perl', '-w', '/srv/app/bin/tool.pl'] });
    assert.deepEqual(files[0], { path: '/srv/app/bin/tool.pl', kind: 'script' });
    assert.deepEqual(paths(files), [
      '/etc/perl/Site/Conf.pm',
      '/srv/app/bin/tool.pl',
      '/srv/app/lib/App/Main.pm',
      '/srv/extra/Extra/Mod.pm',
      '/usr/lib/x86_64-linux-gnu/perl-base/if.pm',
      '/usr/lib/x86_64-linux-gnu/perl-base/lib.pm',
      '/usr/lib/x86_64-linux-gnu/perl-base/parent.pm',
      '/usr/lib/x86_64-linux-gnu/perl-base/strict.pm',
      '/usr/lib/x86_64-linux-gnu/perl-base/warnings.pm',
      '/usr/lib/x86_64-linux-gnu/perl/5.36/Cwd.pm',
      '/usr/lib/x86_64-linux-gnu/perl/5.36/Data/Dumper.pm',
      '/usr/local/share/perl/5.36.0/Local/Only.pm', // the full version, found by listing
      '/usr/share/perl/5.36/File/Basename.pm',
      '/usr/share/perl/5.36/FindBin.pm',
      '/usr/share/perl5/Base/One.pm',
      '/usr/share/perl5/Base/Two.pm',
      '/usr/share/perl5/Cond/Mod.pm',
      '/usr/share/perl5/legacy.pl',
    ]);
  });

  it('loads -M modules and the imports of -e code', () => {
    const files = run({ ...base, argv: ['perl', '-MData::Dumper', '-I/srv/extra', '-e', 'use Extra::Mod;'] });
    assert.deepEqual(files, [
      { path: '/usr/lib/x86_64-linux-gnu/perl/5.36/Data/Dumper.pm', kind: 'module' },
      { path: '/srv/extra/Extra/Mod.pm', kind: 'module' },
    ]);
  });

  it('resolves a relative script against the cwd', () => {
    const files = run({ ...base, cwd: '/srv/app', argv: ['perl', 'bin/tool.pl'] });
    assert.deepEqual(files[0], { path: '/srv/app/bin/tool.pl', kind: 'script' });
  });
});

describe('findScriptFiles: ruby', () => {
  const root = fixtureRoot('ruby-root');
  const base = { interpreter: 'ruby', exePath: '/usr/bin/ruby3.1', cwd: '/srv/app', root } as const;

  it('follows requires through $LOAD_PATH and the newest gems, plus what gem_prelude loads', () => {
    const files = run({ ...base, argv: ['ruby', 'app.rb'] });
    assert.deepEqual(files[0], { path: '/srv/app/app.rb', kind: 'script' });
    assert.deepEqual(paths(files), [
      '/srv/app/app.rb',
      '/srv/app/lib/helper.rb',
      '/srv/app/lib/other.rb',
      '/usr/lib/ruby/3.1.0/json.rb',
      '/usr/lib/ruby/3.1.0/json/common.rb',
      '/usr/lib/ruby/3.1.0/rubygems.rb',
      '/usr/lib/ruby/gems/3.1.0/gems/did_you_mean-1.6.1/lib/did_you_mean.rb',
      '/usr/lib/ruby/vendor_ruby/rack.rb',
      '/usr/lib/ruby/vendor_ruby/rack/version.rb',
      '/usr/lib/x86_64-linux-gnu/ruby/3.1.0/rbconfig.rb',
      '/var/lib/gems/3.1.0/gems/sinatra-3.0.1/lib/sinatra.rb',
      '/var/lib/gems/3.1.0/gems/sinatra-3.0.1/lib/sinatra/base.rb',
    ]);
    // cext.so in vendor_ruby comes before cext.rb in the stdlib directory: nothing to report.
    assert.ok(!paths(files).includes('/usr/lib/ruby/3.1.0/cext.rb'));
  });

  it('skips the gem prelude under --disable-gems and loads -r libraries', () => {
    const files = run({ ...base, argv: ['ruby', '--disable-gems', '-rjson', '-e', 'require "rack"'] });
    assert.deepEqual(paths(files), [
      '/usr/lib/ruby/3.1.0/json.rb',
      '/usr/lib/ruby/3.1.0/json/common.rb',
      '/usr/lib/ruby/vendor_ruby/rack.rb',
      '/usr/lib/ruby/vendor_ruby/rack/version.rb',
    ]);
  });

  it('finds the version of a bare ruby by listing', () => {
    const files = run({
      ...base,
      exePath: '/usr/bin/ruby',
      argv: ['ruby', '--disable-gems', '-e', "require 'json'"],
    });
    assert.ok(paths(files).includes('/usr/lib/ruby/3.1.0/json.rb'));
  });
});

describe('findScriptFiles: node', () => {
  const root = fixtureRoot('node-root');
  const base = { interpreter: 'node', exePath: '/usr/bin/node', cwd: '/srv/app', root } as const;

  it('follows require and import specifiers through relative paths and node_modules', () => {
    const files = run({ ...base, argv: ['node', 'server'] });
    assert.deepEqual(files[0], { path: '/srv/app/server.js', kind: 'script' });
    assert.deepEqual(paths(files), [
      '/srv/app/data.json',
      '/srv/app/esm-b.mjs',
      '/srv/app/intemplate.js',
      '/srv/app/lazy.mjs',
      '/srv/app/lib/index.js',
      '/srv/app/node_modules/@scope/pkg/sub.js',
      '/srv/app/node_modules/dep/index.js', // "main" is no string: index.js
      '/srv/app/node_modules/express/lib/express.js', // "main"
      '/srv/app/server.js',
      '/srv/app/util.js',
      '/srv/node_modules/depd/index.js', // found walking up from express
    ]);
  });

  it('loads -r preloads from the cwd and the imports of -e code', () => {
    const files = run({ ...base, argv: ['node', '-r', './util', '-e', "require('express')"] });
    assert.deepEqual(paths(files), [
      '/srv/app/node_modules/express/lib/express.js',
      '/srv/app/util.js',
      '/srv/node_modules/depd/index.js',
    ]);
  });
});
