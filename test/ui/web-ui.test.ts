// The web UI end to end: the real server (the app on PGlite, port 0, serving the built dist/ui),
// a real agent daemon (the bin script, a real scan of this machine) enrolled with a token, two
// hosts whose reports go through the real ingest path, and 10,000 simulated hosts written straight
// into the database (with history and stale packages) so that tables and counts are at fleet
// scale. Headless Debian chromium, driven by playwright-core, does what an operator does.
// Screenshots of every page go to test-artifacts/screenshots/ (printed at the end).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { ingestReport } from '../../server/agents/ingest-report.js';
import { rebootReport, servicesReport } from '../agent/output/sample-reports.js';
import { getBackend } from '../helpers/databases.js';
import { repoRoot } from '../helpers/paths.js';
import { createScratch } from '../helpers/scratch.js';
import { buildApp, createHost, createUser } from '../helpers/server-app.js';
import { SCREENSHOTS, skipWithoutChromium, startUiSession, type UiSession } from '../helpers/ui-harness.js';

const SIMULATED_HOSTS = 10_000;

test('the web UI, with a real agent and 10,000 hosts', {
  skip: skipWithoutChromium,
  timeout: 600_000,
}, async (t) => {
  const backend = getBackend('pglite');
  const { app, db } = await buildApp(t, backend, { uiDir: join(repoRoot, 'dist', 'ui') });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const admin = await createUser(db, 'admin');
  const viewer = await createUser(db, 'viewer');
  const api = async <T>(url: string): Promise<T> => {
    const res = await app.inject({ url, headers: { authorization: admin.auth } });
    assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
    return res.json() as T;
  };

  // 10,000 simulated hosts: 60 % ok, 30 % restart, 10 % reboot; one in seven offline; each with a
  // history (ok a month ago, then its current state) and, when stale, an old libc6.
  await db.prisma.$executeRawUnsafe(`
    INSERT INTO hosts (hostname, credential_hash, labels, status, online, last_seen_at, reported_at, stale_since,
                       stale_processes, services_to_restart, reboot_required, enrolled_at)
    SELECT format('sim-%s', lpad(i::text, 5, '0')), 'not-a-credential',
           jsonb_build_object('group', 'g' || (i % 10), 'env', CASE WHEN i % 3 = 0 THEN 'prod' ELSE 'staging' END),
           (CASE WHEN i % 10 < 6 THEN 'ok' WHEN i % 10 < 9 THEN 'restart' ELSE 'reboot' END)::host_status,
           i % 7 <> 0, now() - (i % 100) * interval '1 minute', now() - (i % 100) * interval '1 minute',
           CASE WHEN i % 10 >= 6 THEN now() - (i % 25) * interval '1 day' END,
           CASE WHEN i % 10 >= 6 THEN i % 13 + 1 ELSE 0 END, CASE WHEN i % 10 >= 6 THEN i % 4 + 1 ELSE 0 END,
           i % 10 = 9, now() - interval '40 days'
      FROM generate_series(1, ${SIMULATED_HOSTS}) i`);
  await db.prisma.$executeRawUnsafe(`
    INSERT INTO host_history (host_id, at, status, report_hash, report, summary)
    SELECT id, enrolled_at + interval '1 day', 'ok', 'sim-0', '{}'::jsonb, '{"staleProcesses":0}'::jsonb
      FROM hosts WHERE hostname LIKE 'sim-%'
    UNION ALL
    SELECT id, stale_since, status, 'sim-1', '{}'::jsonb, jsonb_build_object('staleProcesses', stale_processes)
      FROM hosts WHERE hostname LIKE 'sim-%' AND stale_since IS NOT NULL`);
  await db.prisma.$executeRawUnsafe(`
    INSERT INTO host_stale_packages (host_id, name, installed_version, previous_version, process_count, files)
    SELECT id, 'libc6', '2.36-9+deb12u9', '2.36-9+deb12u7', stale_processes, '["/usr/lib/x86_64-linux-gnu/libc.so.6"]'
      FROM hosts WHERE hostname LIKE 'sim-%' AND stale_since IS NOT NULL`);

  // Two hosts whose reports go through the real ingest path (known, rich content).
  const web = await createHost(db, { hostname: 'ingest-web-01', labels: { group: 'web' } });
  await ingestReport(db.prisma, web.id, {
    hostId: web.id,
    seq: 1,
    trigger: 'startup',
    report: servicesReport(),
  });
  const dbHost = await createHost(db, { hostname: 'ingest-db-07', labels: { group: 'db' } });
  await ingestReport(db.prisma, dbHost.id, {
    hostId: dbHost.id,
    seq: 1,
    trigger: 'startup',
    report: rebootReport(),
  });

  // A real agent daemon, enrolled with a token; it stays connected so that it can be asked to rescan.
  let session: UiSession | undefined;
  try {
    session = await startUiSession({ db, adminId: admin.id, baseUrl: base, dir: createScratch(t).dir });
    const { agentHost, page, pageErrors, shot } = session;

    async function logIn(p: Page, username: string, password: string) {
      await p.getByLabel('Username').fill(username);
      await p.getByLabel('Password').fill(password);
      await p.getByRole('button', { name: 'Log in' }).click();
    }

    await t.test('a wrong password shows an error, the right one the overview', async () => {
      await page.goto(`${base}/`);
      await logIn(page, admin.username, 'not the password');
      await page.getByRole('alert').filter({ hasText: 'Wrong username or password' }).waitFor();
      await shot('login-error');
      await logIn(page, admin.username, admin.password);
      await page.getByRole('heading', { name: 'Fleet overview' }).waitFor();
    });

    await t.test('the overview counts match the API', async () => {
      const summary = await api<{
        hosts: number;
        online: number;
        needRestart: number;
        needReboot: number;
        unknown: number;
      }>('/api/v1/fleet/summary');
      assert.ok(summary.hosts >= SIMULATED_HOSTS + 3);
      const card = async (tone: string) => {
        const text = await page.getByTestId(`count-${tone}`).locator('.card-value').textContent();
        return Number((text ?? '').replaceAll(',', ''));
      };
      assert.equal(await card('restart'), summary.needRestart);
      assert.equal(await card('reboot'), summary.needReboot);
      assert.equal(await card('offline'), summary.hosts - summary.online);
      assert.equal(await card('unknown'), summary.unknown);
      assert.equal(
        await card('ok'),
        summary.hosts - summary.needRestart - summary.needReboot - summary.unknown,
      );
      // The chart, the label groups and the stale packages are there.
      await page.locator('figure.chart svg path.area-ok').waitFor();
      await page.getByTestId('label-groups').getByRole('link', { name: 'group=g3' }).waitFor();
      await page.getByTestId('packages').getByRole('link', { name: 'libc6' }).waitFor();
      await shot('overview');
    });

    await t.test('the host table searches, filters and sorts 10,000 hosts on the server', async () => {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Hosts' }).click();
      const total = page.getByTestId('hosts-total');
      await total.filter({ hasText: /^\d{2},\d{3} hosts$/ }).waitFor();
      await shot('hosts');

      await page.getByLabel('Hostname').fill('sim-0420');
      await total.filter({ hasText: /^10 hosts$/ }).waitFor();
      const names = await page.getByTestId('hosts').locator('tbody tr td:first-child a').allInnerTexts();
      assert.deepEqual(
        names,
        Array.from({ length: 10 }, (_, i) => `sim-0420${i}`),
      );
      assert.match(page.url(), /search=sim-0420/);

      await page.getByLabel('Hostname').fill('');
      await page.getByLabel('Status').selectOption('reboot');
      const reboot = await api<{ total: number }>('/api/v1/hosts?status=reboot&pageSize=1');
      await total.filter({ hasText: `${reboot.total.toLocaleString('en-US')} hosts` }).waitFor();
      const badges = await page.getByTestId('hosts').locator('tbody .badge').allInnerTexts();
      assert.equal(badges.length, 50);
      assert.ok(badges.every((b) => b === 'reboot'));

      // Sort by stale processes, descending (second click): the first row has the most.
      const sortButton = page.getByRole('button', { name: 'stale processes' });
      await sortButton.click();
      await page.waitForURL(/sort=staleProcesses/);
      await sortButton.click();
      await page.waitForURL(/order=desc/);
      await page.locator('th[aria-sort="descending"]').waitFor();
      const top = await api<{ items: Array<{ hostname: string; staleProcesses: number }> }>(
        '/api/v1/hosts?status=reboot&sort=staleProcesses&order=desc&pageSize=1',
      );
      await page
        .getByTestId('hosts')
        .locator('tbody tr')
        .first()
        .locator('td')
        .nth(2)
        .filter({ hasText: String(top.items[0]!.staleProcesses) })
        .waitFor();
      await shot('hosts-filtered-sorted');
    });

    await t.test('a host shows what to restart and why', async () => {
      await page.goto(`${base}/hosts?search=ingest-web-01`);
      await page.getByRole('link', { name: 'ingest-web-01' }).click();
      await page.getByRole('heading', { name: /ingest-web-01/ }).waitFor();
      const actions = page.getByTestId('actions');
      await actions.getByText('nginx.service').waitFor();
      await actions.getByText('ssh.service').waitFor();
      await page
        .getByTestId('processes')
        .getByText('/usr/lib/x86_64-linux-gnu/libssl.so.3')
        .first()
        .waitFor();
      await page.getByTestId('host-packages').getByRole('link', { name: 'libssl3' }).waitFor();
      await page.getByTestId('history').locator('tbody tr').first().waitFor();
      await shot('host-services');

      await page.goto(`${base}/hosts/${dbHost.id}`);
      await page
        .getByTestId('reboot-reasons')
        .getByText(/Kernel .* is installed/)
        .waitFor();
      await shot('host-reboot');
    });

    await t.test('"who still runs the old libc6?" lists the hosts', async () => {
      await page.goto(`${base}/packages/libc6`);
      await page.getByTestId('package-hosts').locator('tbody tr').first().waitFor();
      await shot('package-hosts');
    });

    await t.test('an operator asks the real agent to rescan', async () => {
      await page.goto(`${base}/hosts/${agentHost.id}`);
      await page.getByRole('heading', { name: new RegExp(agentHost.hostname) }).waitFor();
      await page.getByRole('button', { name: 'Rescan now' }).click();
      await page.getByRole('status').filter({ hasText: 'Scan requested' }).waitFor();
      await shot('host-rescan');
    });

    await t.test('the audit page filters by host and exports CSV and JSON', async () => {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
      await page.getByTestId('audit').locator('tbody tr').first().waitFor();
      await page.getByLabel('Host').fill(agentHost.hostname);
      await page.getByRole('button', { name: 'Filter' }).click();
      const rows = page.getByTestId('audit').locator('tbody tr');
      await rows.filter({ hasText: 'host.scan-request' }).waitFor();
      await rows.filter({ hasText: 'agent.enroll' }).waitFor();
      assert.equal(await rows.count(), 2);
      await shot('audit');

      const [csvDownload] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Export CSV' }).click(),
      ]);
      const csv = readFileSync((await csvDownload.path())!, 'utf8');
      const lines = csv.trimEnd().split('\r\n');
      assert.equal(lines[0], 'id,at,actorType,actorId,actorName,action,targetType,targetId,details');
      assert.equal(lines.length, 3);
      assert.ok(lines.slice(1).every((line) => line.includes(agentHost.id)));
      assert.ok(
        lines.some((line) => line.includes(`,user,${admin.id},${admin.username},host.scan-request,`)),
      );

      const [jsonDownload] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Export JSON' }).click(),
      ]);
      const events = JSON.parse(readFileSync((await jsonDownload.path())!, 'utf8')) as Array<{
        action: string;
        targetId: string;
      }>;
      assert.deepEqual(events.map((e) => e.action).sort(), ['agent.enroll', 'host.scan-request']);
      assert.ok(events.every((e) => e.targetId === agentHost.id));
    });

    await t.test(
      'log out ends the session on the server; a viewer sees no operator button and no audit',
      async () => {
        const token = (await page.evaluate(
          `JSON.parse(sessionStorage.getItem('afterpatch.session') ?? '{}').token`,
        )) as string;
        const meWith = async () =>
          (await app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${token}` } }))
            .statusCode;
        assert.equal(await meWith(), 200);
        await page.getByRole('button', { name: 'Log out' }).click();
        await page.getByRole('button', { name: 'Log in' }).waitFor();
        // The token the page held is refused now, not only forgotten by the page.
        assert.equal(await meWith(), 401);
        await logIn(page, viewer.username, viewer.password);
        // Still on /audit after logging in again: a viewer is told it is not for them.
        await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
        assert.equal(
          await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).count(),
          0,
        );
        await page.goto(`${base}/hosts/${agentHost.id}`);
        await page.getByRole('heading', { name: new RegExp(agentHost.hostname) }).waitFor();
        assert.equal(await page.getByRole('button', { name: 'Rescan now' }).count(), 0);
        await shot('viewer-host');
      },
    );

    await t.test('an expired session returns to the login page', async () => {
      // The page's own code runs this (a string, since the test's TypeScript has no DOM types).
      await page.evaluate(`(() => {
      const session = JSON.parse(sessionStorage.getItem('afterpatch.session') ?? '{}');
      sessionStorage.setItem('afterpatch.session', JSON.stringify({ ...session, token: 'no-longer-valid' }));
    })()`);
      await page.reload();
      await page.getByRole('button', { name: 'Log in' }).waitFor();
    });
    assert.deepEqual(pageErrors, []);
    console.log(`screenshots: ${SCREENSHOTS}`);
  } finally {
    await session?.close();
  }
});
