// The overview API over hosts ingested through the real ingest path. Each test labels its hosts
// with a label of its own, so counts are exact on the file's shared database.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ingestReport } from '../../../server/agents/ingest-report.js';
import type { ScanReport } from '../../../shared/scan-report.js';
import { cleanHostReport, rebootReport, servicesReport } from '../../agent/output/sample-reports.js';
import { forEachDatabase } from '../../helpers/databases.js';
import { buildApp, createHost, createUser, uniqueName } from '../../helpers/server-app.js';

forEachDatabase((backend) => {
  async function fleet(t: import('node:test').TestContext) {
    const ctx = await buildApp(t, backend);
    const viewer = await createUser(ctx.db, 'viewer');
    const group = uniqueName('g');
    const hosts: Record<string, string> = {};
    const reports: Array<[string, ScanReport | null, boolean]> = [
      ['web-1', servicesReport(), true],
      ['web-2', servicesReport(), false],
      ['db-1', rebootReport(), true],
      ['ok-1', cleanHostReport(), true],
      ['new-1', null, false],
    ];
    let seq = 0;
    for (const [name, report, online] of reports) {
      const host = await createHost(ctx.db, {
        hostname: `${group}-${name}`,
        labels: { group, role: name.split('-')[0]! },
      });
      hosts[name] = host.id;
      if (report)
        await ingestReport(ctx.db.prisma, host.id, {
          hostId: host.id,
          seq: ++seq,
          trigger: 'startup',
          report,
        });
      if (online) await ctx.db.prisma.host.update({ where: { id: host.id }, data: { online: true } });
    }
    const get = async (url: string) => {
      const res = await ctx.app.inject({ url, headers: { authorization: viewer.auth } });
      assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
      return res.json();
    };
    return { ...ctx, viewer, group, hosts, get };
  }

  test('summary: totals and per-label counts', async (t) => {
    const { get, group } = await fleet(t);
    const summary = await get('/api/v1/fleet/summary?labelKey=group');
    const mine = summary.byLabel.find((l: { value: string }) => l.value === group);
    assert.deepEqual(mine, {
      key: 'group',
      value: group,
      hosts: 5,
      online: 3,
      needRestart: 2,
      needReboot: 1,
      oldestStaleSince: new Date(servicesReport().scan.startedAt).toISOString(),
    });
    assert.ok(summary.hosts >= 5);
    assert.ok(summary.unknown >= 1);
    assert.ok(summary.byLabel.every((l: { key: string }) => l.key === 'group'));
  });

  test('packages across the fleet, and the hosts that still run one', async (t) => {
    const { get, group, hosts } = await fleet(t);
    const libssl = servicesReport().packages.find((p) => p.name === 'libssl3')!;
    const page = await get('/api/v1/fleet/packages?search=libssl&pageSize=200');
    const row = page.items.find((p: { name: string }) => p.name === 'libssl3');
    assert.ok(row.hosts >= 2);
    assert.ok(row.installedVersions.includes(libssl.installedVersion));
    assert.ok(page.total >= 1);
    const pastTheEnd = await get('/api/v1/fleet/packages?search=libssl&page=1000');
    assert.deepEqual(pastTheEnd.items, []);
    assert.equal(pastTheEnd.total, page.total);
    const running = await get(`/api/v1/fleet/packages/libssl3/hosts?pageSize=200`);
    const mine = running.items.filter((h: { hostname: string }) => h.hostname.startsWith(group));
    assert.deepEqual(
      mine.map((h: { hostId: string }) => h.hostId).sort(),
      [hosts['web-1'], hosts['web-2']].sort(),
    );
    assert.equal(mine[0].processCount, libssl.pids.length);
    assert.equal(mine[0].previousVersion, libssl.previousVersion);
  });

  test('host list: filters, sort and pagination with a bounded page size', async (t) => {
    const { get, group, hosts, app, viewer } = await fleet(t);
    const all = await get(`/api/v1/hosts?label=group:${group}&sort=hostname`);
    assert.equal(all.total, 5);
    assert.deepEqual(
      all.items.map((h: { hostname: string }) => h.hostname.slice(group.length + 1)),
      ['db-1', 'new-1', 'ok-1', 'web-1', 'web-2'],
    );
    const restart = await get(`/api/v1/hosts?label=group:${group}&status=restart`);
    assert.equal(restart.total, 2);
    const offline = await get(`/api/v1/hosts?label=group:${group}&online=false`);
    assert.deepEqual(
      offline.items.map((h: { id: string }) => h.id).sort(),
      [hosts['web-2'], hosts['new-1']].sort(),
    );
    const search = await get(`/api/v1/hosts?search=${group.toUpperCase()}-WEB`);
    assert.equal(search.total, 2);
    const page1 = await get(`/api/v1/hosts?label=group:${group}&sort=hostname&order=desc&pageSize=2`);
    const page2 = await get(`/api/v1/hosts?label=group:${group}&sort=hostname&order=desc&pageSize=2&page=2`);
    assert.deepEqual(
      [...page1.items, ...page2.items].map((h: { hostname: string }) => h.hostname.slice(group.length + 1)),
      ['web-2', 'web-1', 'ok-1', 'new-1'],
    );
    const stale = await get(`/api/v1/hosts?label=group:${group}&sort=staleSince`);
    assert.equal(stale.items.at(-1).staleSince, null);
    for (const bad of [
      'pageSize=201',
      'pageSize=0',
      'sort=password',
      'status=broken',
      'page=-1',
      'label=nocolon',
      'extra=1',
    ]) {
      const res = await app.inject({ url: `/api/v1/hosts?${bad}`, headers: { authorization: viewer.auth } });
      assert.equal(res.statusCode, 400, bad);
      assert.equal(res.json().error.code, 'AP_VALIDATION_FAILED');
    }
  });

  test('host detail and paginated history', async (t) => {
    const { get, hosts, db, app, viewer } = await fleet(t);
    const id = hosts['web-1']!;
    // Two more changes: fixed, then stale again.
    await ingestReport(db.prisma, id, {
      hostId: id,
      seq: 100,
      trigger: 'interval',
      report: cleanHostReport(),
    });
    await ingestReport(db.prisma, id, { hostId: id, seq: 101, trigger: 'interval', report: rebootReport() });
    const detail = await get(`/api/v1/hosts/${id}`);
    assert.equal(detail.status, 'reboot');
    assert.equal(detail.reportSeq, 101);
    assert.equal(detail.report.status, 'reboot');
    const first = await get(`/api/v1/hosts/${id}/history?limit=2`);
    assert.deepEqual(
      first.items.map((r: { status: string }) => r.status),
      ['reboot', 'ok'],
    );
    assert.ok(first.nextCursor);
    const second = await get(`/api/v1/hosts/${id}/history?limit=2&before=${first.nextCursor}`);
    assert.deepEqual(
      second.items.map((r: { status: string }) => r.status),
      ['restart'],
    );
    assert.equal(second.nextCursor, null);
    assert.equal(second.items[0].summary.staleProcesses, servicesReport().processes.length);
    const missing = await app.inject({
      url: '/api/v1/hosts/00000000-0000-4000-8000-000000000000',
      headers: { authorization: viewer.auth },
    });
    assert.equal(missing.statusCode, 404);
    const notUuid = await app.inject({ url: '/api/v1/hosts/web-1', headers: { authorization: viewer.auth } });
    assert.equal(notUuid.statusCode, 400);
  });

  test('admin operations on hosts: labels (audited), and roles enforced', async (t) => {
    const { hosts, db, app, viewer } = await fleet(t);
    const admin = await createUser(db, 'admin');
    const id = hosts['ok-1']!;
    const put = (auth: string, payload: Record<string, string>) =>
      app.inject({
        method: 'PUT',
        url: `/api/v1/hosts/${id}/labels`,
        headers: { authorization: auth },
        payload,
      });
    assert.equal((await put(viewer.auth, { env: 'prod' })).statusCode, 403);
    assert.equal((await put(admin.auth, { 'bad key!': 'x' })).statusCode, 400);
    const ok = await put(admin.auth, { env: 'prod' });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json().labels, { env: 'prod' });
    const audit = await app.inject({
      url: `/api/v1/audit?action=host.&actorId=${admin.id}`,
      headers: { authorization: admin.auth },
    });
    assert.deepEqual(
      audit.json().items.map((e: { action: string }) => e.action),
      ['host.labels.update'],
    );
  });
});
