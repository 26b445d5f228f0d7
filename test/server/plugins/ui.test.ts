// The UI plugin with a small UI directory of its own: index.html for client routes with the CSP,
// hashed assets as immutable with the right content types, unknown assets 404, API 404s stay JSON.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { UI_CSP } from '../../../server/plugins/ui.js';
import { getBackend } from '../../helpers/databases.js';
import { createScratch } from '../../helpers/scratch.js';
import { buildApp } from '../../helpers/server-app.js';

test('serves the app shell, its assets and the CSP', async (t) => {
  const dir = createScratch(t).dir;
  mkdirSync(join(dir, 'assets'));
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><script type="module" src="/assets/main-AB12.js"></script>',
  );
  writeFileSync(join(dir, 'assets', 'main-AB12.js'), 'console.log(1)');
  writeFileSync(join(dir, 'assets', 'main-CD34.css'), 'body{}');
  const { app } = await buildApp(t, getBackend('pglite'), { uiDir: dir });

  for (const url of [
    '/',
    '/hosts',
    '/hosts/0b7f1c2e-0000-4000-8000-000000000000',
    '/audit?action=auth.',
    '/rollouts',
  ]) {
    const res = await app.inject({ url });
    assert.equal(res.statusCode, 200, url);
    assert.match(res.headers['content-type'] as string, /^text\/html/);
    assert.equal(res.headers['content-security-policy'], UI_CSP);
    assert.equal(res.headers['cache-control'], 'no-cache');
    assert.match(res.body, /main-AB12\.js/);
  }
  assert.match(UI_CSP, /script-src 'self'(;|$)/);
  assert.doesNotMatch(UI_CSP, /unsafe-inline|unsafe-eval/);

  const js = await app.inject({ url: '/assets/main-AB12.js' });
  assert.equal(js.statusCode, 200);
  assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.equal(js.headers['x-content-type-options'], 'nosniff');
  const css = await app.inject({ url: '/assets/main-CD34.css' });
  assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');

  assert.equal((await app.inject({ url: '/assets/../index.html' })).statusCode, 404);
  assert.equal((await app.inject({ url: '/assets/nope.js' })).statusCode, 404);
  const api = await app.inject({ url: '/api/v1/nothing' });
  assert.equal(api.statusCode, 404);
  assert.equal(api.json().error.code, 'AP_NOT_FOUND');
});

test('without a built UI the server still runs and says so', async (t) => {
  const { app } = await buildApp(t, getBackend('pglite'), { uiDir: join(createScratch(t).dir, 'missing') });
  const res = await app.inject({ url: '/' });
  assert.equal(res.statusCode, 404);
  assert.match(res.body, /npm run build/);
  assert.equal((await app.inject({ url: '/healthz' })).statusCode, 200);
});
