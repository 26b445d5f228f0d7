// The rollout pages end to end: the real server (the app on PGlite, serving the built dist/ui) with
// its real rollout executor; a real agent daemon (a real scan of this machine) for "real hosts
// reported by real agents"; and SCRIPTED agents (test/helpers/scripted-agent.ts) for the hosts
// that need a restart or a reboot. The scripted agents are the boundary fake for systemctl and
// reboot: they speak the real protocol over real agent WebSockets, answer each `step`, send the
// post-step report and close/reconnect for a reboot; everything on the server side is real.
// Headless Debian chromium (playwright-core) does what the people do: an operator creates a group
// and a rollout, previews the plan as a timeline, approves it and watches it finish live (no
// reload); an admin finds its audit entries; a viewer cannot approve; a failing step halts a
// rollout, shows its evidence, and is resumed with a note.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import type { ScanReport } from '../../shared/scan-report.js';
import { cleanHostReport, rebootReport, servicesReport } from '../agent/output/sample-reports.js';
import { getBackend } from '../helpers/databases.js';
import { repoRoot } from '../helpers/paths.js';
import { createScratch } from '../helpers/scratch.js';
import { ScriptedAgent } from '../helpers/scripted-agent.js';
import { buildApp, createHost, createUser, uniqueName } from '../helpers/server-app.js';
import {
  SCREENSHOTS,
  skipWithoutChromium,
  startUiSession,
  type UiSession,
  until,
} from '../helpers/ui-harness.js';

/** Each scripted step takes this long, so that the browser sees steps in flight. */
const STEP_MS = 2500;

/** The host after rebooting into the newest kernel: nothing left to do. */
function afterRebootReport(): ScanReport {
  const newest = rebootReport().kernel.newestInstalled!;
  const report = cleanHostReport();
  report.kernel = { ...report.kernel, runningRelease: newest, newestInstalled: newest };
  return report;
}

