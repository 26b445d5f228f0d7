// verifyStep, the pure evidence check: an agent's "succeeded" counts only with proof (a new boot
// id and the expected kernel for a reboot; a report received after dispatch that no longer shows
// the needs; green health checks).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StepForVerification } from '../../../server/rollouts/executor-state.js';
import { needsFromReport } from '../../../server/rollouts/planner/needs-from-report.js';
import { type HostNow, verifyStep } from '../../../server/rollouts/verify-step.js';
import type { StepStatusPayload } from '../../../shared/agent-protocol.js';
import type { ScanReport } from '../../../shared/scan-report.js';
import { cleanHostReport, rebootReport, servicesReport } from '../../agent/output/sample-reports.js';

const OLD_KERNEL = rebootReport().kernel.runningRelease;
const NEW_KERNEL = rebootReport().kernel.newestInstalled!;

function restartStep(extra: Partial<StepForVerification> = {}): StepForVerification {
  return {
    action: 'restart',
    needs: needsFromReport(servicesReport()),
    healthChecks: [],
    bootIdAtDispatch: 'boot-1',
    expectedKernel: null,
    reportSeqAtDispatch: 4n,
    ...extra,
  };
}

function rebootStep(extra: Partial<StepForVerification> = {}): StepForVerification {
  return restartStep({
    action: 'reboot',
    needs: needsFromReport(rebootReport()),
    expectedKernel: NEW_KERNEL,
    ...extra,
  });
}

function succeeded(evidence: StepStatusPayload['evidence'] = {}): StepStatusPayload {
  return { stepId: 's', state: 'succeeded', message: 'done', at: '2024-06-05T12:00:00.000Z', evidence };
}

/** A report after a reboot into the new kernel: nothing left to do. */
function afterReboot(): ScanReport {
  const report = cleanHostReport();
  report.kernel = { ...report.kernel, runningRelease: NEW_KERNEL, newestInstalled: NEW_KERNEL };
  return report;
}

function host(extra: Partial<HostNow> = {}): HostNow {
  return { bootId: 'boot-1', kernelRelease: OLD_KERNEL, reportSeq: 5n, report: cleanHostReport(), ...extra };
}

describe('verifyStep: restarts', () => {
  it('succeeds on a fresh report without the needs', () => {
    const v = verifyStep(restartStep(), succeeded({ reportSeq: 5 }), host());
    assert.equal(v.verdict, 'succeeded', v.reason);
    assert.deepEqual(v.checks.remainingNeeds, []);
  });

  it('a report older than (or at) the dispatch is not evidence', () => {
    for (const seq of [3, 4]) {
      const v = verifyStep(restartStep(), succeeded({ reportSeq: seq }), host({ reportSeq: 5n }));
      assert.equal(v.verdict, 'failed');
      assert.match(v.reason, /older than the dispatch/);
    }
  });

  it('waits while the post-step report is not stored yet', () => {
    const v = verifyStep(restartStep(), succeeded({ reportSeq: 6 }), host({ reportSeq: 5n }));
    assert.equal(v.verdict, 'waiting');
    // Without a seq from the agent, any report after the dispatch is what it waits for.
    const noSeq = verifyStep(restartStep(), succeeded({}), host({ reportSeq: 4n }));
    assert.equal(noSeq.verdict, 'waiting');
  });

  it('a fresh report that still shows the unit stale is not done', () => {
    const v = verifyStep(restartStep(), succeeded({ reportSeq: 5 }), host({ report: servicesReport() }));
    assert.equal(v.verdict, 'failed');
    assert.match(v.reason, /the fresh report still shows: restart nginx\.service/);
  });

  it('a red health check fails the step; none reported when some were asked fails it too', () => {
    const checks = [{ kind: 'http', url: 'http://127.0.0.1/healthz' }];
    const red = verifyStep(
      restartStep({ healthChecks: checks }),
      succeeded({
        reportSeq: 5,
        healthChecks: [{ what: 'http http://127.0.0.1/healthz', ok: false, detail: 'HTTP 503' }],
      }),
      host(),
    );
    assert.equal(red.verdict, 'failed');
    assert.match(red.reason, /health check failed: http http:\/\/127\.0\.0\.1\/healthz: HTTP 503/);
    const none = verifyStep(restartStep({ healthChecks: checks }), succeeded({ reportSeq: 5 }), host());
    assert.equal(none.verdict, 'failed');
    assert.match(none.reason, /no health check results/);
    const green = verifyStep(
      restartStep({ healthChecks: checks }),
      succeeded({ reportSeq: 5, healthChecks: [{ what: 'http', ok: true, detail: '200' }] }),
      host(),
    );
    assert.equal(green.verdict, 'succeeded', green.reason);
  });

  it("the agent's failed or refused is a failure; accepted and running are waits", () => {
    for (const state of ['failed', 'refused'] as const) {
      const v = verifyStep(restartStep(), { ...succeeded(), state, message: 'exit 1' }, host());
      assert.equal(v.verdict, 'failed');
      assert.match(v.reason, new RegExp(`agent: ${state}: exit 1`));
    }
    for (const state of ['accepted', 'running'] as const) {
      assert.equal(verifyStep(restartStep(), { ...succeeded(), state }, host()).verdict, 'waiting');
    }
  });
});

