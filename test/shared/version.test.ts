import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { AFTERPATCH_VERSION } from '../../shared/version.js';
import { repoRoot } from '../helpers/paths.js';

it('the compiled-in version matches package.json', () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  assert.equal(AFTERPATCH_VERSION, pkg.version);
});