test('rollouts in the web UI: plan, approve, watch live, audit, halt and resume', {
  skip: skipWithoutChromium,
  timeout: 600_000,
}, async (t) => {
  const backend = getBackend('pglite');
  const { app, db } = await buildApp(t, backend, {
    uiDir: join(repoRoot, 'dist', 'ui'),
    config: { rolloutTickMs: 200 },
  });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const admin = await createUser(db, 'admin');
  const operator = await createUser(db, 'operator');
  const viewer = await createUser(db, 'viewer');
  const tag = uniqueName('tier');

  // Scripted hosts: two need service restarts, one a reboot (the web tier); two more for the
  // failure scenario, one of which fails its step.
  const scripted: ScriptedAgent[] = [];
  const addHost = async (
    hostname: string,
    labels: Record<string, string>,
    kind: 'restart' | 'reboot',
    fail = false,
  ) => {
    const host = await createHost(db, { hostname, labels });
    const agent = new ScriptedAgent({
      baseUrl: base,
      hostId: host.id,
      hostname,
      before: kind === 'reboot' ? rebootReport() : servicesReport(),
      after: kind === 'reboot' ? afterRebootReport() : cleanHostReport(),
      stepMs: fail ? 300 : STEP_MS,
      fail,
    });
    await agent.connect();
    agent.sendReport(agent.options.before);
    scripted.push(agent);
    return host;
  };
  const web = [
    await addHost(`${tag}-web-1`, { tier: tag }, 'restart'),
    await addHost(`${tag}-web-2`, { tier: tag }, 'restart'),
    await addHost(`${tag}-web-3`, { tier: tag }, 'reboot'),
  ];
  const flaky = await addHost(`${tag}-flaky`, { batch: tag }, 'restart', true);
  const steady = await addHost(`${tag}-steady`, { batch: tag }, 'restart');
  await until('the scripted reports to be stored', async () =>
    (await db.prisma.host.count({ where: { hostname: { startsWith: tag }, reportSeq: 1 } })) === 5
      ? true
      : undefined,
  );

  // A real agent daemon, enrolled with a token (not in any rollout: it would act on this machine).
  let session: UiSession | undefined;
  try {
    session = await startUiSession({ db, adminId: admin.id, baseUrl: base, dir: createScratch(t).dir });
    const { agentHost, page, pageErrors, shot } = session;
    const nav = (name: string) =>
      page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
    async function logIn(p: Page, user: { username: string; password: string }) {
      await p.getByLabel('Username').fill(user.username);
      await p.getByLabel('Password').fill(user.password);
      await p.getByRole('button', { name: 'Log in' }).click();
      await p.getByRole('button', { name: 'Log out' }).waitFor();
    }
    async function logOut() {
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.getByRole('button', { name: 'Log in' }).waitFor();
    }
    const groupName = `${tag}-web`;
    let rolloutId = '';

    await t.test('an operator sees the real agent host and creates a group with a limit', async () => {
      await page.goto(`${base}/hosts?search=${encodeURIComponent(agentHost.hostname)}`);
      await logIn(page, operator);
      await page.getByTestId('hosts').getByRole('link', { name: agentHost.hostname }).waitFor();

      await nav('Groups').click();
      await page.getByRole('button', { name: 'New group' }).click();
      const form = page.getByRole('form', { name: 'New group' });
      await form.getByLabel('Name', { exact: true }).fill(groupName);
      await form.getByLabel('Members by labels').fill(`tier=${tag}`);
      await form.getByLabel('at most out').fill('1');
      // Checked in the browser before anything is sent.
      await form.getByLabel('Windows').fill('someday 02:00-04:00 UTC');
      await form.getByRole('button', { name: 'Create group' }).click();
      await form.getByText('days are mon tue wed thu fri sat sun').waitFor();
      await form.getByLabel('Windows').fill('mon-sun 00:00-00:00 UTC');
      await form.getByRole('button', { name: 'Create group' }).click();
      const row = page.getByTestId('groups').locator('tr', { hasText: groupName });
      await row.getByText('≤ 1 out').waitFor();
      await row.getByText(`tier=${tag}`).waitFor();
      // The server's refusal is shown next to the form: a second group with the same name.
      await page.getByRole('button', { name: 'New group' }).click();
      await form.getByLabel('Name', { exact: true }).fill(groupName);
      await form.getByLabel('Members by labels').fill(`tier=${tag}`);
      await form.getByRole('button', { name: 'Create group' }).click();
      await page.getByTestId('group-error').filter({ hasText: 'a group with that name exists' }).waitFor();
      await shot('rollout-groups');
      await form.getByRole('button', { name: 'Cancel' }).click();
    });

    await t.test(
      'the preview shows the plan as a timeline with one bar per host and why one waits',
      async () => {
        await nav('Rollouts').click();
        await page.getByRole('link', { name: 'New rollout' }).click();
        await page.getByLabel('Name', { exact: true }).fill(`${tag} patch`);
        await page.getByLabel('members of groups').check();
        await page.getByLabel(groupName, { exact: true }).check();
        await page.getByRole('button', { name: 'Preview' }).click();
        const timeline = page.getByTestId('plan-timeline');
        await timeline.waitFor();
        const bars = timeline.getByTestId('plan-bar');
        assert.equal(await bars.count(), 3);
        const hosts = (await bars.evaluateAll((els) => els.map((e) => e.getAttribute('data-host')))).sort();
        assert.deepEqual(hosts, web.map((h) => h.hostname).sort());
        assert.equal(await timeline.locator('g.bar.bar-reboot').count(), 1);
        assert.equal(await timeline.locator('g.bar.bar-restart').count(), 2);
        await page
          .getByTestId('plan-summary')
          .getByText('3 (2 restarts, 1 reboots)', { exact: false })
          .waitFor();
        // The last bar waited for the limit: hovering it says so, and the list says it too.
        await bars.last().hover();
        await page
          .getByTestId('wait-detail')
          .filter({ hasText: /already out/ })
          .waitFor();
        await bars.first().focus();
        await page.getByTestId('wait-detail').filter({ hasText: 'did not wait' }).waitFor();
        await bars.last().hover();
        await shot('rollout-preview-timeline');
      },
    );

    await t.test('created, approved, and watched live to completion without a reload', async () => {
      await page.getByRole('button', { name: 'Create rollout' }).click();
      await page.waitForURL(/\/rollouts\/[0-9a-f-]{36}$/);
      rolloutId = page.url().split('/').pop()!;
      await page.getByTestId('rollout-state').filter({ hasText: 'awaiting approval' }).waitFor();
      await page.getByTestId('live-status').filter({ hasText: 'live' }).waitFor();
      // A mark in the page's memory: it survives only if the page is never reloaded.
      await page.evaluate('window.__sameDocument = true');
      await page.getByRole('button', { name: 'Approve' }).click();
      const states = page.getByTestId('steps').getByTestId('step-state');
      // Pushed by the server: a step in flight, then settled ones, then all done.
      await states.filter({ hasText: 'dispatched' }).first().waitFor({ timeout: 120_000 });
      await page.getByTestId('rollout-state').filter({ hasText: 'running' }).waitFor();
      await page.getByTestId('actual-bar').first().waitFor();
      await shot('rollout-live');
      await states.filter({ hasText: 'succeeded' }).first().waitFor({ timeout: 120_000 });
      await page.getByTestId('rollout-state').filter({ hasText: 'completed' }).waitFor({ timeout: 180_000 });
      await page.getByTestId('progress').filter({ hasText: '100 % (3/3)' }).waitFor();
      assert.deepEqual(await states.allInnerTexts(), ['succeeded', 'succeeded', 'succeeded']);
      assert.equal(await page.evaluate('window.__sameDocument === true'), true, 'the page was reloaded');
      // The reboot's evidence: the boot id changed.
      const rebootRow = page.getByTestId('steps').locator(`tr[data-host="${web[2]!.hostname}"]`);
      await rebootRow.getByText('evidence').click();
      await rebootRow
        .getByTestId('step-evidence')
        .getByText(/boot-1 → boot-1-next/)
        .waitFor();
      await shot('rollout-completed');
      const stored = await db.prisma.rollout.findUniqueOrThrow({ where: { id: rolloutId } });
      assert.equal(stored.state, 'completed');
      assert.equal(stored.approvedByName, operator.username);
    });

    await t.test("an admin finds the rollout's audit entries", async () => {
      await logOut();
      await logIn(page, admin);
      await page.goto(`${base}/rollouts/${rolloutId}`);
      await page.getByTestId('audit-link').click();
      await page.waitForURL(/\/audit\?targetId=/);
      const rows = page.getByTestId('audit').locator('tbody tr');
      for (const action of ['rollout.create', 'rollout.approve', 'rollout.start', 'rollout.complete']) {
        await rows.filter({ hasText: action }).first().waitFor();
      }
      await rows
        .filter({ hasText: `user: ${operator.username}` })
        .filter({ hasText: 'rollout.approve' })
        .waitFor();
      await shot('rollout-audit');
    });

    // The failure scenario: created by an operator through the API (the UI path is above). Not
    // with `operator.auth`: the browser's Log out ended every login session of that user.
    const apiOperator = await createUser(db, 'operator');
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/rollouts',
      headers: { authorization: apiOperator.auth },
      payload: { name: `${tag} flaky`, hosts: [flaky.id, steady.id], maxParallel: 2 },
    });
    assert.equal(created.statusCode, 201, created.body);
    const flakyRollout = created.json() as { id: string };

    await t.test('a viewer sees the rollout but cannot approve it', async () => {
      await logOut();
      await logIn(page, viewer);
      await page.goto(`${base}/rollouts/${flakyRollout.id}`);
      await page.getByTestId('rollout-state').filter({ hasText: 'awaiting approval' }).waitFor();
      await page
        .getByTestId('approval-note')
        .filter({ hasText: 'Waiting for approval by an operator' })
        .waitFor();
      assert.equal(await page.getByRole('button', { name: 'Approve' }).count(), 0);
      assert.equal(await page.getByRole('button', { name: /Cancel rollout/ }).count(), 0);
      await nav('Rollouts').click();
      await page
        .getByTestId('rollouts')
        .getByRole('link', { name: `${tag} patch` })
        .waitFor();
      assert.equal(await page.getByRole('link', { name: 'New rollout' }).count(), 0);
      await shot('rollout-viewer');
    });

    await t.test('a failing step halts the rollout with its evidence; resumed with a note', async () => {
      await logOut();
      await logIn(page, admin);
      await page.goto(`${base}/rollouts/${flakyRollout.id}`);
      await page.getByTestId('live-status').filter({ hasText: 'live' }).waitFor();
      await page.getByRole('button', { name: 'Approve' }).click();
      await page.getByTestId('rollout-state').filter({ hasText: 'halted' }).waitFor({ timeout: 120_000 });
      await page.getByTestId('halt-reason').waitFor();
      const failure = page.getByTestId('failures');
      await failure.getByRole('link', { name: flaky.hostname }).waitFor();
      await failure.getByText('restart failed: exit 1').first().waitFor();
      await shot('rollout-halted');
      // Resume needs a note: the button stays disabled until one is written.
      const resume = page.getByRole('button', { name: 'Resume' });
      assert.equal(await resume.isDisabled(), true);
      await page.getByLabel('What was found').fill('flaky: unit file typo, fixed by hand');
      // The budget may be raised on the way (it was 0, one failure is counted).
      await page.getByLabel('New failure budget').fill('1');
      await resume.click();
      await page.getByTestId('rollout-state').filter({ hasText: 'completed' }).waitFor({ timeout: 180_000 });
      await page.getByTestId('progress').filter({ hasText: '100 % (2/2)' }).waitFor();
      const audit = await db.prisma.auditEvent.findFirst({
        where: { action: 'rollout.resume', targetId: flakyRollout.id },
      });
      assert.equal(
        (audit?.details as { note?: string } | undefined)?.note,
        'flaky: unit file typo, fixed by hand',
      );
      assert.deepEqual((audit?.details as { failureBudget?: unknown } | undefined)?.failureBudget, {
        from: 0,
        to: 1,
      });
      await page.getByText('1 (budget 1)').waitFor();
      await shot('rollout-resumed');
    });

    await t.test('the overview lists active rollouts (none left)', async () => {
      await page.goto(`${base}/`);
      await page.getByTestId('active-rollouts').getByText('None').waitFor();
    });
    assert.deepEqual(pageErrors, []);
    console.log(`screenshots: ${SCREENSHOTS}`);
  } finally {
    await session?.close();
    for (const a of scripted) await a.close();
  }
});