describe('verifyStep: reboots', () => {
  const rebooted = () =>
    host({ bootId: 'boot-2', kernelRelease: NEW_KERNEL, reportSeq: 5n, report: afterReboot() });

  it('succeeds with a new boot id, the expected kernel and a clean fresh report', () => {
    const v = verifyStep(
      rebootStep(),
      succeeded({ bootIdBefore: 'boot-1', bootIdAfter: 'boot-2', kernelRelease: NEW_KERNEL, reportSeq: 5 }),
      rebooted(),
    );
    assert.equal(v.verdict, 'succeeded', v.reason);
    assert.deepEqual(v.checks.bootId, { atDispatch: 'boot-1', after: 'boot-2' });
  });

  it('a reboot without a new boot id is not done', () => {
    const v = verifyStep(
      rebootStep(),
      succeeded({ bootIdAfter: 'boot-1', kernelRelease: NEW_KERNEL, reportSeq: 5 }),
      host({ report: afterReboot() }),
    );
    assert.equal(v.verdict, 'failed');
    assert.match(v.reason, /boot id did not change/);
    // Nothing said by the agent, and the hello still shows the old boot: not done either.
    const silent = verifyStep(rebootStep(), succeeded({ reportSeq: 5 }), host({ report: afterReboot() }));
    assert.equal(silent.verdict, 'failed');
  });

  it("the agent's word alone is not enough: it waits for a hello from the new boot", () => {
    const v = verifyStep(
      rebootStep(),
      succeeded({ bootIdAfter: 'boot-2', kernelRelease: NEW_KERNEL, reportSeq: 5 }),
      host({ bootId: 'boot-1', report: afterReboot() }),
    );
    assert.equal(v.verdict, 'waiting');
  });

  it('the wrong kernel is not done', () => {
    const v = verifyStep(
      rebootStep(),
      succeeded({ bootIdAfter: 'boot-2', kernelRelease: OLD_KERNEL, reportSeq: 5 }),
      host({ bootId: 'boot-2', kernelRelease: OLD_KERNEL, report: afterReboot() }),
    );
    assert.equal(v.verdict, 'failed');
    assert.match(v.reason, new RegExp(`running kernel ${OLD_KERNEL} is not the expected ${NEW_KERNEL}`));
  });

  it('a fresh report that still needs a reboot is not done', () => {
    const v = verifyStep(
      rebootStep(),
      succeeded({ bootIdAfter: 'boot-2', kernelRelease: NEW_KERNEL, reportSeq: 5 }),
      host({ bootId: 'boot-2', kernelRelease: NEW_KERNEL, report: rebootReport() }),
    );
    assert.equal(v.verdict, 'failed');
    assert.match(v.reason, /reboot required/);
  });
});
