// packaging/install.sh against a DESTDIR staging tree: nothing on the real system changes (no
// systemctl: it only runs without DESTDIR). The enrolment runs the installed bundle against a
// real server app listening on a port.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { getBackend } from '../helpers/databases.js';
import { repoRoot } from '../helpers/paths.js';
import { cleanEnv } from '../helpers/run-cli.js';
import { createScratch } from '../helpers/scratch.js';
import { buildApp, createEnrollmentToken, createUser } from '../helpers/server-app.js';
import { skipWithout } from './tools.js';

const SCRIPT = join(repoRoot, 'packaging', 'install.sh');

function install(
  destdir: string,
  args: string[] = [],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'sh',
      [SCRIPT, ...args],
      { env: cleanEnv({ DESTDIR: destdir }), timeout: 120_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const mode = (path: string): number => statSync(path).mode & 0o7777;

describe('packaging/install.sh', { timeout: 180_000 }, () => {
  it('installs bundle, wrapper, unit, hooks and config template; is idempotent; uninstalls', async (t) => {
    const dest = createScratch(t).dir;
    const first = await install(dest, ['--hooks', 'all']);
    assert.equal(first.code, 0, first.stderr);
    const files = {
      bundle: join(dest, 'usr/lib/afterpatch/afterpatch-agent.mjs'),
      wrapper: join(dest, 'usr/bin/afterpatch-agent'),
      unit: join(dest, 'etc/systemd/system/afterpatch-agent.service'),
      apt: join(dest, 'etc/apt/apt.conf.d/99afterpatch'),
      dnf: join(dest, 'etc/dnf/plugins/post-transaction-actions.d/afterpatch.action'),
      dnf5: join(dest, 'etc/dnf/libdnf5-plugins/actions.d/afterpatch.actions'),
      config: join(dest, 'etc/afterpatch/agent.json'),
    };
    for (const [what, path] of Object.entries(files)) assert.ok(existsSync(path), `${what}: ${path}`);
    assert.equal(mode(files.wrapper), 0o755);
    assert.equal(mode(files.bundle), 0o644);
    assert.match(
      readFileSync(files.wrapper, 'utf8'),
      /^exec ".*node" --jitless --no-expose-wasm --max-semi-space-size=1 --expose-gc "\/usr\/lib\/afterpatch\/afterpatch-agent\.mjs" "\$@"$/m,
    );
    assert.deepEqual(
      readFileSync(files.unit),
      readFileSync(join(repoRoot, 'packaging/systemd/afterpatch-agent.service')),
    );

    // An operator's edits survive a second run; the program files are replaced.
    writeFileSync(files.config, JSON.stringify({ agent: { serverUrl: 'https://edited.example' } }));
    const second = await install(dest, ['--hooks', 'all']);
    assert.equal(second.code, 0, second.stderr);
    assert.match(readFileSync(files.config, 'utf8'), /edited\.example/);

    const removed = await install(dest, ['--uninstall']);
    assert.equal(removed.code, 0, removed.stderr);
    for (const what of ['bundle', 'wrapper', 'unit', 'apt', 'dnf', 'dnf5'] as const) {
      assert.equal(existsSync(files[what]), false, what);
    }
    assert.ok(existsSync(files.config), 'config kept without --purge');
    assert.equal((await install(dest, ['--uninstall', '--purge'])).code, 0);
    assert.equal(existsSync(files.config), false);
  });

  it('refuses bad usage clearly: unknown option, --server without a token, a broken config', async (t) => {
    const dest = createScratch(t).dir;
    const unknown = await install(dest, ['--bogus']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /unknown option '--bogus'/);
    const noToken = await install(dest, ['--server', 'http://127.0.0.1:1']);
    assert.equal(noToken.code, 1);
    assert.match(noToken.stderr, /needs an enrolment token/);
    const config = join(dest, 'etc/afterpatch/agent.json');
    (await import('node:fs')).mkdirSync(join(dest, 'etc/afterpatch'), { recursive: true });
    writeFileSync(config, '{"agent": {"scanIntervalSeconds": 1}}');
    const broken = await install(dest, ['--hooks', 'none']);
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /scanIntervalSeconds/);
  });

  it('enrols the host with --server and --token-file, and reuses the credential on a rerun', async (t) => {
    const { app, db } = await buildApp(t, getBackend('pglite'));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const admin = await createUser(db, 'admin');
    const dest = createScratch(t).dir;
    const tokenFile = join(dest, 'token');
    writeFileSync(tokenFile, `${await createEnrollmentToken(db, admin.id, { maxUses: 1 })}\n`);

    const result = await install(dest, ['--server', url, '--token-file', tokenFile, '--hooks', 'none']);
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    const credentials = join(dest, 'var/lib/afterpatch-agent/credentials.json');
    assert.equal(mode(credentials), 0o600);
    const { hostId } = JSON.parse(readFileSync(credentials, 'utf8')) as { hostId: string };
    const host = await db.prisma.host.findUnique({ where: { id: hostId }, select: { reportSeq: true } });
    assert.ok(host, 'the host is enrolled on the server');
    assert.ok(host.reportSeq >= 1n, 'and its first report arrived');
    assert.match(
      readFileSync(join(dest, 'etc/afterpatch/agent.json'), 'utf8'),
      new RegExp(`"serverUrl": "${url}"`),
    );

    // The token allowed one use: a rerun must not need it again.
    const again = await install(dest, ['--server', url, '--token-file', tokenFile, '--hooks', 'none']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already enrolled/);
  });

  it('is POSIX sh and passes shellcheck', { skip: skipWithout('shellcheck') }, () => {
    const result = spawnSync('shellcheck', ['-s', 'sh', SCRIPT], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stdout);
  });
});
