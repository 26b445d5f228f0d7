import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createProcessFiles, type ProcessRoot } from '../../../agent/host/process-files.js';
import { nodeModulesDirs, resolveNodeSpecifier } from '../../../agent/scripts/node-resolve.js';
import { createScriptLookup } from '../../../agent/scripts/script-lookup.js';
import { createScriptParseCache } from '../../../agent/scripts/script-parse-cache.js';
import { fixturePath } from '../../helpers/paths.js';

const lookupFor = (root: ProcessRoot) =>
  createScriptLookup(createProcessFiles(), root, createScriptParseCache(), 512 * 1024);

describe('nodeModulesDirs', () => {
  it('walks up to the root, skipping node_modules/node_modules', () => {
    assert.deepEqual(nodeModulesDirs('/srv/app/node_modules/express/lib'), [
      '/srv/app/node_modules/express/lib/node_modules',
      '/srv/app/node_modules/express/node_modules',
      '/srv/app/node_modules',
      '/srv/node_modules',
      '/node_modules',
    ]);
  });
});

describe('resolveNodeSpecifier', () => {
  const lookup = lookupFor({ prefix: fixturePath('scripts', 'node-root'), cacheKey: 'node-root' });
  const from = '/srv/app';

  it('skips built-ins, URLs and package imports', () => {
    for (const specifier of [
      'fs',
      'fs/promises',
      'node:fs',
      'node:test',
      'data:text/javascript,1',
      'https://x/y.js',
      '#internal',
    ]) {
      assert.equal(resolveNodeSpecifier(lookup, specifier, from, []), undefined, specifier);
    }
  });

  it('resolves files, extensions, directories, package main and file: URLs', () => {
    assert.equal(resolveNodeSpecifier(lookup, './util', from, []), '/srv/app/util.js');
    assert.equal(resolveNodeSpecifier(lookup, './util.js', from, []), '/srv/app/util.js');
    assert.equal(resolveNodeSpecifier(lookup, './lib', from, []), '/srv/app/lib/index.js');
    assert.equal(resolveNodeSpecifier(lookup, '../app/data.json', from, []), '/srv/app/data.json');
    assert.equal(
      resolveNodeSpecifier(lookup, 'express', from, []),
      '/srv/app/node_modules/express/lib/express.js',
    );
    assert.equal(resolveNodeSpecifier(lookup, 'file:///srv/app/util.js', '/', []), '/srv/app/util.js');
    assert.equal(resolveNodeSpecifier(lookup, './missing', from, []), undefined);
  });

  it('skips native addons, which the maps check covers', () => {
    assert.equal(resolveNodeSpecifier(lookup, './native.node', from, []), undefined);
  });

  it('falls back to the global folders', () => {
    assert.equal(resolveNodeSpecifier(lookup, 'depd', '/', []), undefined);
    assert.equal(
      resolveNodeSpecifier(lookup, 'depd', '/', ['/srv/node_modules']),
      '/srv/node_modules/depd/index.js',
    );
  });

  describe('with pnpm-style symlinks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'afterpatch-pnpm-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const store = join(dir, 'app', 'node_modules', '.pnpm', 'a@1.0.0', 'node_modules');
    mkdirSync(join(store, 'a'), { recursive: true });
    mkdirSync(join(store, 'b'), { recursive: true });
    writeFileSync(join(store, 'a', 'index.js'), "require('b')");
    writeFileSync(join(store, 'b', 'index.js'), '');
    // Absolute link target: it must be taken inside the root, not in the scanner's own root.
    symlinkSync('/app/node_modules/.pnpm/a@1.0.0/node_modules/a', join(dir, 'app', 'node_modules', 'a'));
    const pnpm = lookupFor({ prefix: dir, cacheKey: 'pnpm' });

    it('resolves to the real path, from which the dependencies are found', () => {
      const a = resolveNodeSpecifier(pnpm, 'a', '/app', []);
      assert.equal(a, '/app/node_modules/.pnpm/a@1.0.0/node_modules/a/index.js');
      assert.equal(
        resolveNodeSpecifier(pnpm, 'b', '/app/node_modules/.pnpm/a@1.0.0/node_modules/a', []),
        '/app/node_modules/.pnpm/a@1.0.0/node_modules/b/index.js',
      );
    });
  });
});
